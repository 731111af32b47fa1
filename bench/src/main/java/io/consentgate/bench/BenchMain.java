package io.consentgate.bench;

import static io.consentgate.bench.BenchSupport.log;
import static io.consentgate.bench.BenchSupport.round;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.consentgate.replay.OfflineReplay;
import io.consentgate.topics.GateTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.Utils;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The benchmark suite: the gate's throughput beside a plain Kafka Streams byte passthrough of the
 * same preloaded records (alternating, median of the rounds), latency at fixed input rates, the
 * offline replay rate, the state restore rate, the policy alone (JMH) and process memory with 1M
 * and 10M contacts in state ({@link MemoryBench}).
 */
@Command(name = "consent-bench", mixinStandardHelpOptions = true,
    description = "Measures the gate; writes a JSON file of results and a PNG chart.")
public final class BenchMain implements Callable<Integer> {

  @Option(names = "--quick", description = "A short run of the headline sections (throughput, restore, latency, replay, "
      + "policy, memory), under 3 minutes on 2 cores; name others with --only.")
  boolean quick;

  @Option(names = "--smoke", hidden = true, description = "A tiny run that only proves the suite works (tests).")
  boolean smoke;

  @Option(names = "--out", defaultValue = "bench/results/latest.json", description = "Results file (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--only", split = ",", paramLabel = "SECTION",
      description = "Run only these sections: throughput, rerouting, audit, redecide, restore, latency, query, replay, "
          + "policy, memory, client (default: all). restore, rerouting and audit need throughput (restore wipes and "
          + "restores its state; rerouting and audit reuse its input).")
  Set<String> only;

  @Option(names = "--events", description = "Events to preload and replay, instead of the mode's number.")
  Long events;

  @Option(names = "--memory-heap", defaultValue = MemoryBench.DEFAULT_HEAP,
      description = "-Xmx of the process the memory benchmark measures (default: ${DEFAULT-VALUE}).")
  String memoryHeap;

  @Option(names = "--bootstrap-servers", description = "Measure on this cluster instead of an in-process broker.")
  String bootstrapServers;

  @Spec
  CommandSpec spec;

  /** Every section --only may name, in the order a full run measures them. */
  static final List<String> SECTIONS = List.of("throughput", "rerouting", "audit", "redecide", "restore", "latency", "query",
      "replay", "policy", "memory", "client");

  /** How long a cluster given by --bootstrap-servers has to answer before the run gives up (as the gate's commands). */
  static final Duration CLUSTER_ANSWER_TIMEOUT = Duration.ofSeconds(15);

  /** Refuses what would make a run measure nothing, or something else than asked, while saying it succeeded. */
  private void validate() {
    if (only != null) {
      List<String> unknown = only.stream().filter(section -> !SECTIONS.contains(section)).sorted().toList();
      if (!unknown.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--only: unknown section(s) " + String.join(", ", unknown)
            + "; the sections are " + String.join(", ", SECTIONS));
      }
      if (only.contains("restore") && !only.contains("throughput")) {
        throw new ParameterException(spec.commandLine(),
            "--only restore needs throughput too: it restores the state of the last throughput round");
      }
    }
    if (events != null && events < 1) {
      throw new ParameterException(spec.commandLine(), "--events must be at least 1, not " + events);
    }
    if (!memoryHeap.matches("[1-9][0-9]*[kKmMgG]?")) {
      throw new ParameterException(spec.commandLine(), "--memory-heap must be a size as -Xmx takes it (e.g. 512m), not '"
          + memoryHeap + "'");
    }
  }

  /** Whether the cluster given by --bootstrap-servers answers; says why not on stderr. */
  private boolean clusterAnswers() {
    Map<String, Object> props = Map.of("bootstrap.servers", bootstrapServers,
        "default.api.timeout.ms", (int) CLUSTER_ANSWER_TIMEOUT.toMillis(),
        "request.timeout.ms", (int) CLUSTER_ANSWER_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().clusterId().get(CLUSTER_ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      spec.commandLine().getErr().printf("consent-bench: Kafka at %s did not answer within %d s (%s)%n", bootstrapServers,
          CLUSTER_ANSWER_TIMEOUT.toSeconds(), e.getCause() != null ? e.getCause() : e);
      return false;
    }
  }

  static final List<String> HEADLINE_KEYS = List.of("gate_eos_eps", "passthrough_eos_eps", "ratio_gate_to_passthrough",
      "stateful_eos_eps", "ratio_gate_to_stateful",
      "gate_alo_eps", "latency_p99_ms_at_20k", "latency_p99_ms_at_40k", "replay_eps", "restore_eps", "policy_decisions_per_s",
      "rss_mb_1m_contacts", "rss_mb_10m_contacts");

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true"); // the chart is drawn off-screen, on servers without a display
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  static final long SMOKE_CONTACTS = 20_000;
  /** The exit code when the cluster to measure on does not answer: the gate's commands' code for "unavailable". */
  static final int UNAVAILABLE = 4;

  private Plan plan() {
    Plan plan = modePlan();
    return events == null ? plan : new Plan(events, plan.eventsPerContact(), plan.partitions(), plan.rounds(),
        plan.reroutingPairs(), plan.ratesPerSecond(), plan.latencyWindow(), events, plan.jmh(), plan.memoryContacts());
  }

  /**
   * The sections a quick run measures when no {@code --only} names others: the headline figures.
   * The pairs (rerouting, audit), re-deciding, the query API and the client take about as long
   * again, so they run in a full run or when named.
   */
  static final Set<String> QUICK_SECTIONS = Set.of("throughput", "restore", "latency", "replay", "policy", "memory");

  private boolean runs(String section) {
    if (only != null) {
      return only.contains(section);
    }
    return !quick || QUICK_SECTIONS.contains(section);
  }

  private Plan modePlan() {
    if (smoke) {
      return new Plan(3_000, 10, 2, 1, 1, new int[] {500}, Duration.ofSeconds(2), 3_000, false, new long[] {SMOKE_CONTACTS});
    }
    if (quick) {
      return new Plan(120_000, 10, 4, 5, 3, new int[] {5_000}, Duration.ofSeconds(8), 200_000, true,
          new long[] {1_000_000});
    }
    return new Plan(1_000_000, 10, 6, 5, 9, new int[] {5_000, 20_000, 40_000}, Duration.ofSeconds(20), 1_000_000, true,
        new long[] {1_000_000, 10_000_000});
  }

  @Override
  public Integer call() throws Exception {
    validate();
    if (bootstrapServers != null && !clusterAnswers()) {
      return UNAVAILABLE;
    }
    Plan plan = plan();
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("mode", smoke ? "smoke" : quick ? "quick" : "full");
    results.put("machine", machine());
    results.put("started_at", Instant.now().toString());
    for (String key : HEADLINE_KEYS) {
      results.put(key, null); // present in every results file; null where this run skipped the measure
    }
    ClientBench.KEYS.forEach(key -> results.put(key, null));
    Path work = Files.createTempDirectory("consent-bench");
    try {
      boolean onBroker = runs("throughput") || runs("rerouting") || runs("audit") || runs("redecide") || runs("restore")
          || runs("latency") || runs("query");
      if (onBroker) {
        try (BenchCluster cluster = new BenchCluster(work.resolve("kafka"), bootstrapServers)) {
          GateTopics topics = new GateTopics("bench-contact-created", "bench-consent-evidence", "bench-consent-verdicts",
              "bench-consent-gate-dlq");
          if (runs("throughput") || runs("rerouting") || runs("audit") || runs("redecide")) {
            new ThroughputBench(this::runs).run(plan, cluster, topics, work, results);
          }
          if (runs("latency")) {
            latency(plan, cluster, work, results);
          }
          if (runs("query")) {
            query(plan, cluster, work, results);
          }
        }
      }
      if (runs("replay")) {
        Map<String, Long> replay = ReplayBench.rates(plan.replayEvents(), work);
        results.put("replay_eps", replay.get("direct"));
        results.put("replay_topology_engine_eps", replay.get("topology"));
        Map<String, Long> byThreads = new LinkedHashMap<>();
        replay.forEach((name, rate) -> {
          if (name.startsWith(OfflineReplay.DIRECT + "-")) {
            byThreads.put(name.substring(OfflineReplay.DIRECT.length() + 1), rate);
          }
        });
        results.put("replay_eps_by_threads", byThreads);
      }
      if (runs("policy")) {
        results.put("policy_decisions_per_s", plan.jmh() ? round(policyDecisionsPerSecond(quick, "outcome")) : null);
        results.put("policy_full_verdicts_per_s", plan.jmh() ? round(policyDecisionsPerSecond(quick, "decide")) : null);
      }
      results.put("rss_mb_after_run", rssMb());
      if (runs("memory")) {
        Map<String, Object> memory = memory(new MemoryBench(memoryHeap, MemoryBench.DEFAULT_ROCKSDB_MEMORY_BYTES),
            plan.memoryContacts(), work);
        results.put("rss_mb_1m_contacts", rssWith(memory, 1_000_000));
        results.put("rss_mb_10m_contacts", rssWith(memory, 10_000_000));
        results.put("memory", memory);
      }
      if (runs("client")) {
        results.putAll(new ClientBench(smoke ? ClientBench.Mode.SMOKE : quick ? ClientBench.Mode.QUICK : ClientBench.Mode.FULL,
            bootstrapServers).run(work));
      }
    } finally {
      Utils.delete(work.toFile()); // broker logs and state: up to gigabytes per run
    }
    results.put("finished_at", Instant.now().toString());

    Files.createDirectories(out.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), results);
    Path chart = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.json$", "") + ".png");
    Chart.write(results, chart);
    log("results: %s, chart: %s", out, chart);
    return 0;
  }

  private static final int TRADE_OFF_COMMIT_INTERVAL_MS = 50;

  private static void latency(Plan plan, BenchCluster cluster, Path work, Map<String, Object> results) throws Exception {
    Map<String, Object> latency = new LinkedHashMap<>();
    for (int rate : plan.ratesPerSecond()) {
      LatencyBench.Result r = new LatencyBench(cluster, plan.partitions()).run(rate, plan.latencyWindow(), work.resolve("lat-" + rate));
      latency.put(String.valueOf(rate), r.asMap());
      log("latency at %d events/s: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms (%d verdicts)", rate, r.p50(), r.p99(), r.p999(), r.count());
    }
    results.put("latency_ms", latency);
    Object at20k = latency.containsKey("20000") ? ((Map<?, ?>) latency.get("20000")).get("p99") : null;
    results.put("latency_p99_ms_at_20k", at20k);
    Object at40k = latency.containsKey("40000") ? ((Map<?, ?>) latency.get("40000")).get("p99") : null;
    results.put("latency_p99_ms_at_40k", at40k);
    if (at40k != null) {
      // The knob a user turns to trade throughput for latency, measured: half the commit interval.
      LatencyBench.Result r = new LatencyBench(cluster, plan.partitions())
          .run(40_000, plan.latencyWindow(), work.resolve("lat-40000-commit-50"), TRADE_OFF_COMMIT_INTERVAL_MS);
      log("latency at 40000 events/s with commit.interval.ms=%d: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms (%d verdicts)",
          TRADE_OFF_COMMIT_INTERVAL_MS, r.p50(), r.p99(), r.p999(), r.count());
      results.put("latency_ms_at_40k_commit_interval_50ms", r.asMap());
    }
  }

  /** The query API's latency on two instances (see {@link QueryLatencyBench}). */
  private void query(Plan plan, BenchCluster cluster, Path work, Map<String, Object> results) throws Exception {
    long events = smoke ? 2_000 : quick ? 25_000 : 100_000;
    int requests = smoke ? 50 : quick ? 1_000 : 5_000;
    int batches = smoke ? 5 : quick ? 50 : 200;
    Map<String, Object> q = new QueryLatencyBench(cluster, Math.max(2, plan.partitions())).run(events, requests, batches,
        work.resolve("query"));
    log("query API (%s contacts, 2 instances): one contact local %s ms, forwarded %s ms; check of 1,000 %s ms",
        q.get("contacts"), q.get("local_ms"), q.get("forwarded_ms"), q.get("check_1000_ms"));
    ((Map<?, ?>) q.get("concurrent")).forEach((clients, level) -> log("query API, %s concurrent clients: %s",
        clients, level));
    log("query API while 200 connections stall: %s", q.get("get_while_200_stalled_ms"));
    results.put("query", q);
  }
  /**
   * @param method {@code outcome} (what the gate decides on every event) or {@code decide} (a full
   *     verdict with its reasons, built only when one is published)
   */
  private static double policyDecisionsPerSecond(boolean quick, String method) throws Exception {
    var options = new OptionsBuilder().include(PolicyBenchmark.class.getName() + "." + method + "$").forks(1).threads(1)
        .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(quick ? 2 : 3))
        .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(quick ? 2 : 3))
        .build();
    RunResult result = new Runner(options).runSingle();
    return result.getPrimaryResult().getScore(); // ops/s, one thread = one core
  }

  /** Per number of contacts in state, the memory of a gate-sized process holding them (see {@link MemoryBench}). */
  private static Map<String, Object> memory(MemoryBench bench, long[] contactCounts, Path work) throws Exception {
    Map<String, Object> byContacts = new LinkedHashMap<>();
    for (long contacts : contactCounts) {
      Map<String, Object> m = bench.measure(contacts, work);
      log("memory with %d contacts: RSS %s MB (peak %s MB), heap used %s MB, RocksDB %s, %s s", contacts, m.get("rss_mb"),
          m.get("rss_peak_mb"), m.get("heap_used_mb"), m.get("rocksdb"), m.get("seconds"));
      byContacts.put(String.valueOf(contacts), m);
    }
    return byContacts;
  }

  /** Null unless that size was measured: a smaller run must not stand in for it. */
  private static Object rssWith(Map<String, Object> memory, long contacts) {
    return memory.get(String.valueOf(contacts)) instanceof Map<?, ?> m ? m.get("rss_mb") : null;
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    m.put("java", System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    return m;
  }

  private static Long rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (Exception e) {
      return null;
    }
    return null;
  }
}
