package io.consentgate.bench;

import io.consentgate.history.HistoryGenerator;
import io.consentgate.topology.StreamsSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What the benchmarks share: the generated history they preload, the gate's Streams settings in a
 * benchmark, how a throughput run is timed, the median and rounding of the results, and the log.
 */
final class BenchSupport {

  private BenchSupport() {}

  static String history(long events, int perContact, long seed) {
    StringWriter w = new StringWriter();
    HistoryGenerator.generate(events, perContact, seed, new PrintWriter(w));
    return sharingAddresses(w.toString(), seed);
  }

  /** Share of the contacts re-imported under another id with the address of an earlier contact of their brand. */
  static final double SHARED_ADDRESS_SHARE = 0.03;

  /**
   * The generated history gives every contact an address of its own; a real base has people
   * re-imported as new contacts (suppression by address, docs/policy.md). This gives about
   * {@link #SHARED_ADDRESS_SHARE} of the contacts the address of an earlier contact of the same
   * brand, spelled as a variant (upper case, a {@code +tag}), so the gate's index has work to do.
   */
  static String sharingAddresses(String history, long seed) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed * 17 + 3);
    Map<String, List<String>> byBrand = new HashMap<>();
    StringBuilder out = new StringBuilder(history.length() + 1024);
    for (String line : history.split("\n")) {
      if (line.contains("\"type\":\"contact\"")) {
        String brand = field(line, "brandId");
        String email = field(line, "email");
        List<String> earlier = byBrand.computeIfAbsent(brand, k -> new ArrayList<>());
        if (brand != null && email != null && !earlier.isEmpty() && random.nextDouble() < SHARED_ADDRESS_SHARE) {
          String shared = earlier.get(random.nextInt(earlier.size()));
          int at = shared.indexOf('@');
          String variant = random.nextBoolean() ? shared.toUpperCase(java.util.Locale.ROOT)
              : shared.substring(0, at) + "+re" + shared.substring(at);
          line = line.replace("\"email\":\"" + email + "\"", "\"email\":\"" + variant + "\"");
        } else if (email != null) {
          earlier.add(email);
        }
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private static String field(String line, String name) {
    String key = "\"" + name + "\":\"";
    int from = line.indexOf(key);
    if (from < 0) {
      return null;
    }
    from += key.length();
    return line.substring(from, line.indexOf('"', from));
  }

  /**
   * The fraction of the input from which a throughput round is timed: the rate from when the group
   * had committed a tenth of the input until it committed all of it, so that no application's
   * start-up counts (see {@link BenchCluster#awaitCaughtUp(String, Set, Duration, double)}).
   */
  static final double STEADY_FROM = 0.1;

  /**
   * @param startupSeconds from start to the first output record appended
   * @param processingSeconds how long the whole input takes at the steady rate
   * @param totalSeconds from start until the group committed every input record
   */
  record Timing(double startupSeconds, double processingSeconds, double totalSeconds) {
    /** Timed at the steady rate: from when {@link #STEADY_FROM} of the input was committed to the end. */
    static Timing steady(long startNanos, long startMillis, Instant firstOutput, long markNanos, long endNanos) {
      if (firstOutput == null) {
        throw new IllegalStateException("no output was appended");
      }
      double startup = Math.max(0, (firstOutput.toEpochMilli() - startMillis) / 1e3);
      return new Timing(startup, (endNanos - markNanos) / 1e9 / (1 - STEADY_FROM), (endNanos - startNanos) / 1e9);
    }
  }

  /**
   * The gate's Streams settings in a benchmark: production's ({@link StreamsSettings#defaults()}, the
   * same that {@code run} starts from, built into properties by the same {@code GateStreamsConfig}:
   * acks=all, explicit naming, the topology's handlers, the bounded RocksDB memory), changed only
   * where a benchmark must: its cluster, application id and state directory, replication factor 1
   * (the in-process broker is one node), and two stream threads, one per core of the build machine.
   * Production's one standby replica stays: with a single instance Kafka Streams has nowhere to put
   * it (it logs so), and nothing else changes.
   *
   * <p>The commit interval is production's: Kafka Streams' default, 100 ms under exactly-once. Under
   * at-least-once production commits every 30 s (Streams' default there); the benchmark sets 100 ms
   * instead, so that "caught up" (every input offset committed) means the same for both guarantees
   * rather than waiting up to 30 s for the last commit.
   */
  static StreamsSettings gateStreamsSettings(String bootstrap, String app, String guarantee, Path state) {
    StreamsSettings streams = StreamsSettings.defaults()
        .withBootstrapServers(bootstrap)
        .withApplicationId(app)
        .withProcessingGuarantee(guarantee)
        .withStateDir(state)
        .withReplicationFactor(1)
        .withOverride(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(STREAM_THREADS));
    if (guarantee.equals(StreamsConfig.AT_LEAST_ONCE)) {
      streams = streams.withOverride(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(ALO_COMMIT_INTERVAL_MS));
    }
    return streams;
  }

  static final int STREAM_THREADS = 2;
  /** At-least-once only: exactly-once commits every 100 ms by default. */
  static final int ALO_COMMIT_INTERVAL_MS = 100;

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static long round(double v) {
    return Math.round(v);
  }

  static void log(String format, Object... args) {
    System.err.printf("[bench] " + format + "%n", args);
  }
}
