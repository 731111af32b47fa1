package io.consentgate.app;

import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.registry.server.InMemoryRegistryStorage;
import io.consentgate.registry.server.SchemaRegistryServer;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A real Kafka broker and the gate's schema registry over HTTP, shared by the tests of one class,
 * plus helpers to configure gates on it and read what they published.
 */
final class KafkaStack implements AutoCloseable {

  final EmbeddedKafka kafka;
  final SchemaRegistryServer registry;
  private int namespace;

  KafkaStack(Path dir) {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    registry = new SchemaRegistryServer("127.0.0.1", 0, new InMemoryRegistryStorage());
  }

  /** A view over a broker someone else owns, for the helpers; not to be closed. */
  KafkaStack(EmbeddedKafka kafka) {
    this.kafka = kafka;
    this.registry = null;
  }

  /** Flags for one gate: its own topics (by prefix), application id and state directory. */
  Map<String, String> gateFlags(String prefix, String applicationId, Path stateDir, int partitions) {
    Map<String, String> flags = new HashMap<>();
    flags.put(GateConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    flags.put(GateConfig.SCHEMA_REGISTRY_URL, registry.url());
    flags.put(GateConfig.APPLICATION_ID, applicationId);
    flags.put(GateConfig.STATE_DIR, stateDir.toString());
    flags.put(GateConfig.TOPIC_CONTACT_CREATED, prefix + "contact-created");
    flags.put(GateConfig.TOPIC_CONSENT_EVIDENCE, prefix + "consent-evidence");
    flags.put(GateConfig.TOPIC_VERDICTS, prefix + "consent-verdicts");
    flags.put(GateConfig.TOPIC_DLQ, prefix + "consent-gate-dlq");
    flags.put(GateConfig.TOPIC_VERDICTS_AUDIT, prefix + "consent-verdicts-audit");
    flags.put(GateConfig.TOPIC_PARTITIONS, String.valueOf(partitions));
    flags.put(GateConfig.TOPIC_REPLICATION_FACTOR, "1");
    flags.put(GateConfig.REPLICATION_FACTOR, "1");
    flags.put(GateConfig.SHUTDOWN_TIMEOUT, "PT20S");
    flags.put("kafka.commit.interval.ms", "100");
    flags.put(GateConfig.METRICS_PORT, "0");
    return flags;
  }

  String uniquePrefix() {
    return "t" + (++namespace) + "-";
  }

  static GateRuntime runtime(Map<String, String> flags) throws GateConfig.ConfigException {
    return new GateRuntime(GateConfig.load(null, Map.of(), flags));
  }

  static void publish(GateRuntime runtime, String history) throws Exception {
    PublishCommand.Result r = PublishCommand.publish(runtime, new BufferedReader(new StringReader(history)),
        new PrintWriter(new StringWriter()));
    if (r.malformed != 0) {
      throw new AssertionError(r.malformed + " malformed lines in a test history");
    }
    if (r.failure != null) {
      throw new AssertionError("only " + r.acknowledged + " of " + r.sent + " records acknowledged: " + r.failure, r.failure);
    }
  }



  /** Every verdict on the topic, in partition order, read as a mail sender would (read_committed). */
  static List<ConsentVerdict> verdicts(GateRuntime runtime) {
    GateConfig config = runtime.config();
    var deserializer = runtime.valueSerdes().forType(ConsentVerdict.class).deserializer();
    Map<String, Object> props = new HashMap<>(config.kafka().clientProperties());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsentVerdict> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      String topic = config.topics().verdicts();
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // Read until every partition has reached its end as of now, and then until a second of
      // polls brings nothing new: the end offsets of a read_committed consumer stop at the first
      // open transaction, which may commit a moment later.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.currentTimeMillis() + 30_000;
      long idleSince = System.currentTimeMillis();
      while (System.currentTimeMillis() < deadline) {
        var records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, byte[]> r : records) {
          out.add(deserializer.deserialize(topic, r.value()));
        }
        if (!records.isEmpty()) {
          idleSince = System.currentTimeMillis();
        }
        boolean atEnd = partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
        if (atEnd && System.currentTimeMillis() - idleSince > 1_000) {
          break;
        }
      }
      Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
      if (Boolean.getBoolean("consentgate.debugReads")) System.out.println("verdict read: " + out.size() + " records; start " + start + " end " + end + " positions "
          + partitions.stream().map(p -> p + "=" + consumer.position(p)).toList());
    }
    return out;
  }

  /** Records (and transaction markers) written to the verdict topic so far, committed or not. */
  long verdictOffsets(GateRuntime runtime) throws Exception {
    GateConfig config = runtime.config();
    try (Admin admin = Admin.create(config.kafka().clientProperties())) {
      String topic = config.topics().verdicts();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
          .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }
  }

  /** True when the gate's consumer group has committed every input record, and every record of its internal topics. */
  boolean caughtUp(GateRuntime runtime) throws Exception {
    GateConfig config = runtime.config();
    try (Admin admin = Admin.create(config.kafka().clientProperties())) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(config.streams().applicationId())
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      Set<String> inputs = new java.util.HashSet<>(Set.of(config.topics().contactCreated(), config.topics().consentEvidence()));
      // And the internal topics: a contact record reaches its verdict through the suppression index.
      Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      io.consentgate.topics.GateApplication.internalTopicsInOrder(config.streams().applicationId()).stream()
          .filter(existing::contains).forEach(inputs::add);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (String topic : inputs) {
        admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
            .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
      for (var e : ends.entrySet()) {
        long end = e.getValue().offset();
        OffsetAndMetadata c = committed.get(e.getKey());
        // Under exactly-once the committed offset may sit one past the last record (the commit marker).
        if (end > 0 && (c == null || c.offset() < end)) {
          return false;
        }
      }
      return true;
    }
  }

  @Override
  public void close() {
    registry.close();
    kafka.close();
  }
}
