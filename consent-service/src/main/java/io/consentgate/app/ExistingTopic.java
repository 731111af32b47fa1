package io.consentgate.app;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The partitions of a topic a command reads, or {@link Unavailable} (exit 4) naming the topic when
 * it does not exist; the same answer for every command that reads a topic.
 */
final class ExistingTopic {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private ExistingTopic() {}

  /**
   * @param consumer a consumer created with {@code allow.auto.create.topics=false}, so that asking
   *     does not create the topic on a broker that auto-creates topics
   */
  static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic, Object bootstrapServers) throws Unavailable {
    List<TopicPartition> partitions;
    try {
      partitions = consumer.partitionsFor(topic, TIMEOUT).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    } catch (TimeoutException e) {
      throw new Unavailable("Kafka (" + bootstrapServers + ") did not answer within " + TIMEOUT.toSeconds()
          + " s when asked for topic " + topic, e);
    }
    if (partitions.isEmpty()) {
      throw new Unavailable("topic " + topic + " does not exist");
    }
    return partitions;
  }
}
