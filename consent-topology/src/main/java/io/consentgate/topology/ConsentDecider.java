package io.consentgate.topology;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The gate's one stateful step on Kafka Streams: the {@link ConsentLedger} over the consent store
 * and the lapse index, publishing verdicts downstream. A wall-clock punctuation re-decides the
 * contacts whose implicit consent is due to lapse.
 */
final class ConsentDecider implements Processor<String, ConsentEvent, String, ConsentVerdict> {

  /** Metric group {@code stream-consent-gate-metrics}: records-applied-total, records-unchanged-total. */
  static final String METRIC_SCOPE = "consent-gate";

  private final ConsentPolicy policy;
  private final Duration lapseCheckInterval;
  private final ContactOwnership ownership;
  private ConsentLedger ledger;
  private Sensor applied;
  private Sensor unchanged;

  ConsentDecider(ConsentPolicy policy, Duration lapseCheckInterval, ContactOwnership ownership) {
    this.policy = policy;
    this.lapseCheckInterval = lapseCheckInterval;
    this.ownership = ownership;
  }

  @Override
  public void init(ProcessorContext<String, ConsentVerdict> context) {
    KeyValueStore<String, ContactConsent> consents = context.getStateStore(ConsentGateTopology.CONSENT_STORE);
    KeyValueStore<Bytes, byte[]> index = context.getStateStore(ConsentGateTopology.LAPSE_INDEX_STORE);
    this.ledger = new ConsentLedger(policy, ConsentLedger.Consents.of(consents::get, consents::put), 
        new LapseIndex(index, contactId -> ownership.owns(context.taskId().partition(), contactId)), (contactId, verdict, version) ->
        context.forward(new Record<>(contactId, VerdictMapping.toRecord(verdict, version), verdict.decidedAt().toEpochMilli())));
    // Accounting: every record that passed the contract check either changed the contact's state
    // or was a duplicate / superseded record; the rest of the input is in the dead-letter topic.
    String task = context.taskId().toString();
    this.applied = context.metrics().addRateTotalSensor(METRIC_SCOPE, task, "records-applied", Sensor.RecordingLevel.INFO);
    this.unchanged = context.metrics().addRateTotalSensor(METRIC_SCOPE, task, "records-unchanged", Sensor.RecordingLevel.INFO);
    // Lapses are the one thing time alone changes; live they are noticed on the wall clock. The
    // offline replay drives this clock from the records' event time instead.
    context.schedule(lapseCheckInterval, PunctuationType.WALL_CLOCK_TIME, now -> ledger.checkLapses(Instant.ofEpochMilli(now)));
  }

  @Override
  public void process(Record<String, ConsentEvent> record) {
    if (ledger.apply(record.key(), record.value())) {
      applied.record();
    } else {
      unchanged.record(); // a duplicate or something already superseded
    }
  }
}
