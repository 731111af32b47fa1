package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.history.HistoryGenerator;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.MetricsEndpoint;
import io.consentgate.runtime.TopicSetup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate as a service on a real (in-process KRaft) broker, with Avro in the registry wire format
 * and the schema registry over HTTP.
 */
class GateOnKafkaIT {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  @Test
  void endToEndTheLiveGateReachesTheSameOutcomesAsTheOfflineReplay() throws Exception {
    GateRuntime runtime = KafkaStack.runtime(stack.gateFlags(stack.uniquePrefix(), "e2e", dir.resolve("e2e"), 3));
    createTopics(runtime);
    String history = Files.readString(Path.of("../examples/history.jsonl"));
    try (GateService gate = runtime.gateService()) {
      gate.start();
      KafkaStack.publish(runtime, history);
      Map<String, String> expected = finalOutcomes(replay(history));
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(withoutLapses(finalOutcomes(KafkaStack.verdicts(runtime)), expected)).isEqualTo(expected));
    }
    List<ConsentVerdict> live = KafkaStack.verdicts(runtime);
    assertThat(versionsPerContact(live)).allSatisfy((contact, versions) -> assertThat(versions).isEqualTo(oneTo(versions.size())));
  }

  @Test
  void aRestartedGateRestoresItsStateAndDoesNotRepeatVerdicts() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "restart", dir.resolve("restart"), 2);
    GateRuntime runtime = KafkaStack.runtime(flags);
    createTopics(runtime);
    KafkaStack.publish(runtime, Files.readString(Path.of("../examples/history.jsonl")));
    int before;
    try (GateService gate = runtime.gateService()) {
      gate.start();
      await().atMost(WAIT).until(() -> stack.caughtUp(runtime));
    }
    before = stableVerdictCount(runtime);
    try (GateService gate = KafkaStack.runtime(flags).gateService()) {
      gate.start();
      assertThat(gate.awaitRunning(WAIT)).isTrue();
      KafkaStack.publish(runtime, """
          {"type":"evidence","evidenceId":"ev-ann-2","contactId":"c-ann","brandId":"acme","kind":"UNSUBSCRIBE","occurredAt":"2025-01-01T00:00:00Z"}
          """);
      // Exactly one new verdict, and it stays one: anything wrongly re-emitted after the restart
      // would arrive within these seconds.
      await().atMost(WAIT).until(() -> KafkaStack.verdicts(runtime).size() > before);
      await().during(Duration.ofSeconds(3)).atMost(WAIT)
          .untilAsserted(() -> assertThat(KafkaStack.verdicts(runtime)).hasSize(before + 1));
      List<ConsentVerdict> after = KafkaStack.verdicts(runtime);
      ConsentVerdict last = after.stream().filter(v -> v.getContactId().equals("c-ann"))
          .reduce((a, b) -> b).orElseThrow();
      assertThat(last.getStatus().name()).isEqualTo("WITHDRAWN");
      assertThat(last.getVersion()).as("numbering continues from the restored state").isEqualTo(3);
    }
  }

  @Test
  void twoInstancesShareThePartitionsAndTheSurvivorTakesOverWithNothingLost() throws Exception {
    String prefix = stack.uniquePrefix();
    Map<String, String> a = stack.gateFlags(prefix, "pair", dir.resolve("pair-a"), 4);
    Map<String, String> b = new HashMap<>(a);
    b.put(GateConfig.STATE_DIR, dir.resolve("pair-b").toString());
    GateRuntime runtimeA = KafkaStack.runtime(a);
    createTopics(runtimeA);
    String first = generated(3000, 1);
    String second = generated(3000, 2).replace("\"c-", "\"d-"); // new contacts for the second half
    GateService gateB = KafkaStack.runtime(b).gateService();
    try {
      try (GateService gateA = runtimeA.gateService()) {
        gateA.start();
        gateB.start();
        assertThat(gateA.awaitRunning(WAIT)).isTrue();
        assertThat(gateB.awaitRunning(WAIT)).isTrue();
        KafkaStack.publish(runtimeA, first);
        await().atMost(WAIT).until(() -> stack.caughtUp(runtimeA));
      }
      KafkaStack.publish(runtimeA, second); // only B is left
      await().atMost(WAIT).until(() -> stack.caughtUp(runtimeA));
    } finally {
      gateB.close();
    }
    List<ConsentVerdict> verdicts = KafkaStack.verdicts(runtimeA);
    long contacts = (first + second).lines().filter(l -> l.contains("\"type\":\"contact\"")).count();
    assertThat(verdicts.stream().map(ConsentVerdict::getContactId).distinct().count())
        .as("every contact got a verdict").isEqualTo(contacts);
    assertThat(versionsPerContact(verdicts)).allSatisfy((contact, versions) ->
        assertThat(versions).as("versions of %s", contact).isEqualTo(oneTo(versions.size())));
  }

  @Test
  void deadLettersCanBeInspectedAndReplayedToTheirSourceTopic() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "dlq", dir.resolve("dlq"), 2);
    GateRuntime runtime = KafkaStack.runtime(flags);
    createTopics(runtime);
    try (GateService gate = runtime.gateService();
         org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
             runtime.config().kafka().clientProperties(), new org.apache.kafka.common.serialization.StringSerializer(),
             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      gate.start();
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(runtime.config().topics().contactCreated(), "c-x",
          "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 1);

      List<String> args = new ArrayList<>(List.of("dead-letters"));
      flags.forEach((k, v) -> { args.add("--set"); args.add(k + "=" + v); });
      CliRun shown = CliRun.of(args.toArray(String[]::new));
      assertThat(shown.exitCode()).as(shown.err()).isZero();
      assertThat(shown.outLines()).singleElement().satisfies(line -> assertThat(line)
          .contains("\"sourceTopic\":\"" + runtime.config().topics().contactCreated() + "\"")
          .contains("\"key\":\"c-x\"").contains("not the schema-registry wire format"));

      args.add("--replay");
      CliRun replayed = CliRun.of(args.toArray(String[]::new));
      assertThat(replayed.exitCode()).as(replayed.err()).isZero();
      assertThat(replayed.err()).contains("1 replayed");
      // Still not Avro, so it comes back to the dead-letter topic: replay reached the source topic.
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 2);
    }
  }

  @Test
  void replayingDeadLettersResumesWhereTheLastReplayStoppedSoAStillBadRecordDoesNotLoop() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "dlq-resume", dir.resolve("dlq-resume"), 2);
    GateRuntime runtime = KafkaStack.runtime(flags);
    createTopics(runtime);
    String dlq = runtime.config().topics().deadLetters();
    List<String> replay = new ArrayList<>(List.of("dead-letters", "--replay"));
    flags.forEach((k, v) -> { replay.add("--set"); replay.add(k + "=" + v); });
    try (GateService gate = runtime.gateService();
         org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
             runtime.config().kafka().clientProperties(), new org.apache.kafka.common.serialization.StringSerializer(),
             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      gate.start();
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(runtime.config().topics().contactCreated(), "c-bad",
          "still not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 1);

      CliRun first = CliRun.of(replay.toArray(String[]::new));
      assertThat(first.exitCode()).as(first.err()).isZero();
      assertThat(first.err()).contains("1 replayed");
      assertThat(first.outLines()).singleElement().satisfies(l -> assertThat(l).contains("\"key\":\"c-bad\""));
      // The record is still bad: the gate dead-letters it again, after the replay's position.
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 2);

      CliRun second = CliRun.of(replay.toArray(String[]::new));
      assertThat(second.exitCode()).as(second.err()).isZero();
      assertThat(second.outLines()).as("only the copy that arrived since; the first one is not sent again")
          .singleElement().satisfies(l -> assertThat(l).contains("\"key\":\"c-bad\""));
      assertThat(dlqPosition(second.outLines().get(0))).as("a dead letter the first run did not replay")
          .isNotEqualTo(dlqPosition(first.outLines().get(0)));
      assertThat(second.err()).contains("1 replayed").contains("1 skipped (already replayed before)");
      assertThat(first.err()).contains("0 skipped").contains(dlq);
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 3);
      // Nothing keeps re-sending it: one copy per replay run, and no run is going on.
      await().during(Duration.ofSeconds(3)).atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 3);

      try (Admin admin = Admin.create(runtime.config().kafka().clientProperties())) {
        var committed = admin.listConsumerGroupOffsets(runtime.config().streams().applicationId() + "-dead-letters-replay")
            .partitionsToOffsetAndMetadata().get();
        assertThat(committed.keySet()).as("the documented group holds the position")
            .allSatisfy(p -> assertThat(p.topic()).isEqualTo(dlq)).isNotEmpty();
      }

      CliRun third = CliRun.of(replay.toArray(String[]::new));
      assertThat(third.err()).contains("1 replayed").contains("2 skipped");
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 4);

      replay.add("--from-beginning");
      CliRun all = CliRun.of(replay.toArray(String[]::new));
      assertThat(all.exitCode()).as(all.err()).isZero();
      assertThat(all.err()).as("--from-beginning replays everything again").contains("4 replayed").contains("0 skipped");
      assertThat(all.outLines()).hasSize(4);
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 8);
    }
  }

  @Test
  void verdictsAndDeadLettersOnAMissingTopicBothSayUnavailable() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "missing", dir.resolve("missing"), 2);
    GateConfig config = KafkaStack.runtime(flags).config(); // no topic is created
    Map<List<String>, String> commands = Map.of(
        List.of("verdicts"), config.topics().verdicts(),
        List.of("verdicts", "--from-beginning"), config.topics().verdicts(),
        List.of("dead-letters"), config.topics().deadLetters(),
        List.of("dead-letters", "--replay"), config.topics().deadLetters());
    for (var command : commands.entrySet()) {
      List<String> args = new ArrayList<>(command.getKey());
      flags.forEach((k, v) -> { args.add("--set"); args.add(k + "=" + v); });
      CliRun run = CliRun.of(args.toArray(String[]::new));
      assertThat(run.exitCode()).as("%s: %s", command.getKey(), run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
      assertThat(run.err()).as("%s", command.getKey()).contains("topic " + command.getValue() + " does not exist");
    }
    try (Admin admin = Admin.create(config.kafka().clientProperties())) {
      assertThat(admin.listTopics().names().get()).as("and no command created a topic by asking for it")
          .doesNotContain(config.topics().verdicts(), config.topics().deadLetters());
    }
  }

  @Test
  void metricsEndpointExposesExactlyTheGateMetricsTheOperatingDocLists() throws Exception {
    GateRuntime runtime = KafkaStack.runtime(stack.gateFlags(stack.uniquePrefix(), "metrics", dir.resolve("metrics"), 2));
    createTopics(runtime);
    GateConfig config = runtime.config();
    List<String> inputs = List.of(config.topics().contactCreated(), config.topics().consentEvidence());
    String operating = Files.readString(Path.of("../docs/operating.md"));
    Set<String> documented = metricNames(section(operating, "## Metrics"));
    Set<String> reasons = reasons(section(operating, "## Dead letters"));
    String history = Files.readString(Path.of("../examples/history.jsonl"));
    try (GateService gate = runtime.gateService(); MetricsEndpoint metrics = gate.metricsEndpoint(0)) {
      // Before any record, so that alert rules can be written before the first dead letter.
      String atStart = scrape(metrics.port());
      for (String topic : inputs) {
        for (String reason : reasons) {
          assertThat(atStart).as("dead letters of %s for %s, at 0 from the start", reason, topic)
              .containsPattern("(?m)^consent_gate_dead_letters_total\\{reason=\"" + reason + "\",topic=\"" + topic + "\"} 0\\.0$");
        }
        assertThat(atStart).containsPattern("(?m)^consent_gate_records_rerouted_total\\{topic=\"" + topic + "\"} 0\\.0$");
      }
      assertThat(atStart).containsPattern("(?m)^consent_gate_stream_thread_failures_total(\\{})? 0\\.0$");

      gate.start();
      KafkaStack.publish(runtime, history);
      await().atMost(WAIT).until(() -> stack.caughtUp(runtime));
      String body = scrape(metrics.port());
      Set<String> exposed = sampleNames(body);
      Set<String> gateMetrics = exposed.stream().filter(n -> n.startsWith("consent_gate_")).collect(Collectors.toCollection(TreeSet::new));
      assertThat(gateMetrics)
          .as("the gate's metrics on /metrics are exactly the ones docs/operating.md's Metrics section lists")
          .isEqualTo(new TreeSet<>(documented));
      assertThat(exposed).as("Kafka Streams' own metrics, as docs/operating.md says").anyMatch(n -> n.startsWith("kafka_stream_"));
      assertThat(exposed).as("no gate metric hidden among Kafka Streams' under another name")
          .noneMatch(n -> !n.startsWith("consent_gate_")
              && (n.contains("consent_gate") || n.contains("records_applied") || n.contains("records_unchanged")));
      assertThat(reasons).as("docs/operating.md's table of dead-letter reasons is every reason the gate labels")
          .containsExactlyInAnyOrderElementsOf(knownReasons());
      // Accounting on the live gate: every input record was applied, unchanged or dead-lettered.
      long in = history.lines().filter(l -> !l.isBlank()).count();
      long applied = sum(body, "consent_gate_records_applied_total", "task=\"\\d+_\\d+\"");
      long unchanged = sum(body, "consent_gate_records_unchanged_total", "task=\"\\d+_\\d+\"");
      long deadLettered = inputs.stream().mapToLong(t -> sum(body, "consent_gate_dead_letters_total", "reason=\"[a-z_]+\",topic=\"" + t + "\"")).sum();
      assertThat(applied).isPositive();
      assertThat(applied + unchanged + deadLettered).as("applied + unchanged + dead-lettered = input").isEqualTo(in);
    }
  }

  private static String scrape(int port) throws Exception {
    var response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The names of the samples in a Prometheus text scrape. */
  private static Set<String> sampleNames(String scrape) {
    return scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
  }

  /** The sum of one metric's samples whose labels match. */
  private static long sum(String scrape, String name, String labels) {
    var m = java.util.regex.Pattern.compile("(?m)^" + name + "\\{" + labels + "} ([0-9.E+-]+)$").matcher(scrape);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return (long) total;
  }

  /** A section of a Markdown document, from its heading to the next heading of its level or above. */
  static String section(String markdown, String heading) {
    int start = markdown.indexOf("\n" + heading + "\n");
    assertThat(start).as("the document has a section %s", heading).isNotNegative();
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    var next = java.util.regex.Pattern.compile("(?m)^#{1," + (level.length() - 1) + "} ").matcher(markdown);
    int end = next.find(start + heading.length() + 2) ? next.start() : markdown.length();
    return markdown.substring(start, end);
  }

  /** Every metric name in backticks that starts with consent_gate_, without its labels. */
  static Set<String> metricNames(String text) {
    var m = java.util.regex.Pattern.compile("`(consent_gate_[a-z_]+)").matcher(text);
    Set<String> names = new TreeSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The reasons in the first column of the dead-letter reason table. */
  static Set<String> reasons(String deadLetters) {
    var m = java.util.regex.Pattern.compile("(?m)^\\| `([a-z_]+)` \\|").matcher(deadLetters);
    Set<String> reasons = new TreeSet<>();
    while (m.find()) {
      reasons.add(m.group(1));
    }
    assertThat(reasons).as("docs/operating.md's table of dead-letter reasons").isNotEmpty();
    return reasons;
  }

  static Set<String> knownReasons() {
    Set<String> known = new TreeSet<>();
    for (var p : io.consentgate.contract.BadInputException.Problem.values()) {
      known.add(p.name().toLowerCase(java.util.Locale.ROOT));
    }
    for (var r : io.consentgate.serde.UnreadableRecordException.Reason.values()) {
      known.add(r.name().toLowerCase(java.util.Locale.ROOT));
    }
    return known;
  }

  @Test
  void startupChecksTopicsAndCreatesThemWithTheContractsSettings() throws Exception {
    String prefix = stack.uniquePrefix();
    GateRuntime runtime = KafkaStack.runtime(stack.gateFlags(prefix, "topics", dir.resolve("topics"), 2));
    GateConfig config = runtime.config();
    try (Admin admin = Admin.create(config.kafka().clientProperties())) {
      assertThatThrownBy(() -> TopicSetup.ensure(admin, config.topics(), config.streams().applicationId(), false, 2, (short) 1))
          .isInstanceOf(TopicSetup.TopicProblem.class).hasMessageContaining("missing topic").hasMessageContaining("--create-topics");

      TopicSetup.ensure(admin, config.topics(), config.streams().applicationId(), true, 2, (short) 1);
      Map<String, String> verdicts = configOf(admin, config.topics().verdicts());
      assertThat(verdicts).containsEntry("cleanup.policy", "compact").containsEntry("message.timestamp.type", "LogAppendTime");
      assertThat(configOf(admin, config.topics().contactCreated())).containsEntry("retention.ms", "-1");
      assertThat(configOf(admin, config.topics().consentEvidence())).containsEntry("retention.ms", "-1");

      admin.deleteTopics(List.of(config.topics().consentEvidence())).all().get();
      await().atMost(WAIT).until(() -> !admin.listTopics().names().get().contains(config.topics().consentEvidence()));
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(config.topics().consentEvidence(), 3, (short) 1)))
          .all().get();
      assertThatThrownBy(() -> TopicSetup.ensure(admin, config.topics(), config.streams().applicationId(), false, 2, (short) 1))
          .isInstanceOf(TopicSetup.TopicProblem.class).hasMessageContaining("not co-partitioned");
    }
  }

  @Test
  void topicsTheGateWritesEventTimesToMustUseTheAppendTime() throws Exception {
    String prefix = stack.uniquePrefix();
    Map<String, String> flags = stack.gateFlags(prefix, "stamps", dir.resolve("stamps"), 2);
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateConfig config = runtime.config();
    try (Admin admin = Admin.create(config.kafka().clientProperties())) {
      TopicSetup.ensure(admin, config.topics(), config.streams().applicationId(), true, 2, (short) 1);
      assertThat(configOf(admin, config.topics().deadLetters())).containsEntry("message.timestamp.type", "LogAppendTime")
          .containsEntry("retention.ms", String.valueOf(365L * 24 * 3600 * 1000));
      // An operator-created dead-letter topic with the broker's default CreateTime.
      admin.deleteTopics(List.of(config.topics().deadLetters())).all().get();
      await().atMost(WAIT).until(() -> !admin.listTopics().names().get().contains(config.topics().deadLetters()));
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(config.topics().deadLetters(), 2, (short) 1)))
          .all().get();
    }
    List<String> args = new ArrayList<>(List.of("run"));
    flags.forEach((k, v) -> { args.add("--set"); args.add(k + "=" + v); });
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(run.err()).contains(config.topics().deadLetters() + " (CreateTime)")
        .contains("message.timestamp.type=LogAppendTime");
  }

  /** partition@offset of a dead letter the dead-letters command printed. */
  private static String dlqPosition(String line) throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
    return json.get("dlqPartition").asInt() + "@" + json.get("dlqOffset").asLong();
  }

  private static Map<String, String> configOf(Admin admin, String topic) throws Exception {
    var resource = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
    Map<String, String> values = new HashMap<>();
    admin.describeConfigs(List.of(resource)).all().get().get(resource).entries()
        .forEach(e -> values.put(e.name(), e.value()));
    return values;
  }

  /** The committed verdict count once two reads a second apart agree (commit markers land asynchronously). */
  static int stableVerdictCount(GateRuntime runtime) {
    int[] last = {-1};
    await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
      int now = KafkaStack.verdicts(runtime).size();
      boolean same = now == last[0];
      last[0] = now;
      return same;
    });
    return last[0];
  }

  static void createTopics(GateRuntime runtime) throws Exception {
    GateConfig config = runtime.config();
    try (Admin admin = Admin.create(config.kafka().clientProperties())) {
      TopicSetup.ensure(admin, config.topics(), config.streams().applicationId(), true, config.topicCreation().partitions(), config.topicCreation().replicationFactor());
    }
  }

  static String generated(long records, long seed) {
    StringWriter out = new StringWriter();
    HistoryGenerator.generate(records, 8, seed, new PrintWriter(out));
    return out.toString();
  }

  static List<ConsentVerdict> replay(String history) throws Exception {
    CliRunHistory run = CliRunHistory.replay(history);
    return run.verdicts();
  }

  /** decision/status/validUntil of the last verdict per contact. */
  static Map<String, String> finalOutcomes(List<ConsentVerdict> verdicts) {
    Map<String, String> last = new HashMap<>();
    for (ConsentVerdict v : verdicts) {
      last.put(v.getContactId(), v.getDecision() + "/" + v.getStatus() + "/" + v.getValidUntil());
    }
    return last;
  }

  /**
   * The live gate also notices lapses on the wall clock (the replay has no --until here): a
   * contact whose implicit consent has lapsed by now is compared by its outcome before the lapse.
   */
  static Map<String, String> withoutLapses(Map<String, String> live, Map<String, String> replayed) {
    Map<String, String> adjusted = new HashMap<>(live);
    live.forEach((contact, outcome) -> {
      if (outcome.startsWith("DENY/EXPIRED") && replayed.getOrDefault(contact, "").startsWith("ALLOW/CONSENTED_IMPLICIT")) {
        adjusted.put(contact, replayed.get(contact));
      }
    });
    return adjusted;
  }

  static Map<String, List<Long>> versionsPerContact(List<ConsentVerdict> verdicts) {
    return verdicts.stream().collect(Collectors.groupingBy(ConsentVerdict::getContactId,
        Collectors.mapping(ConsentVerdict::getVersion, Collectors.toList())));
  }

  static List<Long> oneTo(int n) {
    List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      expected.add(i);
    }
    return expected;
  }
}
