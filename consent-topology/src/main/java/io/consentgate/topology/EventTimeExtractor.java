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
    Object value = record.value();
    if (value instanceof ContactCreated c && c.getCreatedAt() != null) {
      return c.getCreatedAt().toEpochMilli();
    }
    if (value instanceof ConsentEvidence e && e.getOccurredAt() != null) {
      return e.getOccurredAt().toEpochMilli();
    }
    // A record without a value is bad input; it gets a usable timestamp so it reaches the
    // validation step and the dead-letter topic instead of being dropped for a negative time.
    return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0);
  }
}
