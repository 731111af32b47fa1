package io.consentgate.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The gate's current epoch and whether it is still catching up with a re-decision, kept in the
 * compacted topic {@code <application.id>-consent-epoch} (one record, keyed by the application
 * id). {@code reset} writes the next epoch there before the gate re-decides; the gate reads it at
 * start and marks it live once caught up. It outlives the gate's state, which a reset wipes.
 */
public final class GateEpoch {

  /** Where a gate stands in its epoch. */
  public enum State {
    /** Re-deciding the history from scratch: publishing nothing until caught up. */
    CATCHING_UP,
    LIVE
  }

  /** The recorded epoch. */
  public record Value(long epoch, State state) {
    String text() {
      return epoch + " " + state;
    }

    static Value parse(String text) {
      String[] parts = text.trim().split(" ");
      return new Value(Long.parseLong(parts[0]), State.valueOf(parts[1]));
    }
  }

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

  private GateEpoch() {}

  public static String topic(String applicationId) {
    return io.consentgate.topics.GateApplication.epochTopic(applicationId);
  }

  /** The recorded epoch of {@code applicationId}, if any. */
  public static Optional<Value> read(Map<String, Object> clientProps, String applicationId) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    String topic = topic(applicationId);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      if (consumer.partitionsFor(topic, READ_TIMEOUT).isEmpty()) {
        return Optional.empty();
      }
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), READ_TIMEOUT).get(partition);
      Value last = null;
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (consumer.position(partition, READ_TIMEOUT) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (applicationId.equals(r.key()) && r.value() != null) {
            last = Value.parse(r.value());
          }
        }
      }
      return Optional.ofNullable(last);
    }
  }

  /** Records {@code value} for {@code applicationId}, creating the topic on first use. */
  public static void write(Admin admin, Map<String, Object> clientProps, String applicationId, Value value, short replicationFactor)
      throws Exception {
    String topic = topic(applicationId);
    NewTopic newTopic = new NewTopic(topic, Optional.of(1), replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor))
        .configs(Map.of("cleanup.policy", "compact"));
    try {
      admin.createTopics(List.of(newTopic)).all().get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, applicationId, value.text())).get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }

}
