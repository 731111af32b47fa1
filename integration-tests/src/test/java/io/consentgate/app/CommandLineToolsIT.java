package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.runtime.GateService;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands as a user runs them, with wrong input: nothing reports a success that did not
 * happen, every failure names what went wrong, and the exit code follows the one table.
 */
class CommandLineToolsIT {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String HISTORY = "../examples/history.jsonl";

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  private static String[] args(String command, Map<String, String> flags, String... more) {
    List<String> args = new ArrayList<>(List.of(command));
    flags.forEach((k, v) -> {
      args.add("--set");
      args.add(k + "=" + v);
    });
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void publishWithoutABrokerFailsWithinAMinuteNamingTheAddress() throws Exception {
    String nowhere = "127.0.0.1:" + freePort();
    long start = System.nanoTime();
    CliRun run = CliRun.of("publish", "--input", HISTORY, "--bootstrap-servers", nowhere);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(run.err()).contains("Kafka at " + nowhere).contains("did not answer").doesNotContain("published");
    assertThat(took).isLessThan(Duration.ofMinutes(1));
  }

  @Test
  void publishToMissingTopicsSaysWhichAndSendsNothing() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "missing", dir.resolve("missing"), 2);
    CliRun run = CliRun.of(args("publish", flags, "--input", HISTORY));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(run.err()).contains(flags.get(GateConfig.TOPIC_CONTACT_CREATED)).contains("do not exist");
  }

  @Test
  void verdictsOfAMissingTopicIsUnavailableLikeEveryMissingResource() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "nothing", dir.resolve("nothing"), 2);
    CliRun run = CliRun.of(args("verdicts", flags, "--from-beginning"));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(run.err()).contains(flags.get(GateConfig.TOPIC_VERDICTS));
  }

  @Test
  void aWrongRegistryUrlIsReportedAtStartByVerdictsAndRun() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "no-registry", dir.resolve("no-registry"), 2);
    GateOnKafkaIT.createTopics(KafkaStack.runtime(flags));
    String wrong = "http://127.0.0.1:" + freePort();
    flags.put(GateConfig.SCHEMA_REGISTRY_URL, wrong);
    for (String command : List.of("verdicts", "run")) {
      long start = System.nanoTime();
      CliRun run = CliRun.of(args(command, flags));
      assertThat(run.exitCode()).as(command + ": " + run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
      assertThat(run.err()).as(command).contains("schema registry at " + wrong).contains("did not answer");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as(command).isLessThan(Duration.ofSeconds(30));
    }
  }

  @Test
  void runWithoutABrokerSaysSoWithinHalfAMinute() throws Exception {
    String nowhere = "127.0.0.1:" + freePort();
    long start = System.nanoTime();
    CliRun run = CliRun.of("run", "--bootstrap-servers", nowhere, "--set", "metrics.port=-1",
        "--set", "state.dir=" + dir.resolve("no-broker"));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(run.err()).contains("Kafka at " + nowhere + " did not answer within 15 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void resetTakesTheClusterFlagsAndSaysWhenNoBrokerAnswers() throws Exception {
    String nowhere = "127.0.0.1:" + freePort();
    CliRun run = CliRun.of("reset", "--bootstrap-servers", nowhere, "--set", "state.dir=" + dir.resolve("reset-no-broker"));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(run.err()).contains("Kafka at " + nowhere).contains("did not answer").doesNotContain("reset complete");
  }

  @Test
  void rerunningAPublishThatStoppedHalfwayGivesTheSameVerdicts() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "rerun", dir.resolve("rerun"), 3);
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateOnKafkaIT.createTopics(runtime);
    List<String> lines = Files.readAllLines(Path.of(HISTORY));
    // Acknowledged per partition: what arrived of a failed publish is any subset of the file, not a prefix.
    String arrived = java.util.stream.IntStream.range(0, lines.size()).filter(i -> i % 3 != 1).mapToObj(lines::get)
        .collect(Collectors.joining("\n", "", "\n"));
    Path partial = dir.resolve("partial.jsonl");
    Files.writeString(partial, arrived);
    try (GateService gate = runtime.gateService()) {
      gate.start();
      assertThat(CliRun.of(args("publish", flags, "--input", partial.toString())).exitCode()).isZero();
      CliRun rerun = CliRun.of(args("publish", flags, "--input", HISTORY));
      assertThat(rerun.exitCode()).as(rerun.err()).isZero();
      assertThat(rerun.err()).contains("all acknowledged");
      var expected = GateOnKafkaIT.finalOutcomes(GateOnKafkaIT.replay(Files.readString(Path.of(HISTORY))));
      await().atMost(WAIT).untilAsserted(() -> assertThat(GateOnKafkaIT.withoutLapses(
          GateOnKafkaIT.finalOutcomes(KafkaStack.verdicts(runtime)), expected)).isEqualTo(expected));
      assertThat(GateOnKafkaIT.versionsPerContact(KafkaStack.verdicts(runtime))).allSatisfy((contact, versions) ->
          assertThat(versions).isEqualTo(GateOnKafkaIT.oneTo(versions.size())));
    }
  }

  @Test
  void replayTakesADateForUntilAndStandardInputAndSaysWhatIsWrongWithItsFile() throws Exception {
    CliRun instant = CliRun.of("replay", "--input", HISTORY, "--until", "2027-01-01T00:00:00Z");
    CliRun date = CliRun.of("replay", "--input", HISTORY, "--until", "2027-01-01");
    assertThat(date.exitCode()).isZero();
    assertThat(date.out()).isEqualTo(instant.out()).isNotEmpty();

    CliRun badDate = CliRun.of("replay", "--input", HISTORY, "--until", "2024-04-0x");
    assertThat(badDate.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(badDate.err()).contains("neither an ISO-8601 instant").contains("nor a date");

    var stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream(Files.readAllBytes(Path.of(HISTORY))));
      CliRun piped = CliRun.of("replay", "--input", "-", "--until", "2027-01-01");
      assertThat(piped.exitCode()).as(piped.err()).isZero();
      assertThat(piped.out()).isEqualTo(instant.out());
    } finally {
      System.setIn(stdin);
    }

    CliRun directory = CliRun.of("replay", "--input", dir.toString());
    assertThat(directory.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(directory.err()).contains("is a directory");
    CliRun missing = CliRun.of("replay", "--input", dir.resolve("nope.jsonl").toString());
    assertThat(missing.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(missing.err()).contains("no such file");

    Path binary = dir.resolve("binary.jsonl");
    Files.write(binary, new byte[] {0, (byte) 0xff, (byte) 0xfe, 10, 1, 2, (byte) 0xc3, 10});
    CliRun garbage = CliRun.of("replay", "--input", binary.toString());
    assertThat(garbage.exitCode()).as(garbage.err()).isEqualTo(ConsentGateCli.EXIT_BAD_INPUT);
    assertThat(garbage.err()).contains("line 1").contains("line 2").contains("2 malformed lines");
  }

  @Test
  void replayTakesTheSameConfigurationLayersAsEveryCommand() throws Exception {
    // Environment variables reach only a new process.
    ProcessResult optin = consentGate(Map.of(), "replay", "--input", HISTORY, "--until", "2027-01-01");
    ProcessResult strict = consentGate(Map.of("CONSENT_GATE_POLICY_DEFAULT_PROFILE", "strict"),
        "replay", "--input", HISTORY, "--until", "2027-01-01");
    assertThat(optin.exit()).isZero();
    assertThat(strict.exit()).isZero();
    assertThat(strict.out()).contains("\"policy\":\"strict/").doesNotContain("\"policy\":\"optin/");
    assertThat(optin.out()).contains("\"policy\":\"optin/");

    ProcessResult unknown = consentGate(Map.of("CONSENT_GATE_NO_SUCH_KEY", "x"), "replay", "--input", HISTORY);
    assertThat(unknown.exit()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(unknown.err()).contains("CONSENT_GATE_NO_SUCH_KEY");
    CliRun unknownKey = CliRun.of("replay", "--input", HISTORY, "--set", "no.such.key=1");
    assertThat(unknownKey.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(unknownKey.err()).contains("no.such.key");
  }

  record ProcessResult(int exit, String out, String err) {}

  static ProcessResult consentGate(Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ConsentGateCli.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new ProcessResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err));
  }
}
