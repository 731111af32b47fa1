package io.consentgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressWatchTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final ProgressWatch watch = new ProgressWatch(Duration.ofSeconds(45));

  private static ProgressWatch.Offsets committedFetched(long committed, long fetched) {
    return new ProgressWatch.Offsets(committed, fetched);
  }

  @Test
  void inputWaitingWithoutACommitBeyondTheTimeoutIsAStall() {
    assertThat(watch.observe(Map.of("contact-created-0", committedFetched(10, 12)), T0)).isEmpty();
    assertThat(watch.observe(Map.of("contact-created-0", committedFetched(10, 40)), T0.plusSeconds(45))).isEmpty();
    assertThat(watch.observe(Map.of("contact-created-0", committedFetched(10, 40)), T0.plusSeconds(46)))
        .singleElement().satisfies(stall -> {
          assertThat(stall.partition()).isEqualTo("contact-created-0");
          assertThat(stall.since()).isEqualTo(T0);
          assertThat(stall.length(T0.plusSeconds(46))).isEqualTo(Duration.ofSeconds(46));
        });
  }

  @Test
  void aCommitRestartsTheClock() {
    watch.observe(Map.of("p", committedFetched(10, 20)), T0);
    watch.observe(Map.of("p", committedFetched(11, 20)), T0.plusSeconds(40));
    assertThat(watch.observe(Map.of("p", committedFetched(11, 20)), T0.plusSeconds(80))).isEmpty();
    assertThat(watch.observe(Map.of("p", committedFetched(11, 20)), T0.plusSeconds(86))).hasSize(1);
  }

  @Test
  void aCaughtUpPartitionIsNeverStalledHoweverLongItIsQuiet() {
    // committed is the next offset to read; fetched the last record seen: nothing waits.
    watch.observe(Map.of("p", committedFetched(21, 20)), T0);
    assertThat(watch.observe(Map.of("p", committedFetched(21, 20)), T0.plus(Duration.ofHours(5)))).isEmpty();
    assertThat(watch.observe(Map.of("p", committedFetched(-1, -1)), T0.plus(Duration.ofHours(6)))).isEmpty();
  }

  @Test
  void aThreadThatDiesOnTheSameRecordNeverCommitsAndIsAStall() {
    // Each replacement thread's task starts with no commit of its own and fetches the bad record again.
    watch.observe(Map.of("p", committedFetched(7, 7)), T0);
    watch.observe(Map.of("p", committedFetched(-1, 7)), T0.plusSeconds(10));
    watch.observe(Map.of("p", committedFetched(-1, 7)), T0.plusSeconds(30));
    assertThat(watch.observe(Map.of("p", committedFetched(-1, 7)), T0.plusSeconds(56))).hasSize(1);
  }

  @Test
  void aPartitionThatMovedToAnotherInstanceIsForgotten() {
    watch.observe(Map.of("p", committedFetched(10, 20)), T0);
    watch.observe(Map.of(), T0.plusSeconds(30));
    assertThat(watch.observe(Map.of("p", committedFetched(10, 20)), T0.plusSeconds(60))).as("its clock starts again").isEmpty();
  }
}
