package io.consentgate.topology;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an input event's contact belongs to this task. An event that arrived on another
 * partition (its producer partitions keys otherwise than the Java client) must not be decided
 * here: this task holds none of the contact's state, so a withdrawal decided here would be lost to
 * the contact's real verdict. Such events are counted and reported once per input partition.
 */
final class OwnershipCheck {

  private static final Logger LOG = LoggerFactory.getLogger(OwnershipCheck.class);
  /** Input partitions already reported in this process: one warning each, not one per record. */
  private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

  private final ContactOwnership ownership;
  private final int partition;

  OwnershipCheck(ContactOwnership ownership, int partition) {
    this.ownership = ownership;
    this.partition = partition;
  }

  boolean owned(String contactId, ProcessingContext context) {
    if (ownership.owns(partition, contactId)) {
      return true;
    }
    String topic = context.recordMetadata().map(m -> m.topic()).orElse("unknown");
    ReroutingMetrics.count(topic);
    if (REPORTED.add(topic + "-" + partition)) {
      LOG.warn("records on {}-{} are not partitioned as the Java client does (murmur2 of the key); the gate "
          + "re-routes them to the task that owns their contact (first: contact {} belongs to partition {}). "
          + "Fix the producer: librdkafka-based clients (Python, Go, .NET, C/C++) set partitioner=murmur2_random",
          topic, partition, contactId, ownership.partitionOf(contactId));
    }
    return false;
  }
}
