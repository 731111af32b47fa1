package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.events.ConsentVerdict;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gate killed without any chance to close (SIGKILL to its JVM) in the middle of a backlog, then
 * restarted: read_committed, every contact's verdicts are versions 1..n with no gap and no
 * duplicate, because state, offsets and verdicts commit in one transaction.
 */
class GateKillIT {

  private static final Duration WAIT = Duration.ofSeconds(120);

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  @Test
  void aGateKilledMidStreamResumesWithNoGapAndNoDuplicateVersion() throws Exception {
    Map<String, String> flags = stack.gateFlags("kill-", "killed", dir.resolve("killed"), 3);
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateOnKafkaIT.createTopics(runtime);
    String history = GateOnKafkaIT.generated(30_000, 11);
    long contacts = history.lines().filter(l -> l.contains("\"type\":\"contact\"")).count();

    Path logs = Path.of("target", "gate-kill-logs");
    java.nio.file.Files.createDirectories(logs);
    // The gate runs live before the history arrives (a gate started over a backlog would catch up
    // quietly and publish nothing until done), so the kill lands in the middle of a stream.
    Process first = startGate(flags, logs.resolve("gate-1.log"));
    try {
      await().atMost(WAIT).until(() -> java.nio.file.Files.readString(logs.resolve("gate-1.log")).contains("-> RUNNING"));
      KafkaStack.publish(runtime, history);
      // A cheap look at the verdict topic's end offsets, so the kill lands early in the backlog.
      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> stack.verdictOffsets(runtime) > 1_000);
    } finally {
      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no commit, no close
    }
    int atKill = KafkaStack.verdicts(runtime).size();
    assertThat(stack.caughtUp(runtime)).as("killed before it had finished").isFalse();

    Process second = startGate(flags, logs.resolve("gate-2.log"));
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> stack.caughtUp(runtime));
      scrapeMetrics(logs.resolve("gate-2.log"));
    } finally {
      second.destroy(); // SIGTERM: the clean way
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }
    // A clean stop on SIGTERM is a success (the JVM alone would report 128 + 15).
    assertThat(second.exitValue()).as("exit code after SIGTERM").isZero();
    assertThat(java.nio.file.Files.readString(logs.resolve("gate-2.log")))
        .as("closed cleanly: Streams reached NOT_RUNNING").contains("-> NOT_RUNNING");

    List<ConsentVerdict> verdicts = KafkaStack.verdicts(runtime);
    System.out.printf("kill/restart: %d input records, %d contacts, %d verdicts committed at the kill, %d after the restart%n",
        history.lines().count(), contacts, atKill, verdicts.size());
    assertThat(verdicts.stream().map(ConsentVerdict::getContactId).distinct().count()).isEqualTo(contacts);
    assertThat(GateOnKafkaIT.versionsPerContact(verdicts)).allSatisfy((contact, versions) ->
        assertThat(versions).as("versions of %s", contact).isEqualTo(GateOnKafkaIT.oneTo(versions.size())));
  }

  /** The running gate answers /health and serves its metrics. */
  private static void scrapeMetrics(Path log) throws Exception {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("metrics on http://0\\.0\\.0\\.0:(\\d+)/metrics")
        .matcher(java.nio.file.Files.readString(log));
    assertThat(m.find()).as("the gate logs its metrics port").isTrue();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + m.group(1);
    var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("RUNNING");
    String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    // Kafka Streams metrics (the binder picks up metrics created later, like the gate's own sensors, on its refresh).
    assertThat(metrics).contains("kafka_stream_");
  }

  static Process startGate(Map<String, String> flags, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-Dlogback.configurationFile=" + Path.of("../consent-service/src/main/resources/logback.xml").toAbsolutePath(), "-cp", System.getProperty("java.class.path"), ConsentGateCli.class.getName(), "run"));
    flags.forEach((k, v) -> {
      command.add("--set");
      command.add(k + "=" + v);
    });
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
