package io.consentgate.topology;

import io.consentgate.policy.ConsentEvent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells each checked input event whether this task owns its contact. An event that arrived on
 * another partition (its producer partitions keys otherwise than the Java client) must not be
 * decided here: this task holds none of the contact's state, so a withdrawal decided here would be
 * lost to the contact's real verdict. Such events are counted, reported once per input partition,
 * and re-routed to the owner.
 */
final class OwnershipCheck implements FixedKeyProcessor<String, ConsentEvent, OwnershipCheck.Routed> {

  private static final Logger LOG = LoggerFactory.getLogger(OwnershipCheck.class);
  /** Input partitions already reported in this process: one warning each, not one per record. */
  private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

  /** An input event and whether the task it reached owns its contact. */
  record Routed(ConsentEvent event, boolean owned) {}

  private final ContactOwnership ownership;
  private final String reroutingTopic;
  private FixedKeyProcessorContext<String, Routed> context;
  private int partition;

  OwnershipCheck(ContactOwnership ownership, String reroutingTopic) {
    this.ownership = ownership;
    this.reroutingTopic = reroutingTopic;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Routed> context) {
    this.context = context;
    this.partition = context.taskId().partition();
  }

  @Override
  public void process(FixedKeyRecord<String, ConsentEvent> record) {
    boolean owned = ownership.owns(partition, record.key());
    if (!owned) {
      String topic = context.recordMetadata().map(m -> m.topic()).orElse("unknown");
      ReroutingMetrics.count(topic);
      if (REPORTED.add(topic + "-" + partition)) {
        LOG.warn("records on {}-{} are not partitioned as the Java client does (murmur2 of the key); the gate "
            + "re-routes them to the task that owns their contact (first: contact {} belongs to partition {}). "
            + "Fix the producer: librdkafka-based clients (Python, Go, .NET, C/C++) set partitioner=murmur2_random",
            topic, partition, record.key(), ownership.partitionOf(record.key()));
      }
    }
    context.forward(record.withValue(new Routed(record.value(), owned)));
  }
}
