package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.events.ConsentVerdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-deciding the history on a real broker: reset in place with a new epoch, the one-writer guard,
 * and blue/green with a second application id and verdict topic.
 */
class RedecidingIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Path EXAMPLE = Path.of("../examples/history.jsonl");

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  private static RunningGate start(GateRuntime runtime, boolean takeOver) throws Exception {
    return RunningGate.start(runtime, takeOver);
  }

  static String[] command(String name, Map<String, String> flags, String... more) {
    List<String> args = new ArrayList<>(List.of(name));
    flags.forEach((k, v) -> { args.add("--set"); args.add(k + "=" + v); });
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** Each contact's verdict as a sender keeping the highest (epoch, version) holds it. */
  static Map<String, ConsentVerdict> latestByEpochAndVersion(List<ConsentVerdict> verdicts) {
    Comparator<ConsentVerdict> order = Comparator.comparingLong(ConsentVerdict::getEpoch).thenComparingLong(ConsentVerdict::getVersion);
    return verdicts.stream().collect(Collectors.toMap(ConsentVerdict::getContactId, v -> v,
        (a, b) -> order.compare(a, b) >= 0 ? a : b));
  }

  /**
   * What a gate deciding now finds for outcomes another gate published earlier: a consent whose
   * validUntil has passed lapsed meanwhile (the earlier gate notices it at its next lapse check).
   */
  static Map<String, String> lapsedByNow(Map<String, String> outcomes) {
    java.time.Instant now = java.time.Instant.now();
    Map<String, String> out = new HashMap<>();
    outcomes.forEach((c, o) -> {
      String validUntil = o.substring(o.lastIndexOf('/') + 1);
      out.put(c, !validUntil.equals("null") && java.time.Instant.parse(validUntil).isBefore(now) ? "DENY/EXPIRED/null" : o);
    });
    return out;
  }

  static Map<String, String> outcomes(Map<String, ConsentVerdict> latest) {
    Map<String, String> out = new HashMap<>();
    latest.forEach((c, v) -> out.put(c, v.getDecision() + "/" + v.getStatus() + "/" + v.getValidUntil()));
    return out;
  }

  @Test
  void resetInPlaceReDecidesQuietlyInTheNextEpochWithTheSameOutcomes() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "in-place", dir.resolve("in-place"), 3);
    GateRuntime runtime = KafkaStack.runtime(flags);
    String history = Files.readString(EXAMPLE) + GateOnKafkaIT.generated(3000, 41);
    long contacts = history.lines().filter(l -> l.contains("\"type\":\"contact\"")).map(l -> l.split("\"contactId\":\"")[1].split("\"")[0])
        .distinct().count();
    Map<String, String> before;
    try (RunningGate first = start(runtime, false)) {
      assertThat(first.start().epoch()).as("a new gate with no input yet starts live in epoch 0").isZero();
      KafkaStack.publish(runtime, history);
      await().atMost(WAIT).until(() -> stack.caughtUp(runtime));
      before = outcomes(latestByEpochAndVersion(KafkaStack.verdicts(runtime)));
      assertThat(before).hasSize((int) contacts);

      CliRun whileRunning = CliRun.of(command("reset", flags, "--execute"));
      assertThat(whileRunning.exitCode()).as(whileRunning.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
      assertThat(whileRunning.err()).contains("is running").contains("stop every instance");
    }
    int verdictsBefore = KafkaStack.verdicts(runtime).size();

    CliRun dryRun = CliRun.of(command("reset", flags));
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    assertThat(dryRun.out()).contains("dry run").contains("delete consumer group in-place")
        .contains("delete internal topic in-place-consent-state-changelog").contains("record epoch 1");
    assertThat(dryRun.err()).contains("nothing changed");
    assertThat(stack.caughtUp(runtime)).as("a dry run changes nothing: the group's offsets are still there").isTrue();

    CliRun reset = CliRun.of(command("reset", flags, "--execute"));
    assertThat(reset.exitCode()).as(reset.err()).isZero();
    assertThat(reset.err()).contains("reset complete");

    try (RunningGate second = start(runtime, false)) {
      assertThat(second.start().epoch()).isEqualTo(1);
      assertThat(second.start().catchUp().catchingUp()).isTrue();
      await().atMost(WAIT).untilAsserted(() -> assertThat(KafkaStack.verdicts(runtime).stream()
          .filter(v -> v.getEpoch() == 1).count()).isEqualTo(contacts));
      await().during(Duration.ofSeconds(3)).atMost(WAIT).untilAsserted(() ->
          assertThat(KafkaStack.verdicts(runtime).size()).isEqualTo(verdictsBefore + (int) contacts));
      List<ConsentVerdict> all = KafkaStack.verdicts(runtime);
      List<ConsentVerdict> redecided = all.stream().filter(v -> v.getEpoch() == 1).toList();
      assertThat(redecided).as("one verdict per contact in the new epoch: no intermediate state republished")
          .allSatisfy(v -> assertThat(v.getVersion()).isEqualTo(1));
      assertThat(outcomes(latestByEpochAndVersion(all))).as("the same final outcomes")
          .containsExactlyInAnyOrderEntriesOf(lapsedByNow(before));
      // A sender ordering by (epoch, version): the new epoch's only verdict is the final one, so a
      // withdrawn contact never shows ALLOW again.
      for (ConsentVerdict v : redecided) {
        assertThat(v.getDecision() + "/" + v.getStatus() + "/" + v.getValidUntil()).isEqualTo(lapsedByNow(before).get(v.getContactId()));
      }
    }
  }

  @Test
  void aSecondApplicationIdIsRefusedTheVerdictTopicUnlessItTakesItOver() throws Exception {
    String prefix = stack.uniquePrefix();
    Map<String, String> blue = stack.gateFlags(prefix, "blue-owner", dir.resolve("owner"), 2);
    GateRuntime blueRuntime = KafkaStack.runtime(blue);
    try (RunningGate gate = start(blueRuntime, false)) {
      KafkaStack.publish(blueRuntime, Files.readString(EXAMPLE));
      await().atMost(WAIT).until(() -> stack.caughtUp(blueRuntime));
      await().atMost(WAIT).until(() -> !KafkaStack.verdicts(blueRuntime).isEmpty());
    }
    Map<String, String> intruder = new HashMap<>(blue);
    intruder.put(GateConfig.APPLICATION_ID, "intruder");
    intruder.put(GateConfig.STATE_DIR, dir.resolve("intruder").toString());
    CliRun refused = CliRun.of(command("run", intruder));
    assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(refused.err()).contains("blue-owner").contains("intruder").contains(blue.get(GateConfig.TOPIC_VERDICTS));

    try (RunningGate takeover = start(KafkaStack.runtime(intruder), true)) {
      assertThat(takeover.start().epoch()).as("a takeover outranks what is on the topic").isEqualTo(1);
    }
  }

  @Test
  void blueGreenAGreenGateOnItsOwnVerdictTopicCatchesUpToBlue() throws Exception {
    String prefix = stack.uniquePrefix();
    Map<String, String> blue = stack.gateFlags(prefix, "bg-blue", dir.resolve("bg-blue"), 3);
    GateRuntime blueRuntime = KafkaStack.runtime(blue);
    String history = Files.readString(EXAMPLE) + GateOnKafkaIT.generated(2000, 43);
    Map<String, String> blueOutcomes;
    try (RunningGate gate = start(blueRuntime, false)) {
      KafkaStack.publish(blueRuntime, history);
      await().atMost(WAIT).until(() -> stack.caughtUp(blueRuntime));
      blueOutcomes = outcomes(latestByEpochAndVersion(KafkaStack.verdicts(blueRuntime)));
    }
    // Green: a new application id and a new verdict topic, the same inputs.
    Map<String, String> green = new HashMap<>(blue);
    green.put(GateConfig.APPLICATION_ID, "bg-green");
    green.put(GateConfig.STATE_DIR, dir.resolve("bg-green").toString());
    green.put(GateConfig.TOPIC_VERDICTS, prefix + "consent-verdicts-green");
    GateRuntime greenRuntime = KafkaStack.runtime(green);
    try (RunningGate gate = start(greenRuntime, false)) {
      assertThat(gate.start().catchUp().catchingUp()).as("a new application with input waiting catches up quietly").isTrue();
      await().atMost(WAIT).untilAsserted(() -> assertThat(outcomes(latestByEpochAndVersion(KafkaStack.verdicts(greenRuntime))))
          .containsExactlyInAnyOrderEntriesOf(lapsedByNow(blueOutcomes)));
      assertThat(KafkaStack.verdicts(greenRuntime)).as("one verdict per contact").hasSize(blueOutcomes.size());
    }
    // Green with a changed policy: what an offline replay under that policy gives.
    Map<String, String> strict = new HashMap<>(blue);
    strict.put(GateConfig.APPLICATION_ID, "bg-strict");
    strict.put(GateConfig.STATE_DIR, dir.resolve("bg-strict").toString());
    strict.put(GateConfig.TOPIC_VERDICTS, prefix + "consent-verdicts-strict");
    strict.put(GateConfig.DEFAULT_PROFILE, "strict");
    GateRuntime strictRuntime = KafkaStack.runtime(strict);
    Path file = dir.resolve("bg-history.jsonl");
    Files.writeString(file, history);
    CliRun replay = CliRun.of("replay", "--input", file.toString(), "--profile", "strict");
    Map<String, String> expected = GateOnKafkaIT.finalOutcomes(CliRunHistory.parse(replay.out(), true));
    assertThat(expected).isNotEqualTo(blueOutcomes);
    try (RunningGate gate = start(strictRuntime, false)) {
      await().atMost(WAIT).untilAsserted(() -> assertThat(GateOnKafkaIT.withoutLapses(
          outcomes(latestByEpochAndVersion(KafkaStack.verdicts(strictRuntime))), expected)).isEqualTo(expected));
    }
  }
}
