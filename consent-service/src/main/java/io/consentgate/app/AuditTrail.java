package io.consentgate.app;

import io.consentgate.audit.Explanation;
import io.consentgate.contract.VerdictHeaders;
import io.consentgate.events.ConsentVerdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * What the gate said about one contact: its verdicts in the audit topic, read {@code read_committed}
 * from the partition the contact's key goes to (the producer's murmur2 partitioning, as the gate
 * writes it), in the order they were written, each with its append time.
 */
final class AuditTrail {

  private AuditTrail() {}

  static Explanation.Said of(GateRuntime runtime, String contactId) throws Unavailable {
    GateConfig config = runtime.config();
    String topic = config.topics().verdictsAudit();
    if (topic == null) {
      return Explanation.Said.unknown("this configuration keeps no audit trail (" + GateConfig.AUDIT_ENABLED
          + "=false), so what the gate said is not recorded");
    }
    Map<String, Object> props = config.kafka().clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    var verdicts = runtime.valueSerdes().forType(ConsentVerdict.class).deserializer();
    byte[] key = contactId.getBytes(StandardCharsets.UTF_8);
    List<Explanation.Utterance> trail = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions;
      try {
        partitions = ExistingTopic.partitions(consumer, topic, config.kafka().bootstrapServers());
      } catch (Unavailable e) {
        if (e.getMessage().contains("does not exist")) {
          return Explanation.Said.unknown("the audit topic " + topic + " does not exist: the gate that ran on these topics kept "
              + "no audit trail (it is created by run --create-topics and dev)");
        }
        throw e;
      }
      TopicPartition partition = new TopicPartition(topic, Utils.toPositive(Utils.murmur2(key)) % partitions.size());
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), ExistingTopic.TIMEOUT).get(partition);
      long lastProgress = System.nanoTime();
      while (consumer.position(partition) < end) {
        var records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > KafkaHistory.STALL.toNanos()) {
          throw new Unavailable("Kafka sent nothing for " + KafkaHistory.STALL.toSeconds() + " s while reading " + partition);
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          if (r.offset() >= end || r.key() == null || !Arrays.equals(r.key(), key) || r.value() == null) {
            continue;
          }
          Header writer = r.headers().lastHeader(VerdictHeaders.APPLICATION_ID);
          trail.add(new Explanation.Utterance(verdicts.deserialize(topic, r.value()), Instant.ofEpochMilli(r.timestamp()),
              writer == null ? null : new String(writer.value(), StandardCharsets.UTF_8),
              r.topic() + "-" + r.partition() + "@" + r.offset()));
        }
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new Unavailable("Kafka (" + config.kafka().bootstrapServers() + ") did not answer when asked for " + topic, e);
    }
    return new Explanation.Said(true, null, topic, List.copyOf(trail));
  }
}
