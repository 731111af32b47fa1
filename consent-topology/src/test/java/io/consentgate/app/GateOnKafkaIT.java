package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.history.HistoryGenerator;
import io.consentgate.runtime.GateService;
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
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate as a service on a real (in-process KRaft) broker, with Avro in the registry wire format
 * and the schema registry over HTTP.
 */
class GateOnKafkaIT {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  static Path dir;

  static KafkaStack stack;

  @BeforeAll
  static void startStack() {
    stack = new KafkaStack(dir);
  }

  @AfterAll
  static void stopStack() {
    stack.close();
  }

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
             runtime.config().kafkaClientProperties(), new org.apache.kafka.common.serialization.StringSerializer(),
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
      assertThat(replayed.err()).contains("1 replayed");
      // Still not Avro, so it comes back to the dead-letter topic: replay reached the source topic.
      await().atMost(WAIT).until(() -> GateFaultsIT.deadLetters(runtime) == 2);
    }
  }

  @Test
  void startupChecksTopicsAndCreatesThemWithTheContractsSettings() throws Exception {
    String prefix = stack.uniquePrefix();
    GateRuntime runtime = KafkaStack.runtime(stack.gateFlags(prefix, "topics", dir.resolve("topics"), 2));
    GateConfig config = runtime.config();
    try (Admin admin = Admin.create(config.kafkaClientProperties())) {
      assertThatThrownBy(() -> TopicSetup.ensure(admin, config.topics(), config.applicationId(), false, 2, (short) 1))
          .isInstanceOf(TopicSetup.TopicProblem.class).hasMessageContaining("missing topic").hasMessageContaining("--create-topics");

      TopicSetup.ensure(admin, config.topics(), config.applicationId(), true, 2, (short) 1);
      Map<String, String> verdicts = configOf(admin, config.topics().verdicts());
      assertThat(verdicts).containsEntry("cleanup.policy", "compact").containsEntry("message.timestamp.type", "LogAppendTime");
      assertThat(configOf(admin, config.topics().contactCreated())).containsEntry("retention.ms", "-1");
      assertThat(configOf(admin, config.topics().consentEvidence())).containsEntry("retention.ms", "-1");

      admin.deleteTopics(List.of(config.topics().consentEvidence())).all().get();
      await().atMost(WAIT).until(() -> !admin.listTopics().names().get().contains(config.topics().consentEvidence()));
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(config.topics().consentEvidence(), 3, (short) 1)))
          .all().get();
      assertThatThrownBy(() -> TopicSetup.ensure(admin, config.topics(), config.applicationId(), false, 2, (short) 1))
          .isInstanceOf(TopicSetup.TopicProblem.class).hasMessageContaining("not co-partitioned");
    }
  }

  @Test
  void topicsTheGateWritesEventTimesToMustUseTheAppendTime() throws Exception {
    String prefix = stack.uniquePrefix();
    Map<String, String> flags = stack.gateFlags(prefix, "stamps", dir.resolve("stamps"), 2);
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateConfig config = runtime.config();
    try (Admin admin = Admin.create(config.kafkaClientProperties())) {
      TopicSetup.ensure(admin, config.topics(), config.applicationId(), true, 2, (short) 1);
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
    try (Admin admin = Admin.create(config.kafkaClientProperties())) {
      TopicSetup.ensure(admin, config.topics(), config.applicationId(), true, config.topicPartitions(), config.topicReplicationFactor());
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
