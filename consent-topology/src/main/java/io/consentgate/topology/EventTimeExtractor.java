package io.consentgate.topology;

import io.consentgate.topics.InputTopic;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time comes from the payload (createdAt, occurredAt: whatever the input topic's record
 * says, {@link InputTopic#eventTimeOf}), never from when the record was produced, so that a replay
 * decides exactly as the live run did. One per input topic.
 */
public final class EventTimeExtractor<V extends SpecificRecord> implements TimestampExtractor {

  private final InputTopic<V> input;

  public EventTimeExtractor(InputTopic<V> input) {
    this.input = input;
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    long eventTime = -1;
    Object value = record.value();
    if (input.carries(value)) {
      Instant time = input.eventTimeOf(input.valueType().cast(value));
      if (time != null) {
        eventTime = time.toEpochMilli();
      }
    }
    if (eventTime >= 0) {
      return eventTime;
    }
    // Kafka Streams silently drops a record with a negative timestamp. A record without a value,
    // or one dated before 1970, is bad input: it gets a usable timestamp so that it reaches the
    // check step and the dead-letter topic instead of vanishing.
    return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0);
  }
}
