package io.consentgate.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short, seeded version of the lifecycle chaos suite: gates of the production jar while
 * contacts, grants and withdrawals arrive; on one broker a race of two application ids and three
 * faults, on three brokers four others with a partition leader killed, every kind once between
 * them. Passes when nothing is
 * lost, duplicated or allowed after a withdrawal and no gate misbehaved (see lifecycle-chaos/README.md).
 */
class LifecycleChaosIT {

  /** A third of them the base of contacts: more than one re-publication batch (5,000 contacts) per task. */
  private static final long RECORDS = 36_000;
  /** The rest in about fifty seconds, and on at this rate while the faults last. */
  private static final int RATE = 500;

  @TempDir
  Path dir;

  private ChaosSettings settings(long seed, List<Fault> kinds, int brokers, int partitions, boolean race) {
    Path jar = Path.of(System.getProperty("consentgate.gateJar", "../consent-service/target/consent-gate.jar"));
    assertThat(jar).as("the production jar, built by the reactor before this module").isRegularFile();
    return new ChaosSettings(seed, RECORDS, kinds.size(), kinds, brokers, partitions, RATE, 0.25, race, jar.toAbsolutePath(), "320m", dir);
  }

  /**
   * The race of two application ids, then the faults that change who writes the verdict topic, and
   * in which epoch. One partition: one task holds every contact, so each re-publication takes
   * several batches, a second apart, while withdrawals keep arriving.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void oneBrokerRaceResetTakeoverAndIntruderLoseNothing() throws Exception {
    assertPassed(LifecycleChaos.run(settings(20261201L, List.of(Fault.RESET, Fault.TAKEOVER, Fault.SECOND_APP_ID), 1, 1, true),
        System.out));
  }

  /** A partition leader killed and restarted, among the faults that make a gate restore or rebalance. */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void threeBrokersWithALeaderKilledLoseNothing() throws Exception {
    assertPassed(LifecycleChaos.run(settings(20261202L, List.of(Fault.BROKER, Fault.KILL, Fault.RESTART, Fault.SECOND_INSTANCE),
        3, 2, false), System.out));
  }

  private void assertPassed(ChaosResult result) throws Exception {
    assertThat(result.findings().records()).as("the input the checker read: at least the records asked for")
        .isGreaterThanOrEqualTo(RECORDS);
    assertThat(result.faults()).as("faults injected, the opening race included")
        .isEqualTo(result.settings().faults() + (result.settings().race() ? 1 : 0));
    assertThat(result.failures()).as(result.summary() + "; gate logs in " + dir.resolve("logs")
        + (Files.exists(dir) ? "" : " (gone)")).isEmpty();
  }
}
