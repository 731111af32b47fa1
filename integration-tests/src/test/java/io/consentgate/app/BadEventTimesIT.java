package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.registry.server.InMemoryRegistryStorage;
import io.consentgate.registry.server.SchemaRegistryServer;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.MetricsEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event times the broker would refuse or delete: a far-future or far-past record costs at most
 * itself, and what the gate writes survives the broker's own checks. The broker runs a retention
 * pass every second here.
 */
class BadEventTimesIT {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  static Path dir;

  static EmbeddedKafka kafka;
  static SchemaRegistryServer registry;
  private static int namespace;

  @BeforeAll
  static void startStack() {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0, Map.of("log.retention.check.interval.ms", "1000", "log.initial.task.delay.ms", "0"));
    registry = new SchemaRegistryServer("127.0.0.1", 0, new InMemoryRegistryStorage());
  }

  @AfterAll
  static void stopStack() {
    registry.close();
    kafka.close();
  }

  private static Map<String, String> flags(String name) {
    Map<String, String> flags = new HashMap<>();
    String prefix = "b" + (++namespace) + "-";
    flags.put(GateConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    flags.put(GateConfig.SCHEMA_REGISTRY_URL, registry.url());
    flags.put(GateConfig.APPLICATION_ID, name);
    flags.put(GateConfig.STATE_DIR, dir.resolve(name).toString());
    flags.put(GateConfig.TOPIC_CONTACT_CREATED, prefix + "contact-created");
    flags.put(GateConfig.TOPIC_CONSENT_EVIDENCE, prefix + "consent-evidence");
    flags.put(GateConfig.TOPIC_VERDICTS, prefix + "consent-verdicts");
    flags.put(GateConfig.TOPIC_DLQ, prefix + "consent-gate-dlq");
    flags.put(GateConfig.TOPIC_PARTITIONS, "1"); // every record on the same partition
    flags.put(GateConfig.TOPIC_REPLICATION_FACTOR, "1");
    flags.put(GateConfig.REPLICATION_FACTOR, "1");
    flags.put(GateConfig.SHUTDOWN_TIMEOUT, "PT20S");
    flags.put("kafka.commit.interval.ms", "100");
    return flags;
  }

  @Test
  void farFutureAndFarPastRecordsCostOnlyThemselves() throws Exception {
    GateRuntime runtime = KafkaStack.runtime(flags("bad-times"));
    GateOnKafkaIT.createTopics(runtime);
    Instant soon = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);
    StringBuilder history = new StringBuilder()
        .append(contact("c-2150", "2150-01-01T00:00:00Z"))  // refused: from 2100 on
        .append("{\"type\":\"evidence\",\"evidenceId\":\"ev-1960\",\"contactId\":\"c-0\",\"brandId\":\"acme\","
            + "\"kind\":\"UNSUBSCRIBE\",\"occurredAt\":\"1960-01-01T00:00:00Z\"}\n") // refused: before 1970
        .append(contact("c-soon", soon.toString())); // valid, though a broker would refuse it as a CreateTime
    for (int i = 0; i < 20; i++) {
      history.append(contact("c-" + i, "2024-01-0" + (1 + i % 9) + "T00:00:00Z"));
    }
    try (GateService gate = runtime.gateService(); MetricsEndpoint metrics = gate.metricsEndpoint(0)) {
      gate.start();
      KafkaStack.publish(runtime, history.toString());
      await().atMost(WAIT).untilAsserted(() -> assertThat(lastPerContact(KafkaStack.verdicts(runtime)))
          .as("every valid contact after the bad records is decided").hasSize(21));
      assertThat(lastPerContact(KafkaStack.verdicts(runtime)).get("c-soon").getDecidedAt()).isEqualTo(soon);
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 2);
      assertThat(health(metrics.port()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anOldDeadLetterSurvivesTheBrokersRetentionPasses() throws Exception {
    GateRuntime runtime = KafkaStack.runtime(flags("old-dead-letters"));
    GateOnKafkaIT.createTopics(runtime);
    StringBuilder history = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      // A blank brandId breaks the contract; the record's event time is two years old.
      history.append("{\"type\":\"contact\",\"contactId\":\"c-old-" + i + "\",\"brandId\":\" \",\"email\":\"a" + i
          + "@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"2020-0" + (i + 1) + "-01T00:00:00Z\"}\n");
    }
    try (GateService gate = runtime.gateService()) {
      gate.start();
      KafkaStack.publish(runtime, history.toString());
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 5);
      Thread.sleep(4_000); // four retention passes
      assertThat(GateFaultsIT.deadLetters(runtime)).as("dead letters kept for the DLQ's 365 days, not their event time's").isEqualTo(5);
    }
  }

  static HttpResponse<String> health(int port) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String contact(String id, String createdAt) {
    return "{\"type\":\"contact\",\"contactId\":\"" + id + "\",\"brandId\":\"acme\",\"email\":\"" + id
        + "@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"" + createdAt + "\"}\n";
  }

  private static Map<String, ConsentVerdict> lastPerContact(List<ConsentVerdict> verdicts) {
    return verdicts.stream().collect(Collectors.toMap(ConsentVerdict::getContactId, v -> v, (a, b) -> b));
  }
}
