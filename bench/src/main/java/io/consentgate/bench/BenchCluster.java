package io.consentgate.bench;

import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.history.HistoryJson;
import io.consentgate.history.MalformedRecordException;
import io.consentgate.runtime.TopicSetup;
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
import java.util.concurrent.atomic.AtomicReference;
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
    // As the gate's own topic creation does: a produce sent before the new leader serves can be
    // appended yet refused, and its retry then refused as out of order until the delivery timeout.
    TopicSetup.awaitLeaders(admin, topics);
  }

  /** Writes a JSON-lines history to the two input topics (wire-format Avro), returns the record count. */
  long preload(String history, GateTopics topics) throws Exception {
    InputRecordSerializer inputs = new InputRecordSerializer(topics, ValueSerdes.using(registry));
    Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
        "linger.ms", 20, "batch.size", 262144, "compression.type", "lz4"));
    long n = 0;
    AtomicReference<Exception> failed = new AtomicReference<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (String line : (Iterable<String>) history.lines()::iterator) {
        SpecificRecord r;
        try {
          r = HistoryJson.read(line);
        } catch (MalformedRecordException e) {
          throw new IllegalStateException("generator wrote a malformed line: " + e.getMessage());
        }
        producer.send(inputs.serialize(r), (metadata, e) -> {
          if (e != null) {
            failed.compareAndSet(null, e);
          }
        });
        n++;
      }
      producer.flush();
    }
    if (failed.get() != null) {
      // A preload with holes would time every application over other records than it says.
      throw new IllegalStateException("preload: not every record was acknowledged", failed.get());
    }
    return n;
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
    awaitCaughtUp(group, topics, timeout, 1.0);
  }

  /**
   * Waits until the group has committed every input record, and says when it first had committed
   * {@code mark} of them (a fraction): the steady rate is measured from there, past each
   * application's own start-up (group join, producers, first transaction), which differs between
   * applications and would otherwise count for or against them.
   *
   * @return {@link System#nanoTime()} when the group's committed offsets first reached {@code mark}
   *     of the input end offsets
   */
  long awaitCaughtUp(String group, Set<String> topics, Duration timeout, double mark) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long markedAt = -1;
    Map<TopicPartition, OffsetSpec> ends = endsOf(topics); // the partitions do not change while polling
    while (true) {
      double fraction = committedFraction(group, ends);
      long now = System.nanoTime();
      if (markedAt < 0 && fraction >= mark) {
        markedAt = now;
      }
      if (fraction >= 1.0) {
        return markedAt;
      }
      if (now > deadline) {
        throw new IllegalStateException(group + " did not catch up within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Waits until the group has also committed everything in its internal repartition topics (as
   * they are now): an application that re-keys records through such topics has processed its input
   * only once those are drained too, and its committed input offsets alone would count it done
   * while records are still on their way to a later sub-topology.
   */
  void awaitInternalDrained(String group, Duration timeout) throws Exception {
    Set<String> internal = new java.util.TreeSet<>();
    for (String topic : admin.listTopics().names().get(10, TimeUnit.SECONDS)) {
      if (topic.startsWith(group + "-") && topic.endsWith("-repartition")) {
        internal.add(topic);
      }
    }
    if (!internal.isEmpty()) {
      awaitCaughtUp(group, internal, timeout, 1.0);
    }
  }

  /** A request for the end offset of every partition of the topics. */
  private Map<TopicPartition, OffsetSpec> endsOf(Set<String> topics) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, description) ->
        description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
    return latest;
  }

  /** The share of the input records (up to the end offsets now) the group has committed: 1.0 when caught up. */
  private double committedFraction(String group, Map<TopicPartition, OffsetSpec> latest) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    long end = 0;
    long done = 0;
    for (var e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      end += e.getValue().offset();
      done += c == null ? 0 : Math.min(c.offset(), e.getValue().offset());
    }
    return end == 0 ? 1.0 : (double) done / end;
  }

  @Override
  public void close() {
    admin.close();
    if (kafka != null) {
      kafka.close();
    }
  }
}
