package io.consentgate.bench;

import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.history.HistoryJson;
import io.consentgate.history.MalformedRecordException;
import io.consentgate.serde.InMemorySchemaRegistry;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topics.GateTopics;
import io.consentgate.topics.InputRecordSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The broker the suite measures on (in-process, from the same production classes as {@code dev},
 * or a cluster given by bootstrap servers) and the records preloaded into it. Producer and gate
 * share one in-process schema registry: the registry is not what is measured.
 */
final class BenchCluster implements AutoCloseable {

  final String bootstrap;
  final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final EmbeddedKafka kafka;
  private final Admin admin;

  BenchCluster(Path dataDir, String bootstrapServers) {
    if (bootstrapServers == null) {
      kafka = EmbeddedKafka.start(dataDir);
      bootstrap = kafka.bootstrapServers();
    } else {
      kafka = null;
      bootstrap = bootstrapServers;
    }
    admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
  }

  void createTopics(List<String> topics, int partitions) throws Exception {
    admin.createTopics(topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)
        .configs(Map.of("message.timestamp.type", "LogAppendTime"))).toList()).all().get(60, TimeUnit.SECONDS);
  }

  /** Writes a JSON-lines history to the two input topics (wire-format Avro), returns the record count. */
  long preload(String history, GateTopics topics) throws Exception {
    InputRecordSerializer inputs = new InputRecordSerializer(topics, ValueSerdes.using(registry));
    Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
        "linger.ms", 20, "batch.size", 262144, "compression.type", "lz4"));
    long n = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (String line : (Iterable<String>) history.lines()::iterator) {
        SpecificRecord r;
        try {
          r = HistoryJson.read(line);
        } catch (MalformedRecordException e) {
          throw new IllegalStateException("generator wrote a malformed line: " + e.getMessage());
        }
        producer.send(inputs.serialize(r));
        n++;
      }
      producer.flush();
    }
    return n;
  }

  /** Whether the consumer group has committed up to the end of every partition of the topics. */
  boolean caughtUp(String group, Set<String> topics) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (String topic : topics) {
      admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    }
    for (var e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      if (e.getValue().offset() > 0 && (c == null || c.offset() < e.getValue().offset())) {
        return false;
      }
    }
    return true;
  }

  /**
   * When the first record at or after {@code sinceMillis} was appended to {@code topic} (the bench's
   * topics use LogAppendTime), or null if none was. Marks the start of processing: a Kafka Streams
   * thread processes as soon as it has tasks, before the application as a whole reports RUNNING.
   */
  Instant firstAppendSince(String topic, long sinceMillis) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
        .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.forTimestamp(sinceMillis)));
    long first = Long.MAX_VALUE;
    for (ListOffsetsResult.ListOffsetsResultInfo info : admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values()) {
      if (info.offset() >= 0 && info.timestamp() >= 0) {
        first = Math.min(first, info.timestamp());
      }
    }
    return first == Long.MAX_VALUE ? null : Instant.ofEpochMilli(first);
  }

  void awaitCaughtUp(String group, Set<String> topics, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!caughtUp(group, topics)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(group + " did not catch up within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    admin.close();
    if (kafka != null) {
      kafka.close();
    }
  }
}
