package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.history.HistoryJson;
import io.consentgate.history.HistoryRecord;
import io.consentgate.runtime.GateService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data teams' commands on a broker: export, replay and whatif from the topics, explain from
 * the topics and the audit topic, and the guarantee docs/data-teams.md states between the live gate and a
 * replay of the same records.
 */
class DataTeamIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Path EXAMPLE = Path.of("../examples/history.jsonl");
  private static final String ACME_STRICT = "../examples/acme-strict.properties";
  private static final ObjectMapper JSON = new ObjectMapper();

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  /**
   * docs/data-teams.md's guarantee: the records the live gate read, exported and replayed --until the live
   * gate's last lapse check, give each contact the decision, status and validUntil of the live
   * gate's latest verdict.
   */
  @Test
  void aReplayOfTheExportGivesEveryContactTheLiveGatesFinalOutcome() throws Exception {
    Map<String, String> flags = flags("live", 3);
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateOnKafkaIT.createTopics(runtime);
    GateConfig config = runtime.config();
    try (Admin admin = Admin.create(config.kafka().clientProperties())) {
      for (String input : List.of(config.topics().contactCreated(), config.topics().consentEvidence())) {
        assertThat(configOf(admin, input)).as(input).containsEntry("message.timestamp.type", "LogAppendTime")
            .containsEntry("retention.ms", "-1");
      }
      assertThat(configOf(admin, config.topics().verdictsAudit())).containsEntry("cleanup.policy", "delete")
          .containsEntry("message.timestamp.type", "LogAppendTime").containsEntry("retention.bytes", "-1");
    }
    String history = Files.readString(EXAMPLE) + GateOnKafkaIT.generated(4000, 11);
    List<SpecificRecord> published = records(history);
    Instant latestEvent = published.stream().map(DataTeamIT::eventTime).max(Instant::compareTo).orElseThrow();
    Path export = dir.resolve("live-export.jsonl");
    try (GateService gate = runtime.gateService()) {
      gate.start();
      KafkaStack.publish(runtime, history);
      await().atMost(WAIT).until(() -> stack.caughtUp(runtime));

      CliRun exported = CliRun.of(args("export", flags, "--out", export.toString()));
      assertThat(exported.exitCode()).as(exported.err()).isZero();
      assertThat(exported.err()).contains("exported " + published.size() + " records")
          .contains("append times are the broker's (LogAppendTime)");
      List<HistoryRecord> lines = new ArrayList<>();
      for (String line : Files.readAllLines(export)) {
        lines.add(HistoryJson.readEntry(line));
      }
      assertThat(lines).extracting(HistoryRecord::record).as("every record, once").containsExactlyInAnyOrderElementsOf(published);
      assertThat(lines).extracting(HistoryRecord::appendedAt).doesNotContainNull().isSorted();

      // At a common clock: the live gate checks lapses every second; replay --until now. Retried
      // in case a lapse falls between the two.
      await().atMost(WAIT).untilAsserted(() -> {
        Instant now = Instant.now();
        Instant until = now.isAfter(latestEvent) ? now : latestEvent;
        Map<String, String> live = GateOnKafkaIT.finalOutcomes(KafkaStack.verdicts(runtime));
        CliRun replay = CliRun.of(args("replay", flags, "--input", export.toString(), "--until", until.toString()));
        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(GateOnKafkaIT.finalOutcomes(CliRunHistory.parse(replay.out(), true))).isEqualTo(live);
        CliRun fromKafka = CliRun.of(args("replay", flags, "--from-kafka", "--until", until.toString()));
        assertThat(fromKafka.exitCode()).as(fromKafka.err()).isZero();
        assertThat(GateOnKafkaIT.finalOutcomes(CliRunHistory.parse(fromKafka.out(), true))).isEqualTo(live);
      });
      // The audit topic holds exactly what the verdict topic received (nothing is compacted yet here).
      assertThat(auditTrail(runtime)).containsExactlyInAnyOrderElementsOf(KafkaStack.verdicts(runtime).stream()
          .map(DataTeamIT::said).toList());
    }
  }

  /**
   * We emailed a contact at T: the gate said ALLOW, and the records appended by T allowed it; a
   * withdrawal made before T arrived after T, so what held at T was WITHDRAWN.
   */
  @Test
  void explainFromTheTopicsShowsALateWithdrawalBesideWhatTheGateSaid() throws Exception {
    Map<String, String> flags = flags("late", 2);
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1S");
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateOnKafkaIT.createTopics(runtime);
    Instant signedUp = Instant.now().minus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    Instant withdrew = signedUp.plus(5, ChronoUnit.DAYS);
    try (GateService gate = runtime.gateService()) {
      gate.start();
      // One after the other: records of two topics published together may be decided in either order.
      KafkaStack.publish(runtime, contact("c-late", signedUp) + "\n");
      await().atMost(WAIT).until(() -> status(runtime, "c-late").equals("NO_CONSENT"));
      KafkaStack.publish(runtime, evidence("ev-late-1", "c-late", "CHECKBOX_OPT_IN", signedUp.plusSeconds(30), "form-77") + "\n");
      await().atMost(WAIT).until(() -> status(runtime, "c-late").equals("CONSENTED_EXPLICIT"));
      Thread.sleep(1_500);
      Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS); // we emailed c-late now
      Thread.sleep(1_500);
      KafkaStack.publish(runtime, evidence("ev-late-2", "c-late", "UNSUBSCRIBE", withdrew, null) + "\n");
      await().atMost(WAIT).until(() -> status(runtime, "c-late").equals("WITHDRAWN"));
      await().atMost(WAIT).until(() -> auditTrail(runtime).size() == 3);

      CliRun run = CliRun.of(args("explain", flags, "--contact", "c-late", "--at", t.toString(), "--from-kafka", "--json"));
      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode x = JSON.readTree(run.out());
      assertThat(x.at("/said/answered").asBoolean()).isTrue();
      assertThat(x.at("/said/verdict/decision").asText()).isEqualTo("ALLOW");
      assertThat(x.at("/said/verdict/status").asText()).isEqualTo("CONSENTED_EXPLICIT");
      assertThat(x.at("/said/verdict/writer").asText()).isEqualTo("late");
      assertThat(x.at("/said/trail")).hasSize(3);
      assertThat(x.at("/said/trail/2/status").asText()).isEqualTo("WITHDRAWN");
      assertThat(Instant.parse(x.at("/said/trail/2/appendedAt").asText())).isAfter(t);
      assertThat(x.at("/knownByT/verdict/decision").asText()).isEqualTo("ALLOW");
      assertThat(x.at("/knownByT/records").asInt()).isEqualTo(2);
      assertThat(x.at("/heldAtT/verdict/decision").asText()).isEqualTo("DENY");
      assertThat(x.at("/heldAtT/verdict/status").asText()).isEqualTo("WITHDRAWN");
      assertThat(x.at("/timeline/2/evidenceId").asText()).isEqualTo("ev-late-2");
      assertThat(x.at("/timeline/2/knownByT/role").asText()).isEqualTo("not-yet-appended");
      assertThat(x.at("/timeline/2/heldAtT/role").asText()).isEqualTo("decides");
      assertThat(x.at("/timeline/1/heldAtT/code").asText()).isEqualTo("REVOKED_BY_WITHDRAWAL");

      CliRun text = CliRun.of(args("explain", flags, "--contact", "c-late", "--at", t.toString(), "--from-kafka"));
      System.out.println(text.out()); // an example for the record
      assertThat(text.out()).contains("1. what the gate said at T: ALLOW CONSENTED_EXPLICIT")
          .contains("2. what the records appended by T decide as of T: ALLOW CONSENTED_EXPLICIT")
          .contains("3. what held at T in the light of everything known now: DENY WITHDRAWN")
          .contains("<- in force at T");

      // The same from an export: the three views agree, only what the gate said is not in a file.
      Path export = dir.resolve("late-export.jsonl");
      assertThat(CliRun.of(args("export", flags, "--out", export.toString())).exitCode()).isZero();
      JsonNode fromFile = JSON.readTree(CliRun.of(args("explain", flags, "--contact", "c-late", "--at", t.toString(),
          "--input", export.toString(), "--json")).out());
      assertThat(fromFile.get("knownByT")).isEqualTo(x.get("knownByT"));
      assertThat(fromFile.get("heldAtT")).isEqualTo(x.get("heldAtT"));
      // export --until T is what was known at T: replayed as of T, the contact was allowed.
      Path known = dir.resolve("known-at-t.jsonl");
      CliRun cut = CliRun.of(args("export", flags, "--until", t.toString(), "--out", known.toString()));
      assertThat(cut.err()).contains("1 appended after --until");
      CliRun asOf = CliRun.of(args("replay", flags, "--input", known.toString(), "--as-of", t.toString()));
      assertThat(asOf.outLines()).singleElement().satisfies(l -> assertThat(l).contains("\"decision\":\"ALLOW\""));
    }
  }

  /** whatif and replay --as-of give the same answer from the topics as from the file that was published. */
  @Test
  void whatIfAndAsOfFromTheTopicsEqualTheirRunsOnTheFile() throws Exception {
    Map<String, String> flags = flags("files", 3);
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateOnKafkaIT.createTopics(runtime);
    KafkaStack.publish(runtime, Files.readString(EXAMPLE));

    CliRun file = CliRun.of(args("whatif", flags, "--input", EXAMPLE.toString(), "--candidate-config", ACME_STRICT));
    CliRun topics = CliRun.of(args("whatif", flags, "--from-kafka", "--candidate-config", ACME_STRICT));
    assertThat(topics.exitCode()).as(topics.err()).isZero();
    assertThat(topics.out()).isEqualTo(file.out()).contains("may email -> may not: 4  (c-ann, c-bob, c-hana, c-tara-event)");

    for (String asOf : List.of("2024-06-01T00:00:00Z", "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z")) {
      CliRun fromFile = CliRun.of(args("replay", flags, "--input", EXAMPLE.toString(), "--as-of", asOf));
      CliRun fromKafka = CliRun.of(args("replay", flags, "--from-kafka", "--as-of", asOf));
      assertThat(fromKafka.exitCode()).as(fromKafka.err()).isZero();
      assertThat(fromKafka.out()).as(asOf).isEqualTo(fromFile.out());
    }

    Path csv = dir.resolve("export.csv");
    CliRun toCsv = CliRun.of(args("export", flags, "--format", "csv", "--out", csv.toString()));
    assertThat(toCsv.exitCode()).as(toCsv.err()).isZero();
    List<String> rows = Files.readAllLines(csv);
    assertThat(rows.get(0)).startsWith("type,contactId,brandId,email,source,createdAt,evidenceId").endsWith(",appendedAt");
    assertThat(rows).hasSize(records(Files.readString(EXAMPLE)).size() + 1);

    Map<String, String> off = new HashMap<>(flags);
    off.put(GateConfig.AUDIT_ENABLED, "false");
    JsonNode noAudit = JSON.readTree(CliRun.of(args("explain", off, "--contact", "c-ann", "--at", "2025-01-01",
        "--from-kafka", "--json")).out());
    assertThat(noAudit.at("/said/answered").asBoolean()).isFalse();
    assertThat(noAudit.at("/said/note").asText()).contains("audit.enabled=false");
    assertThat(noAudit.at("/heldAtT/verdict/status").asText()).isEqualTo("CONSENTED_EXPLICIT");
  }

  @Test
  void exportOfTopicsThatDoNotExistIsUnavailable() throws Exception {
    Map<String, String> flags = flags("missing", 1);
    CliRun run = CliRun.of(args("export", flags));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(run.err()).contains("topic " + flags.get(GateConfig.TOPIC_CONTACT_CREATED) + " does not exist");
  }

  private static Map<String, String> flags(String name, int partitions) {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), name, dir.resolve(name), partitions);
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1S");
    return flags;
  }

  private static String[] args(String command, Map<String, String> flags, String... more) {
    List<String> args = new ArrayList<>(List.of(command));
    flags.forEach((k, v) -> {
      args.add("--set");
      args.add(k + "=" + v);
    });
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static List<SpecificRecord> records(String history) throws Exception {
    List<SpecificRecord> records = new ArrayList<>();
    for (String line : history.lines().filter(l -> !l.isBlank()).toList()) {
      records.add(HistoryJson.read(line));
    }
    return records;
  }

  private static Instant eventTime(SpecificRecord r) {
    return r instanceof io.consentgate.events.ContactCreated c ? c.getCreatedAt()
        : ((io.consentgate.events.ConsentEvidence) r).getOccurredAt();
  }

  private static String status(GateRuntime runtime, String contactId) {
    return KafkaStack.verdicts(runtime).stream().filter(v -> v.getContactId().equals(contactId))
        .reduce((a, b) -> b).map(v -> v.getStatus().name()).orElse("");
  }

  private static String said(ConsentVerdict v) {
    return v.getContactId() + " v" + v.getVersion() + " " + v.getStatus();
  }

  /** Every verdict on the audit topic, as contact, version and status. */
  private static List<String> auditTrail(GateRuntime runtime) throws Exception {
    Map<String, String> flags = new HashMap<>();
    GateConfig config = runtime.config();
    flags.put(GateConfig.TOPIC_VERDICTS, config.topics().verdictsAudit());
    flags.put(GateConfig.TOPIC_VERDICTS_AUDIT, config.topics().verdicts());
    flags.put(GateConfig.BOOTSTRAP_SERVERS, config.kafka().bootstrapServers());
    flags.put(GateConfig.SCHEMA_REGISTRY_URL, config.registry().url());
    return KafkaStack.verdicts(KafkaStack.runtime(flags)).stream().map(DataTeamIT::said).collect(Collectors.toList());
  }

  private static Map<String, String> configOf(Admin admin, String topic) throws Exception {
    var resource = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
    Map<String, String> values = new HashMap<>();
    admin.describeConfigs(List.of(resource)).all().get().get(resource).entries().forEach(e -> values.put(e.name(), e.value()));
    return values;
  }

  private static String contact(String id, Instant createdAt) {
    return "{\"type\":\"contact\",\"contactId\":\"" + id + "\",\"brandId\":\"acme\",\"email\":\"" + id.substring(2)
        + "@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"" + createdAt + "\"}";
  }

  private static String evidence(String id, String contactId, String kind, Instant at, String proof) {
    return "{\"type\":\"evidence\",\"evidenceId\":\"" + id + "\",\"contactId\":\"" + contactId
        + "\",\"brandId\":\"acme\",\"kind\":\"" + kind + "\",\"occurredAt\":\"" + at + "\""
        + (proof == null ? "" : ",\"proof\":{\"reference\":\"" + proof + "\"}") + "}";
  }
}
