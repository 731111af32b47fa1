package io.consentgate.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.app.GateConfig;
import io.consentgate.history.HistoryGenerator;
import io.consentgate.topology.TopologySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The replay on several threads writes exactly what one thread writes: the same bytes, the same
 * counts, whatever the number of threads, the history and where it ends.
 */
class ShardedReplayTest {

  private static final TopologySettings SETTINGS = settings();

  private static TopologySettings settings() {
    try {
      return GateConfig.load(null, Map.of()).topologySettings(false);
    } catch (GateConfig.ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Run(String verdicts, String errors, OfflineReplay.Result result) {}

  private static Run replay(String history, Instant until, int threads) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    OfflineReplay.Result result = new OfflineReplay(SETTINGS, OfflineReplay.DIRECT, threads)
        .run(new BufferedReader(new StringReader(history)), until, new PrintWriter(out), new PrintWriter(err));
    return new Run(out.toString(), err.toString(), result);
  }

  private static String generated(long records, int perContact, long seed) {
    StringWriter w = new StringWriter();
    HistoryGenerator.generate(records, perContact, seed, new PrintWriter(w));
    return w.toString();
  }

  /** Malformed lines and records the gate refuses, spread through the history. */
  private static String withBadLines(String history, long seed) {
    List<String> lines = new ArrayList<>(history.lines().toList());
    java.util.Random random = new java.util.Random(seed);
    for (int i = 0; i < 5; i++) {
      int at = random.nextInt(lines.size());
      lines.add(at, i % 2 == 0 ? "{not json"
          : "{\"type\":\"evidence\",\"evidenceId\":\"ev-bad-" + i + "\",\"contactId\":\"\",\"brandId\":\"acme\","
              + "\"kind\":\"CHECKBOX_OPT_IN\",\"occurredAt\":\"2024-01-01T00:00:00Z\"}");
    }
    return String.join("\n", lines) + "\n";
  }

  @Property(tries = 8)
  void anyNumberOfThreadsWritesWhatOneThreadWrites(@ForAll @LongRange(min = 0, max = 1_000_000) long seed,
                                                   @ForAll @IntRange(min = 2, max = 5) int threads,
                                                   @ForAll @IntRange(min = 2, max = 12) int perContact) throws Exception {
    // Over several batches of the sharded engine, with lapses along the way and a last check far ahead.
    String history = withBadLines(generated(3 * ShardedReplayEngine.BATCH + 777, perContact, seed), seed);
    Instant until = Instant.parse("2031-01-01T00:00:00Z");
    Run one = replay(history, until, 1);
    Run many = replay(history, until, threads);
    assertThat(one.result().verdicts()).isPositive();
    assertThat(one.result().malformedLines()).isPositive();
    assertThat(one.result().deadLettered()).isPositive();
    assertSameLines(many.verdicts(), one.verdicts());
    assertThat(many.errors()).isEqualTo(one.errors());
    assertThat(many.result()).isEqualTo(one.result());
  }

  @Test
  void oneLapseCheckOfContactsOfEveryShardIsWrittenInTheScheduleOrder() throws Exception {
    // Implicit consents lapse two years on; --until far ahead lapses every one of them in one check.
    String history = generated(40_000, 4, 7);
    Instant until = Instant.parse("2035-01-01T00:00:00Z");
    Run one = replay(history, until, 1);
    Run four = replay(history, until, 4);
    Run withoutUntil = replay(history, null, 1);
    List<String> lastCheck = one.verdicts().lines().skip(withoutUntil.verdicts().lines().count()).toList();
    assertThat(lastCheck).as("the last check lapses many contacts").hasSizeGreaterThan(100)
        .allSatisfy(l -> assertThat(l).contains("\"decidedAt\":\"2035-01-01T00:00:00Z\""));
    assertSameLines(four.verdicts(), one.verdicts());
  }

  /** Equal texts; else the first line that differs, with its number, rather than two walls of text. */
  private static void assertSameLines(String actual, String expected) {
    List<String> a = actual.lines().toList();
    List<String> e = expected.lines().toList();
    for (int i = 0; i < Math.min(a.size(), e.size()); i++) {
      assertThat(a.get(i)).as("line %d of %d", i + 1, e.size()).isEqualTo(e.get(i));
    }
    assertThat(a).as("lines").hasSameSizeAs(e);
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void anUntilBeforeARecordFailsAfterWritingWhatCameBeforeIt() throws Exception {
    String history = generated(3 * ShardedReplayEngine.BATCH, 4, 11);
    Instant early = Instant.parse("2024-01-01T00:00:00Z");
    List<String> written = new ArrayList<>();
    for (int threads : List.of(1, 3)) {
      StringWriter out = new StringWriter();
      assertThatThrownBy(() -> new OfflineReplay(SETTINGS, OfflineReplay.DIRECT, threads)
          .run(new BufferedReader(new StringReader(history)), early, new PrintWriter(out),
              new PrintWriter(Writer.nullWriter())))
          .isInstanceOf(OfflineReplay.UntilTooEarly.class);
      written.add(out.toString());
    }
    assertThat(written.get(1)).isEqualTo(written.get(0));
  }

  @Test
  void aVerdictThatCannotBeWrittenFailsTheReplay() throws Exception {
    String history = generated(2 * ShardedReplayEngine.BATCH, 4, 3);
    OfflineReplay.Verdicts failing = v -> {
      throw new IOException("disk full");
    };
    try (ParsedHistory lines = new ParsedHistory(new BufferedReader(new StringReader(history)), SETTINGS.topics())) {
      assertThatThrownBy(() -> new OfflineReplay(SETTINGS, OfflineReplay.DIRECT, 2)
          .run(lines, OfflineReplay.Cut.NONE, failing, new PrintWriter(Writer.nullWriter())))
          .isInstanceOf(IOException.class).hasMessage("disk full");
    }
  }

  @Test
  void lessThanOneThreadIsRefused() {
    assertThatThrownBy(() -> new OfflineReplay(SETTINGS, OfflineReplay.DIRECT, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
  }
}
