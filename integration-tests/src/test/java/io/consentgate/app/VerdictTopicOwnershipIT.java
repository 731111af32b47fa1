package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.runtime.GateStart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per verdict topic, decided by the order of the claims log on a real broker: two
 * application ids racing for one topic, and a take-over of a gate that is still running.
 */
class VerdictTopicOwnershipIT {

  private static final Duration WAIT = Duration.ofSeconds(120);

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  /** What one racer's start came to: its GateStart, or the owner it was refused for. */
  private record Start(GateStart start, String refusedFor) {}

  @Test
  void twoApplicationIdsStartingAtTheSameMomentLeaveExactlyOneWriterEveryTime() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        String prefix = stack.uniquePrefix();
        Map<String, String> a = stack.gateFlags(prefix, "race-a-" + round, dir.resolve("race-a-" + round), 2);
        Map<String, String> b = new HashMap<>(a);
        b.put(GateConfig.APPLICATION_ID, "race-b-" + round);
        GateOnKafkaIT.createTopics(KafkaStack.runtime(a));
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<Start>> racers = new ArrayList<>();
        for (Map<String, String> flags : List.of(a, b)) {
          racers.add(pool.submit(() -> {
            GateRuntime runtime = KafkaStack.runtime(flags);
            GateConfig config = runtime.config();
            try (Admin admin = runtime.admin()) {
              together.await();
              return new Start(GateStart.prepare(admin, config.kafka().clientProperties(), config.streams().applicationId(),
                  config.topics(), config.topicCreation().replicationFactor(), false), null);
            } catch (GateStart.VerdictTopicTaken e) {
              return new Start(null, e.owner());
            }
          }));
        }
        Start first = racers.get(0).get(60, TimeUnit.SECONDS);
        Start second = racers.get(1).get(60, TimeUnit.SECONDS);
        List<Start> won = new ArrayList<>();
        String winner = null;
        for (int i = 0; i < 2; i++) {
          Start s = i == 0 ? first : second;
          if (s.start() != null) {
            won.add(s);
            winner = (i == 0 ? a : b).get(GateConfig.APPLICATION_ID);
            s.start().catchUp().close();
          }
        }
        assertThat(won).as("round %d: exactly one writer", round).hasSize(1);
        Start lost = first.start() == null ? first : second;
        assertThat(lost.refusedFor()).as("round %d: the refused one names the owner", round).isEqualTo(winner);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aGateWhoseVerdictTopicIsTakenOverWhileItRunsStopsWithExit4() throws Exception {
    String prefix = stack.uniquePrefix();
    Map<String, String> blue = stack.gateFlags(prefix, "owner-blue", dir.resolve("owner-blue"), 2);
    blue.put("metrics.port", "-1");
    GateRuntime blueRuntime = KafkaStack.runtime(blue);
    GateOnKafkaIT.createTopics(blueRuntime);
    Path log = dir.resolve("owner-blue.log");
    Process running = GateKillIT.startGate(blue, log);
    try {
      await().atMost(WAIT).until(() -> Files.readString(log).contains("-> RUNNING"));
      Map<String, String> green = new HashMap<>(blue);
      green.put(GateConfig.APPLICATION_ID, "owner-green");
      green.put(GateConfig.STATE_DIR, dir.resolve("owner-green").toString());
      CliRun refused = CliRun.of(RedecidingIT.command("run", green));
      assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
      assertThat(refused.err()).contains("owner-blue").contains("owner-green")
          .as("names flags that exist").contains("--take-over-verdict-topic").contains("--set " + GateConfig.TOPIC_VERDICTS + "=");

      try (RunningGate takeover = RunningGate.start(KafkaStack.runtime(green), true)) {
        assertThat(running.waitFor(60, TimeUnit.SECONDS)).as("the running owner stops when it sees the take-over").isTrue();
        assertThat(running.exitValue()).as(Files.readString(log)).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
        assertThat(Files.readString(log)).contains("taken over by application id owner-green");
      }
    } finally {
      running.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
