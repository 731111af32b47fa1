package io.consentgate.topology;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time comes from the payload (createdAt, occurredAt), never from when the record was
 * produced, so that a replay decides exactly as the live run did.
 */
public final class EventTimeExtractor implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    long eventTime = -1;
    Object value = record.value();
    if (value instanceof ContactCreated c && c.getCreatedAt() != null) {
      eventTime = c.getCreatedAt().toEpochMilli();
    } else if (value instanceof ConsentEvidence e && e.getOccurredAt() != null) {
      eventTime = e.getOccurredAt().toEpochMilli();
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
