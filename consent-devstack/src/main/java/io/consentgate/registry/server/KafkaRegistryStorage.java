package io.consentgate.registry.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the registry's changes in a compacted Kafka topic, as Confluent's registry does: the
 * schemas live as long as the cluster, next to the data written with them. The topic has one
 * partition, because the order of the changes is the registry's history.
 */
public final class KafkaRegistryStorage implements RegistryStorage {

  public static final String DEFAULT_TOPIC = "_schemas";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(KafkaRegistryStorage.class);

  private final Map<String, Object> clientConfig;
  private final String topic;
  private final TopicPartition partition;
  private final KafkaProducer<byte[], byte[]> producer;

  /**
   * Creates the topic if it is missing.
   *
   * @param clientConfig Kafka client settings: bootstrap.servers and any security settings
   */
  public KafkaRegistryStorage(Map<String, ?> clientConfig, String topic, short replicationFactor) {
    this.clientConfig = new HashMap<>(clientConfig);
    this.topic = topic;
    this.partition = new TopicPartition(topic, 0);
    ensureTopic(replicationFactor);
    Map<String, Object> producerConfig = new HashMap<>(this.clientConfig);
    // A registration is answered only once it is on every in-sync replica, and a retried send
    // must not store a change twice.
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Reads the topic from its beginning to its current end. */
  @Override
  public List<RegistryEntry> load() {
    Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<RegistryEntry> entries = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (consumer.position(partition, TIMEOUT) < end) {
        if (System.nanoTime() > deadline) {
          throw new RegistryStorageException("reading topic " + topic + " up to offset " + end + " took longer than "
              + TIMEOUT.toSeconds() + " s", null);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (record.offset() < end) {
            decode(record).ifPresent(entries::add);
          }
        }
      }
    } catch (KafkaException e) {
      throw new RegistryStorageException("cannot read topic " + topic + ": " + e.getMessage(), e);
    }
    log.info("Read {} registry entries from topic {}", entries.size(), topic);
    return entries;
  }

  @Override
  public void append(RegistryEntry entry) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition.partition(),
        RegistryRecordFormat.key(entry), RegistryRecordFormat.value(entry));
    try {
      producer.send(record).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new RegistryStorageException("cannot write to topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException | KafkaException e) {
      throw new RegistryStorageException("cannot write to topic " + topic + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryStorageException("interrupted while writing to topic " + topic, e);
    }
  }

  @Override
  public void close() {
    producer.close(TIMEOUT);
  }

  private Optional<RegistryEntry> decode(ConsumerRecord<byte[], byte[]> record) {
    try {
      return RegistryRecordFormat.entry(record.key(), record.value());
    } catch (IllegalArgumentException e) {
      throw new RegistryStorageException("record at offset " + record.offset() + " of topic " + topic
          + " is not a registry entry: " + e.getMessage(), e);
    }
  }

  private void ensureTopic(short replicationFactor) {
    try (Admin admin = Admin.create(clientConfig)) {
      NewTopic newTopic = new NewTopic(topic, 1, replicationFactor)
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      try {
        admin.createTopics(List.of(newTopic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        log.info("Created topic {} for the schema registry (compacted, 1 partition, replication factor {})", topic,
            replicationFactor);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
        checkExistingTopic(admin);
      }
    } catch (ExecutionException e) {
      throw new RegistryStorageException("cannot create or inspect topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException | KafkaException e) {
      throw new RegistryStorageException("cannot create or inspect topic " + topic + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryStorageException("interrupted while creating topic " + topic, e);
    }
  }

  /** A topic made by hand must still keep every schema and their order. */
  private void checkExistingTopic(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
    if (description.partitions().size() != 1) {
      throw new IllegalStateException("topic " + topic + " has " + description.partitions().size()
          + " partitions; the schema registry needs exactly 1, so that its changes keep their order");
    }
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
    String cleanupPolicy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
    if (!TopicConfig.CLEANUP_POLICY_COMPACT.equals(cleanupPolicy)) {
      throw new IllegalStateException("topic " + topic + " has " + TopicConfig.CLEANUP_POLICY_CONFIG + "=" + cleanupPolicy
          + "; the schema registry needs " + TopicConfig.CLEANUP_POLICY_COMPACT + " alone, or old schemas would be deleted");
    }
  }
}
