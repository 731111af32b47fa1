package io.consentgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.consentgate.history.HistoryGenerator;
import io.consentgate.policy.PolicySettings;
import io.consentgate.replay.OfflineReplay;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.TopologySettings;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records per second of {@code replay} from a generated history file, as the command reads it,
 * with each engine, in a JVM of its own as a user's replay runs ({@link ChildJvm}): measured in the
 * bench's JVM after the broker's sections, the same code ran 10 to 15% slower.
 */
final class ReplayBench {

  private static final String RESULT_PREFIX = "{\"replay\"";

  private ReplayBench() {}

  /** By engine ({@code direct}, {@code topology}) and by deciding threads ({@code direct-1}, {@code direct-2} ...). */
  static Map<String, Long> rates(long events, Path work) throws Exception {
    Path file = work.resolve("replay-history.jsonl");
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
      HistoryGenerator.generate(events, 10, 43, out);
    }
    Map<String, Object> result = ChildJvm.run("the replay child", List.of(), Child.class, RESULT_PREFIX, file.toString());
    Map<String, Long> rates = new LinkedHashMap<>();
    ((Map<?, ?>) result.get("replay")).forEach((name, rate) -> rates.put((String) name, ((Number) rate).longValue()));
    return rates;
  }

  /** The measured process, with the JVM's default heap as a user's; argument: the history file. */
  static final class Child {

    private Child() {}

    public static void main(String[] args) throws Exception {
      Path file = Path.of(args[0]);
      TopologySettings settings = new TopologySettings(GateTopics.DEFAULTS, PolicySettings.defaults(), Duration.ofMinutes(1),
          false);
      Map<String, Long> rates = new LinkedHashMap<>();
      // Two passes unmeasured: on 2 cores the JIT needs about 3M records to settle (8.4, 5.3, then 3.5 s for 1M).
      for (int pass = 0; pass < 2; pass++) {
        rate(settings, OfflineReplay.DIRECT, OfflineReplay.defaultThreads(), file);
      }
      // How the direct engine scales: from one deciding thread to the default, and at least two
      // (replay_eps_by_threads); each the median of 3 passes, the thread counts alternating.
      int maxThreads = Math.max(2, OfflineReplay.defaultThreads());
      Map<Integer, List<Double>> passes = new TreeMap<>();
      for (int round = 0; round < 3; round++) {
        for (int threads = 1; threads <= maxThreads; threads++) {
          passes.computeIfAbsent(threads, t -> new ArrayList<>()).add((double) rate(settings, OfflineReplay.DIRECT, threads, file));
        }
      }
      passes.forEach((threads, runs) -> rates.put(OfflineReplay.DIRECT + "-" + threads, Math.round(BenchSupport.median(runs))));
      for (String engine : OfflineReplay.engines()) {
        rates.put(engine, engine.equals(OfflineReplay.DIRECT) ? rates.get(OfflineReplay.DIRECT + "-" + OfflineReplay.defaultThreads())
            : rate(settings, engine, 1, file));
      }
      System.out.println(new ObjectMapper().writeValueAsString(Map.of("replay", rates)));
    }

    private static long rate(TopologySettings settings, String engine, int threads, Path file) throws Exception {
      long start = System.nanoTime();
      OfflineReplay.Result r;
      try (BufferedReader history = Files.newBufferedReader(file)) {
        r = new OfflineReplay(settings, engine, threads).run(history, Instant.parse("2027-01-01T00:00:00Z"),
            new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter()));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      BenchSupport.log("replay (%s engine%s): %d records in %.1f s, %d verdicts", engine,
          engine.equals(OfflineReplay.DIRECT) ? ", " + threads + " deciding thread(s)" : "", r.records(), seconds,
          r.verdicts());
      return Math.round(r.records() / seconds);
    }
  }
}
