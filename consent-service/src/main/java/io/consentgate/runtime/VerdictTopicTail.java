package io.consentgate.runtime;

import io.consentgate.contract.VerdictHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Who last wrote a verdict topic, and in which epoch: the last committed records of each
 * partition, by their headers. Verdicts of a newer epoch are appended after the older ones, so
 * the tail holds the topic's latest epoch.
 *
 * @param writers the application ids of the last verdict of each partition that names one
 * @param unnamed partitions whose last verdict names no writer (written before the headers existed)
 * @param latestEpoch the highest epoch among those last verdicts; -1 for an empty topic
 */
public record VerdictTopicTail(Set<String> writers, int unnamed, long latestEpoch) {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  /** How far back from the end to look: past transaction markers to the last records. */
  private static final long LOOK_BACK = 64;

  public boolean empty() {
    return latestEpoch < 0 && writers.isEmpty() && unnamed == 0;
  }

  public static VerdictTopicTail read(Map<String, Object> clientProps, String topic) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    Set<String> writers = new TreeSet<>();
    int unnamed = 0;
    long latestEpoch = -1;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      for (TopicPartition p : partitions) {
        consumer.seek(p, Math.max(begin.get(p), end.get(p) - LOOK_BACK));
      }
      Map<TopicPartition, ConsumerRecord<byte[], byte[]>> last = new HashMap<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          last.put(new TopicPartition(r.topic(), r.partition()), r);
        }
      }
      for (ConsumerRecord<byte[], byte[]> r : last.values()) {
        String writer = header(r, VerdictHeaders.APPLICATION_ID);
        if (writer == null) {
          unnamed++;
        } else {
          writers.add(writer);
        }
        String epoch = header(r, VerdictHeaders.EPOCH);
        latestEpoch = Math.max(latestEpoch, epoch == null ? 0 : Long.parseLong(epoch));
      }
    }
    return new VerdictTopicTail(writers, unnamed, latestEpoch);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
