package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.dev.Crc32Partitioner;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.MetricsEndpoint;
import io.consentgate.topology.ContactOwnership;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producers of other languages partition keys with CRC32 by default, the Java client with murmur2:
 * the same contact's records land on different partitions. The gate's verdicts must not depend on
 * it, on a real broker, exactly-once.
 */
class MisroutedRecordsIT {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int PARTITIONS = 4;
  private static final ContactOwnership OWNERSHIP = new ContactOwnership(PARTITIONS);

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  @Test
  void aWithdrawalFromACrc32ProducerWinsOverTheJavaProducersGrant() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "rerouting", dir.resolve("rerouting"), PARTITIONS);
    GateRuntime javaProducer = KafkaStack.runtime(flags);
    GateRuntime crc32Producer = KafkaStack.runtime(withCrc32Partitioner(flags));
    GateOnKafkaIT.createTopics(javaProducer);

    List<String> disagree = contacts("m-", false, 30);
    List<String> agree = contacts("a-", true, 5);
    StringBuilder java = new StringBuilder();
    StringBuilder crc32 = new StringBuilder();
    for (int i = 0; i < disagree.size(); i++) {
      String c = disagree.get(i);
      // Half the contacts are created by the CRC32 producer too: the contact record itself misrouted.
      (i % 2 == 0 ? java : crc32).append(contact(c, "2024-01-01T00:00:00Z"));
      java.append(evidence(c + "-grant", c, "CHECKBOX_OPT_IN", "2024-02-01T00:00:00Z", "form-" + c));
      crc32.append(evidence(c + "-unsubscribe", c, "UNSUBSCRIBE", "2024-03-01T00:00:00Z", null));
    }
    for (String c : agree) {
      java.append(contact(c, "2024-01-01T00:00:00Z"));
      java.append(evidence(c + "-grant", c, "CHECKBOX_OPT_IN", "2024-02-01T00:00:00Z", "form-" + c));
      crc32.append(evidence(c + "-unsubscribe", c, "UNSUBSCRIBE", "2024-03-01T00:00:00Z", null));
    }
    long misroutedEvidence = disagree.size();

    try (GateService gate = javaProducer.gateService(); MetricsEndpoint metrics = gate.metricsEndpoint(0)) {
      gate.start();
      KafkaStack.publish(javaProducer, java.toString());
      KafkaStack.publish(crc32Producer, crc32.toString());
      await().atMost(WAIT).untilAsserted(() -> assertThat(GateOnKafkaIT.finalOutcomes(KafkaStack.verdicts(javaProducer)))
          .hasSize(disagree.size() + agree.size())
          .allSatisfy((contact, outcome) -> assertThat(outcome).as(contact).startsWith("DENY/WITHDRAWN")));
      await().atMost(WAIT).until(() -> stack.caughtUp(javaProducer));

      List<ConsentVerdict> verdicts = KafkaStack.verdicts(javaProducer);
      assertThat(GateOnKafkaIT.versionsPerContact(verdicts)).allSatisfy((contact, versions) ->
          assertThat(versions).as("versions of %s: one decider per contact", contact).isEqualTo(GateOnKafkaIT.oneTo(versions.size())));
      Map<String, Long> rerouted = rerouted(metrics.port());
      // Registered at 0 from the start, also for the topics of other gates this JVM ran; the
      // endpoint's registry is new, so any count in it is this gate's.
      rerouted.values().removeIf(count -> count == 0);
      assertThat(rerouted).as("re-routed records by input topic").containsExactlyInAnyOrderEntriesOf(Map.of(
          javaProducer.config().topics().contactCreated(), (long) disagree.size() / 2,
          javaProducer.config().topics().consentEvidence(), misroutedEvidence));
      assertThat(GateFaultsIT.deadLetters(javaProducer)).isZero();
    }
  }

  @Test
  void aReroutedRecordIsDecidedAtItsOwnEventTimeFromThePastTo2100() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "rerouted-time", dir.resolve("rerouted-time"), PARTITIONS);
    GateRuntime javaProducer = KafkaStack.runtime(flags);
    GateRuntime crc32Producer = KafkaStack.runtime(withCrc32Partitioner(flags));
    GateOnKafkaIT.createTopics(javaProducer);

    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<String> ids = contacts("t-", false, 4);
    Map<String, Instant> grantedAt = Map.of(
        ids.get(0), Instant.parse("2021-06-01T00:00:00Z"),   // the past
        ids.get(1), now.plus(Duration.ofMinutes(30)),          // within the broker's hour
        ids.get(2), now.plus(Duration.ofHours(3)),             // beyond it: a CreateTime the broker refuses
        ids.get(3), Instant.parse("2099-12-31T23:59:59.999Z")); // the last instant the gate accepts
    StringBuilder java = new StringBuilder();
    StringBuilder crc32 = new StringBuilder();
    for (String c : ids) {
      java.append(contact(c, "2020-01-01T00:00:00Z"));
      crc32.append(evidence(c + "-grant", c, "CHECKBOX_OPT_IN", grantedAt.get(c).toString(), "form-" + c));
    }
    String farContact = contacts("f-", false, 1).get(0);
    Instant farCreated = Instant.parse("2098-01-01T00:00:00Z");
    crc32.append(contact(farContact, farCreated.toString())); // a contact record itself from the far future

    try (GateService gate = javaProducer.gateService()) {
      gate.start();
      KafkaStack.publish(javaProducer, java.toString());
      KafkaStack.publish(crc32Producer, crc32.toString());
      await().atMost(WAIT).untilAsserted(() -> {
        Map<String, ConsentVerdict> last = lastPerContact(KafkaStack.verdicts(javaProducer));
        for (String c : ids) {
          assertThat(last.get(c)).as(c).isNotNull();
          assertThat(last.get(c).getStatus().name()).as(c).isEqualTo("CONSENTED_EXPLICIT");
          assertThat(last.get(c).getDecidedAt()).as("decided at the grant's own time: %s", c).isEqualTo(grantedAt.get(c));
        }
        assertThat(last.get(farContact)).isNotNull();
        assertThat(last.get(farContact).getDecidedAt()).isEqualTo(farCreated);
      });
      assertThat(GateFaultsIT.deadLetters(javaProducer)).isZero();
    }
  }

  private static Map<String, String> withCrc32Partitioner(Map<String, String> flags) {
    Map<String, String> crc = new HashMap<>(flags);
    crc.put("kafka.partitioner.class", Crc32Partitioner.class.getName());
    return crc;
  }

  /** Contact ids on which the two partitioners agree or disagree. */
  private static List<String> contacts(String prefix, boolean agreeing, int count) {
    return IntStream.range(0, 10_000).mapToObj(i -> prefix + i)
        .filter(id -> (Crc32Partitioner.partitionOf(id, PARTITIONS) == OWNERSHIP.partitionOf(id)) == agreeing)
        .limit(count).toList();
  }

  private static String contact(String id, String createdAt) {
    return "{\"type\":\"contact\",\"contactId\":\"" + id + "\",\"brandId\":\"acme\",\"email\":\"" + id
        + "@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"" + createdAt + "\"}\n";
  }

  private static String evidence(String evidenceId, String contactId, String kind, String occurredAt, String proof) {
    return "{\"type\":\"evidence\",\"evidenceId\":\"" + evidenceId + "\",\"contactId\":\"" + contactId
        + "\",\"brandId\":\"acme\",\"kind\":\"" + kind + "\",\"occurredAt\":\"" + occurredAt + "\""
        + (proof == null ? "" : ",\"proof\":{\"reference\":\"" + proof + "\"}") + "}\n";
  }

  private static Map<String, ConsentVerdict> lastPerContact(List<ConsentVerdict> verdicts) {
    return verdicts.stream().collect(Collectors.toMap(ConsentVerdict::getContactId, v -> v, (a, b) -> b));
  }

  /** consent_gate_records_rerouted_total by topic, as Prometheus scrapes it. */
  static Map<String, Long> rerouted(int metricsPort) throws Exception {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Long> byTopic = new HashMap<>();
    Matcher m = Pattern.compile("(?m)^consent_gate_records_rerouted_total\\{topic=\"([^\"]+)\"} ([0-9.E]+)$").matcher(body);
    while (m.find()) {
      byTopic.merge(m.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
    }
    return byTopic;
  }
}
