package io.consentgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.consentgate.history.HistoryGenerator;
import io.consentgate.policy.PolicySettings;
import io.consentgate.replay.OfflineReplay;
import io.consentgate.runtime.GateService;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.StreamsSettings;
import io.consentgate.topology.GateStreamsConfig;
import io.consentgate.topology.TopologySettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
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
  private static final String PASSTHROUGH_OUT = "bench-passthrough-out";
  private static final String STATEFUL_OUT = "bench-stateful-out";

  /** {@code memoryContacts}: the numbers of contacts in state to measure process memory with. */
  record Plan(long events, int eventsPerContact, int partitions, int rounds, int reroutingPairs, int[] ratesPerSecond,
              Duration latencyWindow, long replayEvents, boolean jmh, long[] memoryContacts) {}

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
            throughput(plan, cluster, topics, work, results);
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

  /** Throughput side by side, then the restore rate of the last exactly-once gate's state. */
  private void throughput(Plan plan, BenchCluster cluster, GateTopics topics, Path work, Map<String, Object> results)
      throws Exception {
    String history = history(plan.events(), plan.eventsPerContact(), 42);
    cluster.createTopics(List.of(topics.contactCreated(), topics.consentEvidence(), topics.verdicts(), topics.deadLetters(),
        PASSTHROUGH_OUT, STATEFUL_OUT), plan.partitions());
    long preloaded = cluster.preload(history, topics);
    log("preloaded %d events into %d partitions", preloaded, plan.partitions());

    List<Double> passthrough = new ArrayList<>();
    List<Double> stateful = new ArrayList<>();
    List<Double> gateToStateful = new ArrayList<>();
    List<Double> gateEos = new ArrayList<>();
    List<Double> gateAlo = new ArrayList<>();
    Map<String, List<Double>> startup = new LinkedHashMap<>();
    Path lastGateState = null;
    String lastGateApp = null;
    for (int round = 1; runs("throughput") && round <= plan.rounds(); round++) {
      Timing p = passthrough(cluster, topics, "bench-pass-" + round, work);
      Timing st = stateful(cluster, topics, plan.partitions(), "bench-stateful-" + round, work);
      String eosApp = "bench-gate-eos-" + round;
      Timing e = gate(cluster, topics, plan.partitions(), true, eosApp, StreamsConfig.EXACTLY_ONCE_V2, work.resolve(eosApp));
      lastGateState = work.resolve(eosApp);
      lastGateApp = eosApp;
      Timing a = gate(cluster, topics, plan.partitions(), true, "bench-gate-alo-" + round, StreamsConfig.AT_LEAST_ONCE,
          work.resolve("alo-" + round));
      passthrough.add(preloaded / p.processingSeconds());
      stateful.add(preloaded / st.processingSeconds());
      gateToStateful.add(st.processingSeconds() / e.processingSeconds());
      gateEos.add(preloaded / e.processingSeconds());
      gateAlo.add(preloaded / a.processingSeconds());
      startup.computeIfAbsent("passthrough_eos", k -> new ArrayList<>()).add(p.startupSeconds());
      startup.computeIfAbsent("stateful_eos", k -> new ArrayList<>()).add(st.startupSeconds());
      startup.computeIfAbsent("gate_eos", k -> new ArrayList<>()).add(e.startupSeconds());
      startup.computeIfAbsent("gate_alo", k -> new ArrayList<>()).add(a.startupSeconds());
      log("round %d: passthrough %.0f, stateful %.0f, gate EOS %.0f (%.3f of stateful), gate ALO %.0f events/s "
          + "(start-up %.1f / %.1f / %.1f / %.1f s)", round, passthrough.get(round - 1), stateful.get(round - 1),
          gateEos.get(round - 1), gateToStateful.get(round - 1), gateAlo.get(round - 1), p.startupSeconds(),
          st.startupSeconds(), e.startupSeconds(), a.startupSeconds());
    }
    if (runs("rerouting")) {
      results.put("rerouting", reroutingCost(plan, cluster, topics, preloaded, work));
    }
    if (runs("audit")) {
      results.put("audit", auditCost(plan, cluster, topics, preloaded, work));
    }
    if (runs("redecide")) {
      long contacts = history.lines().filter(l -> l.contains("\"type\":\"contact\""))
          .map(l -> l.substring(l.indexOf("\"contactId\":\"") + 13, l.indexOf('"', l.indexOf("\"contactId\":\"") + 13)))
          .distinct().count();
      results.put("redecide", new RedecideBench(cluster, topics, plan.partitions(), contacts, work).run());
    }
    if (!runs("throughput")) {
      return;
    }
    double pass = median(passthrough);
    double eos = median(gateEos);
    results.put("events", preloaded);
    results.put("partitions", plan.partitions());
    results.put("rounds", plan.rounds());
    results.put("passthrough_eos_eps", round(pass));
    results.put("gate_eos_eps", round(eos));
    results.put("gate_alo_eps", round(median(gateAlo)));
    results.put("ratio_gate_to_passthrough", Math.round(eos / pass * 1000) / 1000.0);
    results.put("passthrough_eos_eps_runs", passthrough.stream().map(BenchMain::round).toList());
    results.put("stateful_eos_eps", round(median(stateful)));
    results.put("stateful_eos_eps_runs", stateful.stream().map(BenchMain::round).toList());
    // The median of the per-round ratios: a round's gate and baseline ran side by side, on the
    // same machine state; the ratio of the two medians would mix rounds.
    results.put("ratio_gate_to_stateful", Math.round(median(gateToStateful) * 1000) / 1000.0);
    results.put("ratio_gate_to_stateful_runs", gateToStateful.stream().map(v -> Math.round(v * 1000) / 1000.0).toList());
    results.put("gate_eos_eps_runs", gateEos.stream().map(BenchMain::round).toList());
    results.put("gate_alo_eps_runs", gateAlo.stream().map(BenchMain::round).toList());
    Map<String, Object> startupMedians = new LinkedHashMap<>();
    startup.forEach((k, v) -> startupMedians.put(k, Math.round(median(v) * 10) / 10.0));
    results.put("startup_s", startupMedians);
    if (runs("restore")) {
      results.put("restore_eps", round(restoreRate(cluster, topics, plan.partitions(), lastGateApp, lastGateState)));
    }
  }

  /**
   * What correctly partitioned input pays for the re-routing step: the gate (exactly-once) with and
   * without it over the same records, in pairs whose order alternates, and the median of the
   * per-pair ratios (pairs cancel the drift of a noisy machine that medians of each side would not),
   * after one unmeasured pair.
   */
  private static Map<String, Object> reroutingCost(Plan plan, BenchCluster cluster, GateTopics topics, long preloaded,
                                                   Path work) throws Exception {
    List<Double> with = new ArrayList<>();
    List<Double> without = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    // One unmeasured pair first: run alone, the section's first run would also pay for the JIT.
    for (boolean rerouting : new boolean[] {true, false}) {
      String app = "bench-rerouting-warmup-" + rerouting;
      gate(cluster, topics, plan.partitions(), rerouting, app, StreamsConfig.EXACTLY_ONCE_V2, work.resolve(app));
      Utils.delete(work.resolve(app).toFile());
    }
    for (int pair = 1; pair <= plan.reroutingPairs(); pair++) {
      double withEps = 0;
      double withoutEps = 0;
      for (boolean rerouting : pair % 2 == 1 ? new boolean[] {true, false} : new boolean[] {false, true}) {
        String app = "bench-rerouting-" + (rerouting ? "with-" : "without-") + pair;
        Timing t = gate(cluster, topics, plan.partitions(), rerouting, app, StreamsConfig.EXACTLY_ONCE_V2, work.resolve(app));
        Utils.delete(work.resolve(app).toFile());
        if (rerouting) {
          withEps = preloaded / t.processingSeconds();
        } else {
          withoutEps = preloaded / t.processingSeconds();
        }
      }
      with.add(withEps);
      without.add(withoutEps);
      ratios.add(withEps / withoutEps);
      log("re-routing pair %d: with %.0f, without %.0f events/s, ratio %.3f", pair, withEps, withoutEps, withEps / withoutEps);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("pairs", plan.reroutingPairs());
    r.put("with_eps_runs", with.stream().map(BenchMain::round).toList());
    r.put("without_eps_runs", without.stream().map(BenchMain::round).toList());
    r.put("ratio_runs", ratios.stream().map(v -> Math.round(v * 1000) / 1000.0).toList());
    r.put("median_ratio", Math.round(median(ratios) * 1000) / 1000.0);
    return r;
  }

  /**
   * What the audit topic costs: the gate (exactly-once) writing every verdict to the audit topic as
   * well, and without it, over the same records, in pairs as for {@link #reroutingCost} (the same
   * number of pairs, after one unmeasured pair). Timed from start to caught up: the first
   * transaction with the audit topic in it may be later, and timing from the first output (as the
   * throughput rounds do) would count records already processed by then as start-up.
   */
  private static Map<String, Object> auditCost(Plan plan, BenchCluster cluster, GateTopics topics, long preloaded, Path work)
      throws Exception {
    GateTopics audited = topics.withVerdictsAudit("bench-consent-verdicts-audit");
    cluster.createTopics(List.of(audited.verdictsAudit()), plan.partitions());
    List<Double> with = new ArrayList<>();
    List<Double> without = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int pair = 0; pair <= plan.reroutingPairs(); pair++) {
      double withEps = 0;
      double withoutEps = 0;
      for (boolean audit : pair % 2 == 1 ? new boolean[] {true, false} : new boolean[] {false, true}) {
        String app = "bench-audit-" + (audit ? "with-" : "without-") + pair;
        Timing t = gate(cluster, audit ? audited : topics, plan.partitions(), true, app, StreamsConfig.EXACTLY_ONCE_V2,
            work.resolve(app));
        Utils.delete(work.resolve(app).toFile());
        double seconds = t.totalSeconds();
        if (audit) {
          withEps = preloaded / seconds;
        } else {
          withoutEps = preloaded / seconds;
        }
      }
      if (pair == 0) {
        continue; // the warm-up pair
      }
      with.add(withEps);
      without.add(withoutEps);
      ratios.add(withEps / withoutEps);
      log("audit pair %d: with %.0f, without %.0f events/s, ratio %.3f", pair, withEps, withoutEps, withEps / withoutEps);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("pairs", plan.reroutingPairs());
    r.put("timed", "from start to caught up");
    r.put("with_eps_runs", with.stream().map(BenchMain::round).toList());
    r.put("without_eps_runs", without.stream().map(BenchMain::round).toList());
    r.put("ratio_runs", ratios.stream().map(v -> Math.round(v * 1000) / 1000.0).toList());
    r.put("median_ratio", Math.round(median(ratios) * 1000) / 1000.0);
    return r;
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

  /** A plain Kafka Streams byte passthrough of both input topics, exactly-once. */
  private static Timing passthrough(BenchCluster cluster, GateTopics topics, String app, Path work) throws Exception {
    StreamsBuilder b = new StreamsBuilder();
    b.stream(List.of(topics.contactCreated(), topics.consentEvidence()), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to(PASSTHROUGH_OUT, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    Properties props = passthroughProps(cluster, app, work.resolve(app));
    long startMillis = System.currentTimeMillis();
    long start = System.nanoTime();
    try (KafkaStreams streams = new KafkaStreams(b.build(), props)) {
      streams.start();
      long mark = cluster.awaitCaughtUp(app, Set.of(topics.contactCreated(), topics.consentEvidence()), Duration.ofMinutes(10),
          STEADY_FROM);
      long end = System.nanoTime();
      return Timing.steady(start, startMillis, cluster.firstAppendSince(PASSTHROUGH_OUT, startMillis), mark, end);
    }
  }

  /** The stateful baseline ({@link StatefulBaseline}), with the gate's own production Streams settings. */
  private static Timing stateful(BenchCluster cluster, GateTopics topics, int partitions, String app, Path work)
      throws Exception {
    TopologySettings settings = new TopologySettings(topics, PolicySettings.defaults(), Duration.ofMinutes(1), true)
        .withInputPartitions(partitions);
    Properties props = GateStreamsConfig.properties(
        gateStreamsSettings(cluster.bootstrap, app, StreamsConfig.EXACTLY_ONCE_V2, work.resolve(app)), settings);
    long startMillis = System.currentTimeMillis();
    long start = System.nanoTime();
    try (KafkaStreams streams = new KafkaStreams(StatefulBaseline.build(List.of(topics.contactCreated(),
        topics.consentEvidence()), STATEFUL_OUT), props)) {
      streams.start();
      long mark = cluster.awaitCaughtUp(app, Set.of(topics.contactCreated(), topics.consentEvidence()), Duration.ofMinutes(10),
          STEADY_FROM);
      long end = System.nanoTime();
      return Timing.steady(start, startMillis, cluster.firstAppendSince(STATEFUL_OUT, startMillis), mark, end);
    } finally {
      org.apache.kafka.common.utils.Utils.delete(work.resolve(app).toFile());
    }
  }

  private static Timing gate(BenchCluster cluster, GateTopics topics, int partitions, boolean rerouting, String app,
                             String guarantee, Path state) throws Exception {
    TopologySettings settings = new TopologySettings(topics, PolicySettings.defaults(), Duration.ofMinutes(1), true)
        .withInputPartitions(partitions);
    if (!rerouting) {
      settings = settings.withoutRerouting();
    }
    long startMillis = System.currentTimeMillis();
    long start = System.nanoTime();
    try (GateService gate = new GateService(settings, ValueSerdes.using(cluster.registry),
        gateStreamsSettings(cluster.bootstrap, app, guarantee, state), GateService.DEFAULT_SHUTDOWN_TIMEOUT)) {
      gate.start();
      long mark = cluster.awaitCaughtUp(app, Set.of(topics.contactCreated(), topics.consentEvidence()), Duration.ofMinutes(10),
          STEADY_FROM);
      cluster.awaitInternalDrained(app, Duration.ofMinutes(10)); // re-routed and by-address records too
      long end = System.nanoTime();
      return Timing.steady(start, startMillis, cluster.firstAppendSince(topics.verdicts(), startMillis), mark, end);
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

  /** Changelog records restored per second after the instance's local state is wiped. */
  private static double restoreRate(BenchCluster cluster, GateTopics topics, int partitions, String app, Path state)
      throws Exception {
    if (app == null) {
      return 0;
    }
    Utils.delete(state.toFile());
    TopologySettings settings = new TopologySettings(topics, PolicySettings.defaults(), Duration.ofMinutes(1), true)
        .withInputPartitions(partitions);
    RestoreCounter restored = new RestoreCounter();
    long start = System.nanoTime();
    try (GateService gate = new GateService(settings, ValueSerdes.using(cluster.registry),
        gateStreamsSettings(cluster.bootstrap, app, StreamsConfig.EXACTLY_ONCE_V2, state), GateService.DEFAULT_SHUTDOWN_TIMEOUT)) {
      gate.globalRestoreListener(restored);
      gate.start();
      if (!gate.awaitRunning(Duration.ofMinutes(10))) {
        throw new IllegalStateException("the gate did not restore within 10 minutes");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      log("restore: %d changelog records in %.1f s", restored.total(), seconds);
      return restored.total() / seconds;
    }
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

  /**
   * The passthrough's own settings: plain Kafka Streams defaults with the gate's benchmark changes
   * (see {@link #gateStreamsSettings}), so that both run with the same clients: exactly-once,
   * 100 ms commits, two stream threads, replication factor 1.
   */
  private static Properties passthroughProps(BenchCluster cluster, String app, Path state) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, STREAM_THREADS);
    return p;
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static long round(double v) {
    return Math.round(v);
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

  static void log(String format, Object... args) {
    System.err.printf("[bench] " + format + "%n", args);
  }
}
