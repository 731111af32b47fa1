package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.registry.server.InMemoryRegistryStorage;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.registry.server.SchemaRegistryServer;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.MetricsEndpoint;
import io.consentgate.serde.ConfluentAvroSerde;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults on the real in-process broker: the gate survives them with nothing lost. */
class GateFaultsIT {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  @Test
  void aSchemaRegistryOutageMakesTheGateWaitAndResumeWithoutDeadLettering() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      InMemoryRegistryStorage storage = new InMemoryRegistryStorage();
      int port = freePort();
      SchemaRegistryServer registry = new SchemaRegistryServer("127.0.0.1", port, storage);
      Map<String, String> flags = new HashMap<>();
      flags.put(GateConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      flags.put(GateConfig.SCHEMA_REGISTRY_URL, registry.url());
      flags.put(GateConfig.STATE_DIR, dir.resolve("state").toString());
      flags.put(GateConfig.APPLICATION_ID, "outage");
      flags.put(GateConfig.TOPIC_PARTITIONS, "2");
      flags.put(GateConfig.TOPIC_REPLICATION_FACTOR, "1");
      flags.put(GateConfig.REPLICATION_FACTOR, "1");
      flags.put("kafka.commit.interval.ms", "100");
      flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1H"); // no wall-clock lapse verdicts during the test
      flags.put(GateConfig.HEALTH_STALL_TIMEOUT, "PT5S");
      GateRuntime runtime = KafkaStack.runtime(flags);
      GateOnKafkaIT.createTopics(runtime);
      try (GateService gate = runtime.gateService(); MetricsEndpoint metrics = gate.metricsEndpoint(0)) {
        gate.start();
        KafkaStack.publish(runtime, Files.readString(Path.of("../examples/history.jsonl")));
        int before = GateOnKafkaIT.stableVerdictCount(runtime);

        // A producer upgrades its schema (registered while the registry is up); the gate has not seen the new id.
        Schema newer = newerEvidenceSchema(runtime);
        int newerId = new RestSchemaRegistry(Map.of("schema.registry.url", registry.url()))
            .register("consent-evidence-value", newer);
        registry.close(); // the outage begins
        Instant outageStart = Instant.now();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
            "acks", "all"), new StringSerializer(), new ByteArraySerializer())) {
          for (String contact : List.of("c-ann", "c-jo", "c-eli")) {
            producer.send(new ProducerRecord<>("consent-evidence", contact, unsubscribe(newer, newerId, contact))).get();
          }
        }
        Thread.sleep(5_000);
        assertThat(KafkaStack.verdicts(runtime)).as("nothing decided while the schema is unknown").hasSize(before);
        assertThat(deadLetters(runtime)).as("and nothing dead-lettered").isZero();
        await().atMost(WAIT).untilAsserted(() -> {
          var health = BadEventTimesIT.health(metrics.port());
          assertThat(health.statusCode()).as("a gate that cannot read its input is not healthy").isEqualTo(503);
          assertThat(health.body()).startsWith("DOWN").contains("consent-evidence-").contains("no progress for");
        });

        registry = new SchemaRegistryServer("127.0.0.1", port, storage); // back, same ids
        Instant back = Instant.now();
        await().atMost(WAIT).until(() -> KafkaStack.verdicts(runtime).size() == before + 3);
        Duration recovery = Duration.between(back, Instant.now());
        List<ConsentVerdict> after = KafkaStack.verdicts(runtime);
        Map<String, String> last = GateOnKafkaIT.finalOutcomes(after);
        assertThat(List.of(last.get("c-ann"), last.get("c-jo"), last.get("c-eli")))
            .allSatisfy(outcome -> assertThat(outcome).startsWith("DENY/WITHDRAWN"));
        assertThat(deadLetters(runtime)).isZero();
        await().atMost(WAIT).untilAsserted(() -> assertThat(BadEventTimesIT.health(metrics.port()).statusCode())
            .as("healthy again once it makes progress").isEqualTo(200));
        System.out.printf("registry outage: %d verdicts before, 3 records during a %d s outage, 0 dead letters, "
            + "%d verdicts after; recovered %d ms after the registry came back%n", before,
            Duration.between(outageStart, back).toSeconds(), after.size(), recovery.toMillis());
      } finally {
        registry.close();
      }
    }
  }

  @Test
  void aBrokerRestartWhileTheGateRunsLosesNothing() throws Exception {
    int port = freePort();
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", port, Map.of());
    try (SchemaRegistryServer registry = new SchemaRegistryServer("127.0.0.1", 0, new InMemoryRegistryStorage())) {
      Map<String, String> flags = flags(kafka, registry, "broker-restart");
      GateRuntime runtime = KafkaStack.runtime(flags);
      GateOnKafkaIT.createTopics(runtime);
      String first = GateOnKafkaIT.generated(4000, 21);
      String second = GateOnKafkaIT.generated(4000, 22).replace("\"c-", "\"d-");
      try (GateService gate = runtime.gateService()) {
        gate.start();
        KafkaStack.publish(runtime, first);
        Thread.sleep(1500); // mid-stream
        kafka.close();
        Thread.sleep(3000);
        Instant restarted = Instant.now();
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", port, Map.of());
        KafkaStack.publish(runtime, second);
        KafkaStack stackView = new KafkaStack(kafka);
        await().atMost(Duration.ofSeconds(120)).until(() -> stackView.caughtUp(runtime));
        Duration recovery = Duration.between(restarted, Instant.now());
        long contacts = (first + second).lines().filter(l -> l.contains("\"type\":\"contact\"")).count();
        // Committed input offsets mean committed verdicts, but after a broker restart the commit
        // markers can reach the verdict partitions a moment later than a read_committed read.
        await().atMost(WAIT).untilAsserted(() -> assertThat(KafkaStack.verdicts(runtime).stream()
            .map(ConsentVerdict::getContactId).distinct().count()).isEqualTo(contacts));
        List<ConsentVerdict> verdicts = KafkaStack.verdicts(runtime);
        assertThat(GateOnKafkaIT.versionsPerContact(verdicts)).allSatisfy((c, versions) ->
            assertThat(versions).as("versions of %s", c).isEqualTo(GateOnKafkaIT.oneTo(versions.size())));
        assertThat(deadLetters(runtime)).isZero();
        System.out.printf("broker restart: %d records in, %d verdicts out, 0 dead letters; caught up %d ms after the restart%n",
            (first + second).lines().count(), verdicts.size(), recovery.toMillis());
      }
    } finally {
      kafka.close();
    }
  }

  @Test
  void anInstanceWhoseStateDirectoryIsWipedRestoresFromTheChangelog() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
         SchemaRegistryServer registry = new SchemaRegistryServer("127.0.0.1", 0, new InMemoryRegistryStorage())) {
      Map<String, String> flags = flags(kafka, registry, "wiped");
      GateRuntime runtime = KafkaStack.runtime(flags);
      GateOnKafkaIT.createTopics(runtime);
      String history = GateOnKafkaIT.generated(6000, 31);
      KafkaStack.publish(runtime, history);
      KafkaStack stackView = new KafkaStack(kafka);
      try (GateService gate = runtime.gateService()) {
        gate.start();
        await().atMost(WAIT).until(() -> stackView.caughtUp(runtime));
      }
      int before = GateOnKafkaIT.stableVerdictCount(runtime);
      org.apache.kafka.common.utils.Utils.delete(dir.resolve("state").toFile());

      Instant restart = Instant.now();
      try (GateService gate = runtime.gateService()) {
        gate.start();
        assertThat(gate.awaitRunning(WAIT)).isTrue();
        Duration restore = Duration.between(restart, Instant.now());
        // A repeated contact record must change nothing (it would re-emit version 1 if state were
        // lost); a new contact gets its first verdict.
        String repeated = history.lines().filter(l -> l.contains("\"type\":\"contact\"")).findFirst().orElseThrow();
        KafkaStack.publish(runtime, repeated + "\n{\"type\":\"contact\",\"contactId\":\"wipe-new\",\"brandId\":\"acme\","
            + "\"email\":\"new@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"2026-01-01T00:00:00Z\"}\n");
        await().atMost(WAIT).until(() -> KafkaStack.verdicts(runtime).size() > before);
        await().during(Duration.ofSeconds(3)).atMost(WAIT)
            .untilAsserted(() -> assertThat(KafkaStack.verdicts(runtime)).hasSize(before + 1));
        List<ConsentVerdict> verdicts = KafkaStack.verdicts(runtime);
        assertThat(GateOnKafkaIT.versionsPerContact(verdicts)).allSatisfy((c, versions) ->
            assertThat(versions).as("versions of %s", c).isEqualTo(GateOnKafkaIT.oneTo(versions.size())));
        System.out.printf("state wipe: %d records in, %d verdicts before, restored and running %d ms after the restart, "
            + "1 new verdict after, 0 repeated%n", history.lines().count(), before, restore.toMillis());
      }
    }
  }

  private Map<String, String> flags(EmbeddedKafka kafka, SchemaRegistryServer registry, String app) {
    Map<String, String> flags = new HashMap<>();
    flags.put(GateConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    flags.put(GateConfig.SCHEMA_REGISTRY_URL, registry.url());
    flags.put(GateConfig.STATE_DIR, dir.resolve("state").toString());
    flags.put(GateConfig.APPLICATION_ID, app);
    flags.put(GateConfig.TOPIC_PARTITIONS, "2");
    flags.put(GateConfig.TOPIC_REPLICATION_FACTOR, "1");
    flags.put(GateConfig.REPLICATION_FACTOR, "1");
    flags.put("kafka.commit.interval.ms", "100");
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1H");
    return flags;
  }

  private static Schema newerEvidenceSchema(GateRuntime runtime) {
    Schema current = new ConfluentAvroSerde<>(runtime.registry(), ConsentEvidence.class).registeredSchema();
    return new Schema.Parser().parse(current.toString().replace("{\"name\":\"occurredAt\"",
        "{\"name\":\"channel\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"occurredAt\""));
  }

  private static byte[] unsubscribe(Schema schema, int id, String contact) throws Exception {
    GenericRecord r = new GenericData.Record(schema);
    r.put("evidenceId", "outage-" + contact);
    r.put("contactId", contact);
    r.put("brandId", "acme");
    r.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "UNSUBSCRIBE"));
    r.put("channel", "email-footer");
    r.put("occurredAt", Instant.parse("2025-06-01T00:00:00Z").toEpochMilli());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
    enc.flush();
    return out.toByteArray();
  }

  /** Dead letters committed so far (records, not offsets: transaction markers take offsets too). */
  static long deadLetters(GateRuntime runtime) {
    Map<String, Object> props = new HashMap<>(runtime.config().kafka().clientProperties());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      String topic = runtime.config().topics().deadLetters();
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long count = 0;
      long deadline = System.currentTimeMillis() + 10_000;
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
        count += consumer.poll(Duration.ofMillis(200)).count();
      }
      return count;
    }
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
