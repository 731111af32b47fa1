package io.consentgate.topology;

import io.consentgate.policy.ConsentEvent;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The two ends of the re-routing topic. A broker refuses a record whose timestamp is more than an
 * hour ahead of its clock, and the gate accepts event times up to 2100; the topic's own source
 * reads the Kafka timestamp, not the payload. So a re-routed event is written with its event time
 * capped at the wall clock, and stamped with its true event time again once read back: the decider
 * sees it exactly as it would have seen it on the right partition.
 */
final class ReroutingTimestamps {

  private ReroutingTimestamps() {}

  /** Gives a misrouted event a timestamp any broker accepts. */
  static final class Outgoing implements FixedKeyProcessor<String, ConsentEvent, ConsentEvent> {
    private FixedKeyProcessorContext<String, ConsentEvent> context;

    @Override
    public void init(FixedKeyProcessorContext<String, ConsentEvent> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, ConsentEvent> record) {
      long acceptable = Math.min(record.value().eventTime().toEpochMilli(), context.currentSystemTimeMs());
      context.forward(record.withTimestamp(acceptable));
    }
  }

  /** Restores the event time of a re-routed event. */
  static final class Incoming implements FixedKeyProcessor<String, ConsentEvent, ConsentEvent> {
    private FixedKeyProcessorContext<String, ConsentEvent> context;

    @Override
    public void init(FixedKeyProcessorContext<String, ConsentEvent> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, ConsentEvent> record) {
      context.forward(record.withTimestamp(record.value().eventTime().toEpochMilli()));
    }
  }
}
