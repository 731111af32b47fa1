package io.consentgate.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.app.GateConfig;
import io.consentgate.history.HistoryGenerator;
import io.consentgate.topology.TopologySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
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
  void contactsOfEveryShardLapsingInTheSameMillisecondAreWrittenByContactId() throws Exception {
    // The generator's times are random to the millisecond: here 200 implicit grants share one, so
    // the one check that lapses them all must order them by id across the shards.
    StringBuilder history = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      String id = "c-" + Integer.toString(i * 7919 % 1000, 36) + "-" + i;
      history.append("{\"type\":\"contact\",\"contactId\":\"").append(id).append("\",\"brandId\":\"acme\",")
          .append("\"email\":\"x").append(i).append("@example.org\",\"source\":\"OWN_CHANNEL\",")
          .append("\"createdAt\":\"2024-03-10T08:00:00Z\"}\n");
      history.append("{\"type\":\"evidence\",\"evidenceId\":\"e-").append(i).append("\",\"contactId\":\"").append(id)
          .append("\",\"brandId\":\"acme\",\"kind\":\"PURCHASE\",\"occurredAt\":\"2024-03-10T08:00:00.123Z\",")
          .append("\"proof\":{\"reference\":\"o-").append(i).append("\"}}\n");
    }
    Instant until = Instant.parse("2030-01-01T00:00:00Z");
    Run one = replay(history.toString(), until, 1);
    Run four = replay(history.toString(), until, 4);
    List<String> lapsed = one.verdicts().lines().filter(l -> l.contains("\"status\":\"EXPIRED\""))
        .map(l -> l.replaceAll(".*\"contactId\":\"([^\"]*)\".*", "$1")).toList();
    assertThat(lapsed).hasSize(200).isSorted();
    assertSameLines(four.verdicts(), one.verdicts());
  }

  @Test
  void aHistoryThatCannotBeReadToTheEndFailsAfterWritingWhatCameBeforeTheFailure() throws Exception {
    String history = generated(3 * ShardedReplayEngine.BATCH, 4, 13);
    int failAt = history.length() * 2 / 3;
    List<String> written = new ArrayList<>();
    for (int threads : List.of(1, 3)) {
      StringWriter out = new StringWriter();
      Reader failing = new Reader() {
        private final StringReader text = new StringReader(history);
        private int read;

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
          if (read >= failAt) {
            throw new IOException("disk read error");
          }
          int n = text.read(buf, off, Math.min(len, failAt - read));
          read += Math.max(n, 0);
          return n;
        }

        @Override
        public void close() {}
      };
      assertThatThrownBy(() -> new OfflineReplay(SETTINGS, OfflineReplay.DIRECT, threads)
          .run(new BufferedReader(failing), null, new PrintWriter(out), new PrintWriter(Writer.nullWriter())))
          .isInstanceOf(IOException.class).hasMessage("disk read error");
      written.add(out.toString());
    }
    assertThat(written.get(0)).isNotEmpty();
    assertSameLines(written.get(1), written.get(0));
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
