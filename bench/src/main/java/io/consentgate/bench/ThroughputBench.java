package io.consentgate.bench;

import static io.consentgate.bench.BenchSupport.STEADY_FROM;
import static io.consentgate.bench.BenchSupport.STREAM_THREADS;
import static io.consentgate.bench.BenchSupport.gateStreamsSettings;
import static io.consentgate.bench.BenchSupport.history;
import static io.consentgate.bench.BenchSupport.log;
import static io.consentgate.bench.BenchSupport.median;
import static io.consentgate.bench.BenchSupport.round;

import io.consentgate.bench.BenchSupport.Timing;
import io.consentgate.policy.PolicySettings;
import io.consentgate.runtime.GateService;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.GateStreamsConfig;
import io.consentgate.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The sections that share the preloaded input of the throughput rounds: throughput (the gate beside
 * a byte passthrough and a stateful baseline), rerouting, audit, redecide and restore.
 */
final class ThroughputBench {

  private static final String PASSTHROUGH_OUT = "bench-passthrough-out";
  private static final String STATEFUL_OUT = "bench-stateful-out";
  private static final String HOPS_OUT = "bench-stateful-hops-out";

  /** Whether the run measures a section (as {@code --only} and the mode decide). */
  private final Predicate<String> runs;

  ThroughputBench(Predicate<String> runs) {
    this.runs = runs;
  }

  /** Throughput side by side, then the restore rate of the last exactly-once gate's state. */
  void run(Plan plan, BenchCluster cluster, GateTopics topics, Path work, Map<String, Object> results)
      throws Exception {
    String history = history(plan.events(), plan.eventsPerContact(), 42);
    cluster.createTopics(List.of(topics.contactCreated(), topics.consentEvidence(), topics.verdicts(), topics.deadLetters(),
        PASSTHROUGH_OUT, STATEFUL_OUT, HOPS_OUT), plan.partitions());
    long preloaded = cluster.preload(history, topics);
    log("preloaded %d events into %d partitions", preloaded, plan.partitions());

    List<Double> passthrough = new ArrayList<>();
    List<Double> stateful = new ArrayList<>();
    List<Double> gateToStateful = new ArrayList<>();
    List<Double> hops = new ArrayList<>();
    List<Double> hopsToStateful = new ArrayList<>();
    List<Double> gateToHops = new ArrayList<>();
    List<Double> gateEos = new ArrayList<>();
    List<Double> gateAlo = new ArrayList<>();
    Map<String, List<Double>> startup = new LinkedHashMap<>();
    Path lastGateState = null;
    String lastGateApp = null;
    for (int round = 1; runs.test("throughput") && round <= plan.rounds(); round++) {
      Timing p = passthrough(cluster, topics, "bench-pass-" + round, work);
      Timing st = stateful(cluster, topics, plan.partitions(), "bench-stateful-" + round, work);
      Timing h = statefulWithAddressHops(cluster, topics, plan.partitions(), "bench-stateful-hops-" + round, work);
      String eosApp = "bench-gate-eos-" + round;
      Timing e = gate(cluster, topics, plan.partitions(), true, eosApp, StreamsConfig.EXACTLY_ONCE_V2, work.resolve(eosApp));
      lastGateState = work.resolve(eosApp);
      lastGateApp = eosApp;
      Timing a = gate(cluster, topics, plan.partitions(), true, "bench-gate-alo-" + round, StreamsConfig.AT_LEAST_ONCE,
          work.resolve("alo-" + round));
      passthrough.add(preloaded / p.processingSeconds());
      stateful.add(preloaded / st.processingSeconds());
      gateToStateful.add(st.processingSeconds() / e.processingSeconds());
      hops.add(preloaded / h.processingSeconds());
      hopsToStateful.add(st.processingSeconds() / h.processingSeconds());
      gateToHops.add(h.processingSeconds() / e.processingSeconds());
      gateEos.add(preloaded / e.processingSeconds());
      gateAlo.add(preloaded / a.processingSeconds());
      startup.computeIfAbsent("passthrough_eos", k -> new ArrayList<>()).add(p.startupSeconds());
      startup.computeIfAbsent("stateful_eos", k -> new ArrayList<>()).add(st.startupSeconds());
      startup.computeIfAbsent("gate_eos", k -> new ArrayList<>()).add(e.startupSeconds());
      startup.computeIfAbsent("gate_alo", k -> new ArrayList<>()).add(a.startupSeconds());
      log("round %d: passthrough %.0f, stateful %.0f, stateful with the address hops %.0f (%.3f of stateful), "
          + "gate EOS %.0f (%.3f of stateful, %.3f of the hops' floor), gate ALO %.0f events/s "
          + "(start-up %.1f / %.1f / %.1f / %.1f s)", round, passthrough.get(round - 1), stateful.get(round - 1),
          hops.get(round - 1), hopsToStateful.get(round - 1),
          gateEos.get(round - 1), gateToStateful.get(round - 1), gateToHops.get(round - 1), gateAlo.get(round - 1), p.startupSeconds(),
          st.startupSeconds(), e.startupSeconds(), a.startupSeconds());
    }
    if (runs.test("rerouting")) {
      results.put("rerouting", reroutingCost(plan, cluster, topics, preloaded, work));
    }
    if (runs.test("audit")) {
      results.put("audit", auditCost(plan, cluster, topics, preloaded, work));
    }
    if (runs.test("redecide")) {
      long contacts = history.lines().filter(l -> l.contains("\"type\":\"contact\""))
          .map(l -> l.substring(l.indexOf("\"contactId\":\"") + 13, l.indexOf('"', l.indexOf("\"contactId\":\"") + 13)))
          .distinct().count();
      results.put("redecide", new RedecideBench(cluster, topics, plan.partitions(), contacts, work).run());
    }
    if (!runs.test("throughput")) {
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
    results.put("ratio_gate_to_passthrough", ratio(eos / pass));
    results.put("passthrough_eos_eps_runs", passthrough.stream().map(BenchSupport::round).toList());
    results.put("stateful_eos_eps", round(median(stateful)));
    results.put("stateful_eos_eps_runs", stateful.stream().map(BenchSupport::round).toList());
    // The median of the per-round ratios: a round's gate and baseline ran side by side, on the
    // same machine state; the ratio of the two medians would mix rounds.
    putRatios(results, "ratio_gate_to_stateful", gateToStateful);
    results.put("stateful_hops_eos_eps", round(median(hops)));
    results.put("stateful_hops_eos_eps_runs", hops.stream().map(BenchSupport::round).toList());
    putRatios(results, "ratio_hops_to_stateful", hopsToStateful);
    putRatios(results, "ratio_gate_to_hops", gateToHops);
    results.put("gate_eos_eps_runs", gateEos.stream().map(BenchSupport::round).toList());
    results.put("gate_alo_eps_runs", gateAlo.stream().map(BenchSupport::round).toList());
    Map<String, Object> startupMedians = new LinkedHashMap<>();
    startup.forEach((k, v) -> startupMedians.put(k, Math.round(median(v) * 10) / 10.0));
    results.put("startup_s", startupMedians);
    if (runs.test("restore")) {
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
    putPairs(r, with, without, ratios);
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
    putPairs(r, with, without, ratios);
    return r;
  }

  /** A ratio as reported: three decimals. */
  private static double ratio(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The median of per-round ratios as {@code key}, and every round as {@code key_runs}. */
  private static void putRatios(Map<String, Object> results, String key, List<Double> ratios) {
    results.put(key, ratio(median(ratios)));
    results.put(key + "_runs", ratios.stream().map(ThroughputBench::ratio).toList());
  }

  /** A section of pairs with and without something: each side's rate per pair, each pair's ratio, their median. */
  private static void putPairs(Map<String, Object> r, List<Double> with, List<Double> without, List<Double> ratios) {
    r.put("with_eps_runs", with.stream().map(BenchSupport::round).toList());
    r.put("without_eps_runs", without.stream().map(BenchSupport::round).toList());
    r.put("ratio_runs", ratios.stream().map(ThroughputBench::ratio).toList());
    r.put("median_ratio", ratio(median(ratios)));
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
    return baseline(cluster, topics, partitions, app, work, StatefulBaseline.build(List.of(topics.contactCreated(),
        topics.consentEvidence()), STATEFUL_OUT), STATEFUL_OUT);
  }

  /**
   * The stateful baseline with the hops of suppression by address ({@link
   * StatefulBaseline#buildWithAddressHops}), timed as the gate is: until its repartition topics are
   * drained too.
   */
  private static Timing statefulWithAddressHops(BenchCluster cluster, GateTopics topics, int partitions, String app,
                                                Path work) throws Exception {
    return baseline(cluster, topics, partitions, app, work, StatefulBaseline.buildWithAddressHops(topics.contactCreated(),
        topics.consentEvidence(), HOPS_OUT), HOPS_OUT);
  }

  /** A baseline topology run with the gate's production Streams settings, until its input and its repartition topics are done. */
  private static Timing baseline(BenchCluster cluster, GateTopics topics, int partitions, String app, Path work,
                                 org.apache.kafka.streams.Topology topology, String output) throws Exception {
    TopologySettings settings = new TopologySettings(topics, PolicySettings.defaults(), Duration.ofMinutes(1), true)
        .withInputPartitions(partitions);
    Properties props = GateStreamsConfig.properties(
        gateStreamsSettings(cluster.bootstrap, app, StreamsConfig.EXACTLY_ONCE_V2, work.resolve(app)), settings);
    long startMillis = System.currentTimeMillis();
    long start = System.nanoTime();
    try (KafkaStreams streams = new KafkaStreams(topology, props)) {
      streams.start();
      long mark = cluster.awaitCaughtUp(app, Set.of(topics.contactCreated(), topics.consentEvidence()), Duration.ofMinutes(10),
          STEADY_FROM);
      cluster.awaitInternalDrained(app, Duration.ofMinutes(10)); // none for the plain baseline
      long end = System.nanoTime();
      return Timing.steady(start, startMillis, cluster.firstAppendSince(output, startMillis), mark, end);
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
   * The passthrough's own settings: plain Kafka Streams defaults with the gate's benchmark changes
   * (see {@link BenchSupport#gateStreamsSettings}), so that both run with the same clients: exactly-once,
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
}
