package io.consentgate.chaos;

import io.consentgate.app.GateConfig;
import io.consentgate.app.GateRuntime;
import io.consentgate.registry.server.InMemoryRegistryStorage;
import io.consentgate.registry.server.SchemaRegistryServer;
import io.consentgate.runtime.TopicSetup;
import io.consentgate.topics.InputRecordSerializer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;

/**
 * One run: a cluster and a registry, the gate's topics, the generator writing while the driver
 * injects faults, the gates given time to catch up, then the checker.
 */
final class LifecycleChaos {

  /** The least time between the end of one fault and the start of the next. */
  static final Duration GAP = Duration.ofSeconds(2);
  /** Traffic after the last fault has done what it does, at least. */
  static final Duration AFTERMATH = Duration.ofSeconds(5);

  private LifecycleChaos() {}

  /**
   * A rate that spreads the records over the faults, about twelve seconds each (a restart takes
   * a few, a reset or takeover and its re-publication up to twenty on two cores), so that traffic
   * flows through all of them.
   */
  static int autoRate(long records, int faults) {
    return (int) Math.max(100, Math.min(5_000, records / (faults * 12L + 30)));
  }

  static ChaosResult run(ChaosSettings s, PrintStream out) throws Exception {
    long start = System.nanoTime();
    out.printf("chaos: seed %d (re-run with --seed %d), %d records, %d faults of %s%s, %d broker(s), %d partitions, "
            + "%.0f%% of the records by a CRC32 producer; files under %s%n",
        s.seed(), s.seed(), s.records(), s.faults(), s.kinds(), s.race() ? " after a race of two application ids" : "",
        s.brokers(), s.partitions(), s.crc32Share() * 100, s.dir());
    out.flush();
    Random random = new Random(s.seed() ^ 0x5DEECE66DL); // the driver's, apart from the generator's records
    try (ChaosCluster cluster = s.brokers() == 3 ? new ThreeBrokers(s.dir().resolve("kafka")) : new OneBroker(s.dir().resolve("kafka"));
         SchemaRegistryServer registry = new SchemaRegistryServer("127.0.0.1", 0, new InMemoryRegistryStorage())) {
      out.println("chaos: " + cluster.describe() + "; registry at " + registry.url());
      Map<String, String> flags = Gates.baseFlags(cluster.bootstrapServers(), registry.url(), s.partitions(),
          cluster.replicationFactor());
      Gates gates = new Gates(s.gateJar(), s.gateHeap(), s.dir(), flags);
      // Ctrl-C of the long run: the gates are child processes and would outlive it.
      Thread reaper = new Thread(gates::killAll, "chaos-reaper");
      Runtime.getRuntime().addShutdownHook(reaper);
      try {
        return run(s, out, cluster, gates, random, start);
      } finally {
        gates.killAll();
        Runtime.getRuntime().removeShutdownHook(reaper);
      }
    }
  }

  private static ChaosResult run(ChaosSettings s, PrintStream out, ChaosCluster cluster, Gates gates, Random random,
                                 long start) throws Exception {
    if (s.kinds().contains(Fault.BROKER) && cluster.killableBrokers().isEmpty()) {
      throw new IllegalArgumentException("broker faults need the 3-broker cluster: " + cluster.describe());
    }
    GateConfig config = GateConfig.load(null, Map.of(), gates.flags("chaos-harness", 0));
    GateRuntime runtime = new GateRuntime(config);
    try (Admin admin = runtime.admin()) {
      // The topics as `run --create-topics` makes them; the gates then find them, as in production.
      TopicSetup.ensure(admin, config.topics(), "chaos-a", true, s.partitions(), cluster.replicationFactor());
    }
    Map<String, Object> clientProps = config.kafka().clientProperties();
    List<Fault> schedule = Fault.schedule(s.faults(), s.kinds(), random);
    long base = s.records() / 3;
    int rate = s.rate() > 0 ? s.rate() : autoRate(s.records() - base, schedule.size());
    List<Long> points = faultPoints(base, base + (s.records() - base) * 9 / 10, schedule.size(), random);
    out.println("chaos: a base of " + base + " contacts, then " + rate + " records/s; faults " + schedule + " at records "
        + points);
    Generator generator = new Generator(s.seed(), s.records(), base, s.crc32Share(), rate,
        new InputRecordSerializer(config.topics(), runtime.valueSerdes()), clientProps);
    VerdictRules.Findings findings;
    List<String> problems;
    int faults;
    try (ClusterView view = new ClusterView(clientProps, config.topics());
         Driver driver = new Driver(gates, view, cluster, s.partitions(), random, out);
         generator) {
      generator.start();
      driver.open(s.race());
      long lastFault = System.nanoTime();
      for (int k = 0; k < schedule.size(); k++) {
        // Each fault at its record, and no sooner than a while after the one before: the gates
        // run under traffic in between.
        while (generator.sent() < points.get(k) || System.nanoTime() - lastFault < GAP.toNanos()) {
          driver.watch();
          generator.requireRunning();
          Thread.sleep(200);
        }
        driver.inject(schedule.get(k), generator.sent());
        lastFault = System.nanoTime();
      }
      // The last fault's aftermath (a catch-up, a re-publication) sees traffic too.
      while (System.nanoTime() - lastFault < AFTERMATH.toNanos()) {
        driver.watch();
        Thread.sleep(200);
      }
      generator.holdOpen(false);
      while (!generator.awaitFinished(500)) {
        driver.watch();
      }
      driver.say("generator done: " + generator.acknowledged() + " records acknowledged, " + generator.failed()
          + " not" + (generator.firstFailure() == null ? "" : " (first: " + generator.firstFailure() + ")"));
      driver.finish(Duration.ofSeconds(Math.max(120, s.records() / 2_000)));
      driver.say("checking: reading the input and the verdict topic, replaying the input");
      findings = new Checker(clientProps, config.topics(), runtime.valueSerdes(), gates, s.dir().resolve("check")).check(view);
      problems = driver.problems();
      faults = driver.faults();
    }
    ChaosResult result = new ChaosResult(s, findings, problems, faults, generator.failed(), (System.nanoTime() - start) / 1e9);
    for (String example : findings.examples()) {
      out.println("chaos: " + example);
    }
    for (String failure : result.failures()) {
      out.println("chaos: FAILED: " + failure);
    }
    out.println(result.summary());
    out.flush();
    return result;
  }

  /** {@code count} seeded moments, as record numbers between {@code from} and {@code to}. */
  static List<Long> faultPoints(long from, long to, int count, Random random) {
    List<Long> points = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      points.add(from + (long) ((to - from) * random.nextDouble()));
    }
    Collections.sort(points);
    return points;
  }
}
