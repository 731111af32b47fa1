package io.consentgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.consentgate.client.ConsentClient;
import io.consentgate.client.VerdictView;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.serde.ConfluentAvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The sender client ({@code consent-client}): the memory of a process holding a view of N
 * contacts (a child JVM with a chosen -Xmx, like {@link MemoryBench}), {@code check} calls per
 * second on one thread (JMH, {@link ClientCheckBenchmark}), and how fast a client loads its view
 * from a verdict topic on a broker (transactional, read_committed).
 */
final class ClientBench {

  /** Keys this section writes; each is in every results file, null where not measured. */
  static final List<String> KEYS = List.of("client_rss_mb_10m", "client_heap_mb_10m", "client_rss_mb_1m",
      "client_heap_mb_1m", "client_checks_per_s", "client_checks_at_instant_per_s", "client_filter_ids_per_s",
      "client_load_verdicts_per_s", "client_load_cold_verdicts_per_s");

  static final String CHILD_HEAP = "1g";
  private static final String RESULT_PREFIX = "{\"contacts\"";

  enum Mode { SMOKE, QUICK, FULL }

  private final Mode mode;
  private final String bootstrapServers;

  ClientBench(Mode mode, String bootstrapServers) {
    this.mode = mode;
    this.bootstrapServers = bootstrapServers;
  }

  Map<String, Object> run(Path work) throws Exception {
    Map<String, Object> results = new LinkedHashMap<>();
    KEYS.forEach(k -> results.put(k, null));
    Map<String, Object> details = new LinkedHashMap<>();

    long[] memorySizes = switch (mode) {
      case SMOKE -> new long[] {20_000};
      case QUICK -> new long[] {1_000_000};
      case FULL -> new long[] {1_000_000, 10_000_000};
    };
    Map<String, Object> memory = new LinkedHashMap<>();
    for (long contacts : memorySizes) {
      Map<String, Object> m = measureMemory(contacts);
      BenchSupport.log("client view of %d contacts: RSS %s MB, heap used %s MB, table %s MB (%s bytes a contact), filled in %s s",
          contacts, m.get("rss_mb"), m.get("heap_used_mb"), m.get("table_mb"), m.get("table_bytes_per_contact"), m.get("fill_seconds"));
      memory.put(String.valueOf(contacts), m);
      if (contacts == 1_000_000 || contacts == 10_000_000) {
        String suffix = contacts == 1_000_000 ? "1m" : "10m";
        results.put("client_rss_mb_" + suffix, m.get("rss_mb"));
        results.put("client_heap_mb_" + suffix, m.get("heap_used_mb"));
      }
    }
    details.put("memory", memory);

    long checkContacts = switch (mode) {
      case SMOKE -> 20_000;
      case QUICK -> 1_000_000;
      case FULL -> 10_000_000;
    };
    Map<String, Double> checks = mode == Mode.SMOKE ? timedChecks(checkContacts) : jmhChecks(checkContacts);
    BenchSupport.log("client on one thread over a view of %d contacts: check(id) %.0f/s, check(id, now) %.0f/s, filter %.0f ids/s",
        checkContacts, checks.get("check"), checks.get("checkAtInstant"), checks.get("filter"));
    results.put("client_checks_per_s", Math.round(checks.get("check")));
    results.put("client_checks_at_instant_per_s", Math.round(checks.get("checkAtInstant")));
    results.put("client_filter_ids_per_s", Math.round(checks.get("filter")));
    details.put("checks_view_contacts", checkContacts);

    long verdicts = switch (mode) {
      case SMOKE -> 20_000;
      case QUICK -> 1_000_000;
      case FULL -> 2_000_000;
    };
    Map<String, Object> load = loadRate(verdicts, work);
    results.put("client_load_verdicts_per_s", load.get("verdicts_per_s"));
    results.put("client_load_cold_verdicts_per_s", load.get("cold_verdicts_per_s"));
    details.put("load", load);
    results.put("client", details);
    return results;
  }

  // ------------------------------------------------------------------ memory, in a child JVM

  private static Map<String, Object> measureMemory(long contacts) throws IOException, InterruptedException {
    Map<String, Object> m = ChildJvm.run("the client memory child for " + contacts + " contacts", List.of("-Xmx" + CHILD_HEAP),
        Child.class, RESULT_PREFIX, String.valueOf(contacts));
    m.put("heap_max", CHILD_HEAP);
    return m;
  }

  /**
   * The measured process: a sender's view of N contacts and nothing else, then one JSON line.
   * By hand: {@code java -Xmx1g -cp bench/target/consent-bench.jar 'io.consentgate.bench.ClientBench$Child' 10000000}.
   */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      long contacts = Long.parseLong(args[0]);
      long start = System.nanoTime();
      VerdictView view = ClientViews.currentView(Clock.systemUTC());
      String[] sample = ClientViews.fill(view, contacts, 42, 100);
      double fillSeconds = (System.nanoTime() - start) / 1e9;
      long allowed = 0;
      for (String id : sample) {
        if (view.check(id).mayEmail()) {
          allowed++;
        }
      }
      if (view.size() != contacts) {
        throw new IllegalStateException("the view holds " + view.size() + " of " + contacts + " contacts");
      }
      System.gc();
      System.gc();
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("contacts", contacts);
      r.put("rss_mb", MemoryBench.Child.procStatusMb("VmRSS"));
      r.put("rss_peak_mb", MemoryBench.Child.procStatusMb("VmHWM"));
      var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      r.put("heap_used_mb", heap.getUsed() >> 20);
      r.put("heap_committed_mb", heap.getCommitted() >> 20);
      r.put("non_heap_committed_mb", ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getCommitted() >> 20);
      r.put("table_mb", view.tableBytes() >> 20);
      r.put("table_bytes_per_contact", Math.round(view.tableBytes() / (double) contacts * 10) / 10.0);
      r.put("sampled_allowed_share", Math.round(allowed * 1000.0 / sample.length) / 1000.0);
      r.put("fill_seconds", Math.round(fillSeconds * 10) / 10.0);
      System.out.println(new ObjectMapper().writeValueAsString(r));
      java.lang.ref.Reference.reachabilityFence(view);
    }
  }

  // ------------------------------------------------------------------ checks per second

  private Map<String, Double> jmhChecks(long contacts) throws Exception {
    var options = new OptionsBuilder().include(ClientCheckBenchmark.class.getName()).forks(1).threads(1)
        .param("contacts", String.valueOf(contacts))
        // Huge pages: with 4 KiB pages a random lookup in a table of hundreds of MB also misses the TLB.
        .jvmArgsAppend(contacts > 2_000_000 ? "-Xmx3g" : "-Xmx1g", "-XX:+UseTransparentHugePages")
        .warmupIterations(mode == Mode.QUICK ? 2 : 3).warmupTime(TimeValue.seconds(2))
        .measurementIterations(mode == Mode.QUICK ? 3 : 5).measurementTime(TimeValue.seconds(2))
        .build();
    Map<String, Double> scores = new LinkedHashMap<>();
    for (RunResult r : new Runner(options).run()) {
      String label = r.getParams().getBenchmark();
      scores.put(label.substring(label.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
    }
    return scores;
  }

  /** The smoke run's stand-in for JMH: a plain timed loop, so the section runs end to end in a test. */
  private static Map<String, Double> timedChecks(long contacts) {
    VerdictView view = ClientViews.currentView(Clock.systemUTC());
    String[] ids = ClientViews.fill(view, contacts, 42, 4);
    java.time.Instant now = java.time.Instant.now();
    Map<String, Double> rates = new LinkedHashMap<>();
    int n = 200_000;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (view.check(ids[i % ids.length]).reason() == null) {
        throw new IllegalStateException();
      }
    }
    rates.put("check", n / ((System.nanoTime() - start) / 1e9));
    start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (view.check(ids[i % ids.length], now).reason() == null) {
        throw new IllegalStateException();
      }
    }
    rates.put("checkAtInstant", n / ((System.nanoTime() - start) / 1e9));
    long[] answered = new long[1];
    start = System.nanoTime();
    for (int pass = 0; pass < n / ids.length; pass++) {
      view.filter(java.util.Arrays.asList(ids), now, p -> answered[0]++, p -> answered[0]++);
    }
    rates.put("filter", answered[0] / ((System.nanoTime() - start) / 1e9));
    return rates;
  }

  // ------------------------------------------------------------------ loading from the topic

  private Map<String, Object> loadRate(long verdicts, Path work) throws Exception {
    String topic = "bench-client-verdicts";
    int partitions = mode == Mode.SMOKE ? 2 : 6;
    try (BenchCluster cluster = new BenchCluster(work.resolve("client-kafka"), bootstrapServers)) {
      cluster.createTopics(List.of(topic), partitions);
      long produceStart = System.nanoTime();
      produce(cluster, topic, verdicts);
      double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
      BenchSupport.log("client load: %d verdicts written in %.1f s (transactions of 50k)", verdicts, produceSeconds);
      // The first load runs cold (the JIT has not compiled the read path yet), as a sender's first
      // start would; the later ones as a restarted or long-running process would. Both are reported.
      int rounds = mode == Mode.SMOKE ? 1 : 3;
      List<Double> rates = new java.util.ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        long start = System.nanoTime();
        // No gate runs here (the bench writes the verdicts): what is measured is reading the topic.
        try (ConsentClient client = ConsentClient.builder(Map.of(ConsentClient.BOOTSTRAP_SERVERS, cluster.bootstrap,
            ConsentClient.TOPIC_VERDICTS, topic, ConsentClient.CHECK_GATE, "false")).schemaRegistry(cluster.registry)
            .meterRegistry(new SimpleMeterRegistry()).build()) {
          if (!client.awaitReady(Duration.ofMinutes(10))) {
            throw new IllegalStateException("the client did not load " + verdicts + " verdicts within 10 minutes");
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          if (client.status().contacts() != verdicts) {
            throw new IllegalStateException("the client holds " + client.status().contacts() + " of " + verdicts + " contacts");
          }
          rates.add(verdicts / seconds);
          BenchSupport.log("client load %d: %d verdicts from %d partitions in %.1f s: %.0f verdicts/s", round, verdicts, partitions,
              seconds, verdicts / seconds);
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("verdicts", verdicts);
      m.put("partitions", partitions);
      m.put("rounds_verdicts_per_s", rates.stream().map(Math::round).toList());
      m.put("cold_verdicts_per_s", Math.round(rates.get(0)));
      m.put("verdicts_per_s", Math.round(rates.size() == 1 ? rates.get(0) : BenchSupport.median(rates.subList(1, rates.size()))));
      return m;
    }
  }

  /** Verdicts as the gate writes them: wire-format Avro, keyed by contact, in transactions. */
  private static void produce(BenchCluster cluster, String topic, long verdicts) throws Exception {
    ConfluentAvroSerde<ConsentVerdict> serde = new ConfluentAvroSerde<>(cluster.registry, ConsentVerdict.class);
    Map<String, Object> props = Map.of("bootstrap.servers", cluster.bootstrap, "acks", "all", "linger.ms", 20,
        "batch.size", 262144, "compression.type", "lz4", "transactional.id", "bench-client-producer");
    SplittableRandom ids = new SplittableRandom(7);
    ClientViews.VerdictMix mix = new ClientViews.VerdictMix(8);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (long n = 0; n < verdicts; n++) {
        String id = ClientViews.nextId(ids);
        producer.send(new ProducerRecord<>(topic, id, serde.serialize(topic, mix.next(id))));
        if ((n + 1) % 50_000 == 0) {
          producer.commitTransaction();
          producer.beginTransaction();
        }
      }
      producer.commitTransaction();
    }
  }
}
