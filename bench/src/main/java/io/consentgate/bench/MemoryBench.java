package io.consentgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.consentgate.topology.BoundedMemoryRocksDB;
import io.consentgate.topology.ConsentGateTopology;
import io.consentgate.ledger.ContactConsent;
import io.consentgate.topology.ContactConsentSerde;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Process memory with N contacts in the gate's consent store under the bounded-memory RocksDB
 * settings. Driving millions of contacts through Kafka takes too long, so a child JVM fills the
 * real store directly. A child, because the bench's own JVM also holds a broker and a large heap:
 * its RSS would say nothing about the gate's.
 */
final class MemoryBench {

  static final String DEFAULT_HEAP = "512m";
  static final long DEFAULT_ROCKSDB_MEMORY_BYTES = 256L << 20;
  private static final String RESULT_PREFIX = "{\"contacts\"";

  private final String heap;
  private final long rocksDbMemoryBytes;

  /** {@code heap} is an -Xmx value such as {@code 512m}. */
  MemoryBench(String heap, long rocksDbMemoryBytes) {
    this.heap = heap;
    this.rocksDbMemoryBytes = rocksDbMemoryBytes;
  }

  /** Fills a fresh store under {@code work} with {@code contacts} in a child JVM; the store is deleted after. */
  Map<String, Object> measure(long contacts, Path work) throws IOException, InterruptedException {
    Path state = Files.createDirectories(work).resolve("memory-" + contacts);
    Map<String, Object> measured;
    try {
      measured = ChildJvm.run("the memory child for " + contacts + " contacts", List.of("-Xmx" + heap, "-Djava.awt.headless=true"),
          Child.class, RESULT_PREFIX, String.valueOf(contacts), state.toString(), String.valueOf(rocksDbMemoryBytes));
    } finally {
      Utils.delete(state.toFile());
    }
    measured.put("heap_max", heap);
    return measured;
  }

  /**
   * The measured process: opens the consent store as the gate does (RocksDB, the gate's serde,
   * {@link BoundedMemoryRocksDB}), writes the contacts, commits, reads a random sample so the
   * block cache holds what a running gate's would, then prints one JSON line on stdout.
   *
   * <p>Arguments: contacts, state directory, RocksDB memory budget in bytes. To measure one size by
   * hand: {@code java -Xmx512m -cp bench/target/consent-bench.jar 'io.consentgate.bench.MemoryBench$Child'
   * 10000000 /tmp/consent-memory 268435456}.
   */
  static final class Child {

    private static final int SAMPLE_GETS = 100_000;
    /** The store's RocksDB properties that say where its off-heap memory is. */
    private static final Set<String> ROCKSDB_METRICS = Set.of("block-cache-capacity", "block-cache-usage",
        "block-cache-pinned-usage", "cur-size-all-mem-tables", "size-all-mem-tables", "estimate-table-readers-mem",
        "total-sst-files-size", "estimate-num-keys", "num-running-compactions", "estimate-pending-compaction-bytes");

    private Child() {}

    public static void main(String[] args) throws Exception {
      long contacts = Long.parseLong(args[0]);
      Path stateDir = Files.createDirectories(Path.of(args[1]));
      long memoryBytes = Long.parseLong(args[2]);
      long start = System.nanoTime();

      MockProcessorContext<Object, Object> context = new MockProcessorContext<>(streamsProps(stateDir, memoryBytes),
          new TaskId(0, 0), stateDir.toFile());
      // No changelog: there is no broker to log to, and logging only adds producer buffers, not store
      // memory. Like the topology, no record cache in front of the store.
      KeyValueStore<String, ContactConsent> store = Stores.keyValueStoreBuilder(
              Stores.persistentKeyValueStore(ConsentGateTopology.CONSENT_STORE), Serdes.String(), new ContactConsentSerde())
          .withLoggingDisabled()
          .build();
      store.init(context.getStateStoreContext(), store);
      try {
        RealisticConsent values = new RealisticConsent(42);
        long progressEvery = Math.max(1, contacts / 10);
        for (long n = 0; n < contacts; n++) {
          store.put(RealisticConsent.contactId(n), values.next(n));
          if ((n + 1) % progressEvery == 0) {
            BenchSupport.log("memory: %d of %d contacts written, RSS %d MB", n + 1, contacts, procStatusMb("VmRSS"));
          }
        }
        // What a task commit does. Kafka Streams keeps its offsets inside RocksDB now and no longer
        // flushes memtables on commit, so they stay resident as in a running gate.
        store.commit(Map.of());
        double writeSeconds = (System.nanoTime() - start) / 1e9;

        long readStart = System.nanoTime();
        SplittableRandom random = new SplittableRandom(7);
        long gets = Math.min(SAMPLE_GETS, contacts);
        long missing = 0;
        for (long i = 0; i < gets; i++) {
          if (store.get(RealisticConsent.contactId(random.nextLong(contacts))) == null) {
            missing++;
          }
        }
        if (missing > 0) {
          throw new IllegalStateException(missing + " of " + gets + " sampled contacts were not in the store");
        }
        double readSeconds = (System.nanoTime() - readStart) / 1e9;

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("contacts", contacts);
        result.put("rss_mb", procStatusMb("VmRSS"));
        result.put("rss_peak_mb", procStatusMb("VmHWM"));
        result.put("rss_anon_mb", procStatusMb("RssAnon"));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        result.put("heap_used_mb", memory.getHeapMemoryUsage().getUsed() >> 20);
        result.put("heap_committed_mb", memory.getHeapMemoryUsage().getCommitted() >> 20);
        result.put("non_heap_committed_mb", memory.getNonHeapMemoryUsage().getCommitted() >> 20);
        result.put("direct_buffers_mb", directBufferBytes() >> 20);
        result.put("rocksdb_budget_mb", memoryBytes >> 20);
        result.put("rocksdb", rocksDbMetricsMb(context));
        result.put("state_dir_mb", Math.round(directoryBytes(stateDir) / 1e5) / 10.0);
        result.put("gets", gets);
        result.put("write_seconds", Math.round(writeSeconds * 10) / 10.0);
        result.put("read_seconds", Math.round(readSeconds * 10) / 10.0);
        result.put("seconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
        System.out.println(new ObjectMapper().writeValueAsString(result));
      } finally {
        store.close();
      }
    }

    private static Properties streamsProps(Path stateDir, long memoryBytes) {
      Properties p = new Properties();
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, "consent-memory-bench");
      p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092"); // required, never contacted
      p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
      p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDB.class);
      p.put(BoundedMemoryRocksDB.MEMORY_BYTES, String.valueOf(memoryBytes));
      return p;
    }

    /**
     * Block-cache usage includes the memtables: the write-buffer manager charges them to the
     * shared cache, which is what keeps the total bounded.
     */
    private static Map<String, Object> rocksDbMetricsMb(MockProcessorContext<?, ?> context) {
      Map<String, Object> values = new TreeMap<>();
      context.metrics().metrics().forEach((name, metric) -> {
        if (name.group().equals("stream-state-metrics") && ROCKSDB_METRICS.contains(name.name())
            && metric.metricValue() instanceof Number n) {
          String key = name.name().replace('-', '_');
          if (name.name().startsWith("num-") || name.name().equals("estimate-num-keys")) {
            values.put(key, n.longValue());
          } else {
            values.put(key + "_mb", Math.round(n.doubleValue() / (1 << 20) * 10) / 10.0);
          }
        }
      });
      return values;
    }

    private static long directBufferBytes() {
      return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
          .filter(pool -> pool.getName().equals("direct"))
          .mapToLong(BufferPoolMXBean::getMemoryUsed)
          .sum();
    }

    private static long directoryBytes(Path dir) throws IOException {
      try (Stream<Path> files = Files.walk(dir)) {
        long total = 0;
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          total += Files.size(p);
        }
        return total;
      }
    }

    /** A field of /proc/self/status (kB) in MB; -1 where there is no procfs. */
    static long procStatusMb(String field) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith(field + ":")) {
            return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
          }
        }
      } catch (IOException | NumberFormatException e) {
        return -1;
      }
      return -1;
    }
  }
}
