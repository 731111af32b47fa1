package io.consentgate.topology;

import io.consentgate.config.ConfigDefs;
import io.consentgate.topics.GateApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How the gate runs as a Kafka Streams application, typed: the part of the configuration that
 * {@link GateStreamsConfig} turns into Streams properties. Its configuration keys are defined once,
 * with their defaults and what they allow, in {@link #CONFIG_DEF} (the gate's configuration takes
 * them from there and checks every value against it); the record itself checks nothing again. The
 * benchmark starts from {@link #defaults()}, the production defaults, and changes only what a
 * benchmark must.
 *
 * @param applicationId consumer group, transactional ids, internal topic prefix
 * @param bootstrapServers the Kafka cluster
 * @param processingGuarantee {@value StreamsConfig#EXACTLY_ONCE_V2} or {@value StreamsConfig#AT_LEAST_ONCE}
 * @param standbyReplicas warm copies of the state on other instances
 * @param replicationFactor replication of the internal topics (changelogs, re-routing); -1: the broker's default
 * @param stateDir local state (RocksDB)
 * @param rocksDbMemoryBytes off-heap memory for all RocksDB stores of the process (see {@link BoundedMemoryRocksDB})
 * @param rocksDbWriteBufferRatio the share of that memory for memtables, strictly between 0 and 1
 * @param overrides any Kafka client or Streams property (the configuration's {@code kafka.*} keys, without the
 *     prefix); they win over everything else
 * @param commitInterval how often the gate commits (key {@value #COMMIT_INTERVAL_CONFIG}); null: Kafka
 *     Streams' default for the processing guarantee (see {@link #effectiveCommitInterval()})
 */
public record StreamsSettings(String applicationId, String bootstrapServers, String processingGuarantee,
                              int standbyReplicas, int replicationFactor, Path stateDir, long rocksDbMemoryBytes,
                              double rocksDbWriteBufferRatio, Map<String, String> overrides, Duration commitInterval) {

  public static final String PROCESSING_GUARANTEE_CONFIG = StreamsConfig.PROCESSING_GUARANTEE_CONFIG;
  public static final String STANDBY_REPLICAS_CONFIG = StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG;
  public static final String REPLICATION_FACTOR_CONFIG = StreamsConfig.REPLICATION_FACTOR_CONFIG;
  public static final String STATE_DIR_CONFIG = StreamsConfig.STATE_DIR_CONFIG;
  public static final String COMMIT_INTERVAL_CONFIG = "commit.interval";
  public static final String ROCKSDB_MEMORY_BYTES_CONFIG = "rocksdb.memory.bytes";
  public static final String ROCKSDB_WRITE_BUFFER_RATIO_CONFIG = "rocksdb.write-buffer.ratio";

  /** The gate's and the senders' client's default alike (see {@link GateApplication}). */
  public static final String DEFAULT_APPLICATION_ID = GateApplication.DEFAULT_ID;
  public static final String DEFAULT_BOOTSTRAP_SERVERS = GateApplication.DEFAULT_BOOTSTRAP_SERVERS;
  public static final String DEFAULT_PROCESSING_GUARANTEE = StreamsConfig.EXACTLY_ONCE_V2;
  public static final int DEFAULT_STANDBY_REPLICAS = 1;
  /** The broker's default. */
  public static final int DEFAULT_REPLICATION_FACTOR = -1;
  public static final Path DEFAULT_STATE_DIR = Path.of(".consent-gate/state");
  public static final long DEFAULT_ROCKSDB_MEMORY_BYTES = 256L << 20;
  public static final long MIN_ROCKSDB_MEMORY_BYTES = 16L << 20;
  public static final double DEFAULT_ROCKSDB_WRITE_BUFFER_RATIO = 0.5;
  public static final Set<String> PROCESSING_GUARANTEES = Set.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE);
  /** Kafka Streams' commit interval when none is set: under exactly-once, and otherwise. */
  static final Duration STREAMS_EOS_COMMIT_INTERVAL = Duration.ofMillis(100);
  static final Duration STREAMS_COMMIT_INTERVAL = Duration.ofSeconds(30);

  public static final String GROUP = "Kafka Streams";

  /** The keys of these settings (all but application.id and bootstrap.servers, which the senders' client shares). */
  public static final ConfigDef CONFIG_DEF = new ConfigDef()
      .define(PROCESSING_GUARANTEE_CONFIG, Type.STRING, DEFAULT_PROCESSING_GUARANTEE,
          ConfigDefs.allowing("exactly_once_v2 or at_least_once", PROCESSING_GUARANTEES::contains), Importance.HIGH,
          "Kafka Streams' processing guarantee", GROUP, 1, ConfigDef.Width.SHORT, PROCESSING_GUARANTEE_CONFIG)
      .define(COMMIT_INTERVAL_CONFIG, Type.STRING, null,
          ConfigDefs.allowing("a positive ISO-8601 duration of whole milliseconds, such as PT0.1S", v -> {
            try {
              return Duration.parse((String) v).toMillis() >= 1 && Duration.parse((String) v).getNano() % 1_000_000 == 0;
            } catch (java.time.format.DateTimeParseException e) {
              return false;
            }
          }), Importance.MEDIUM,
          "How often the gate commits its progress (and, under exactly-once, its transaction: how soon a verdict is "
              + "visible). Unset: Kafka Streams' default, PT0.1S under exactly_once_v2 and PT30S under at_least_once. "
              + "The old spelling kafka.commit.interval.ms (milliseconds) is still read, with the same effect; setting both "
              + "is an error. health.stall-timeout is never less than twice this", GROUP, 2, ConfigDef.Width.SHORT,
          COMMIT_INTERVAL_CONFIG)
      .define(STANDBY_REPLICAS_CONFIG, Type.INT, DEFAULT_STANDBY_REPLICAS, Importance.MEDIUM,
          "Warm copies of the state on other instances", GROUP, 3, ConfigDef.Width.SHORT, STANDBY_REPLICAS_CONFIG)
      .define(REPLICATION_FACTOR_CONFIG, Type.INT, DEFAULT_REPLICATION_FACTOR, Importance.MEDIUM,
          "Replication of the gate's internal topics (changelogs, re-routing); -1: the broker's default", GROUP, 4,
          ConfigDef.Width.SHORT, REPLICATION_FACTOR_CONFIG)
      .define(STATE_DIR_CONFIG, Type.STRING, DEFAULT_STATE_DIR.toString(), ConfigDefs.allowing("a path", v -> {
        try {
          Path.of((String) v);
          return true;
        } catch (java.nio.file.InvalidPathException e) {
          return false;
        }
      }), Importance.HIGH, "Local state (RocksDB)", GROUP, 5, ConfigDef.Width.LONG, STATE_DIR_CONFIG)
      .define(ROCKSDB_MEMORY_BYTES_CONFIG, Type.LONG, DEFAULT_ROCKSDB_MEMORY_BYTES,
          ConfigDefs.allowing("a whole number of bytes, at least 16 MiB (" + MIN_ROCKSDB_MEMORY_BYTES + ")", v -> (Long) v >= MIN_ROCKSDB_MEMORY_BYTES),
          Importance.MEDIUM, "Off-heap memory in bytes for all RocksDB stores of the process: one shared block cache "
              + "(docs/operating.md, Memory); the default is 256 MiB", GROUP, 6, ConfigDef.Width.SHORT,
          ROCKSDB_MEMORY_BYTES_CONFIG)
      .define(ROCKSDB_WRITE_BUFFER_RATIO_CONFIG, Type.DOUBLE, DEFAULT_ROCKSDB_WRITE_BUFFER_RATIO,
          ConfigDefs.allowing("a number between 0 and 1, both excluded", v -> (Double) v > 0 && (Double) v < 1), Importance.LOW,
          "Share of that memory for memtables (a write-buffer manager charged to the cache)", GROUP, 7,
          ConfigDef.Width.SHORT, ROCKSDB_WRITE_BUFFER_RATIO_CONFIG);

  public StreamsSettings {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(processingGuarantee, "processingGuarantee");
    Objects.requireNonNull(stateDir, "stateDir");
    overrides = Map.copyOf(overrides);
  }

  /** Kafka Streams' own commit interval. */
  public StreamsSettings(String applicationId, String bootstrapServers, String processingGuarantee, int standbyReplicas,
                         int replicationFactor, Path stateDir, long rocksDbMemoryBytes, double rocksDbWriteBufferRatio,
                         Map<String, String> overrides) {
    this(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor, stateDir,
        rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides, null);
  }

  /**
   * The settings of {@link #CONFIG_DEF}'s keys, parsed and checked ({@link ConfigDefs#parse}).
   *
   * @param overrides the {@code kafka.*} keys without the prefix
   */
  public static StreamsSettings fromConfig(String applicationId, String bootstrapServers, Map<String, Object> parsed,
                                           Map<String, String> overrides) {
    return new StreamsSettings(applicationId, bootstrapServers, (String) parsed.get(PROCESSING_GUARANTEE_CONFIG),
        (Integer) parsed.get(STANDBY_REPLICAS_CONFIG), (Integer) parsed.get(REPLICATION_FACTOR_CONFIG),
        Path.of((String) parsed.get(STATE_DIR_CONFIG)), (Long) parsed.get(ROCKSDB_MEMORY_BYTES_CONFIG),
        (Double) parsed.get(ROCKSDB_WRITE_BUFFER_RATIO_CONFIG), overrides, ConfigDefs.duration(parsed, COMMIT_INTERVAL_CONFIG));
  }

  /** What {@code run} uses when nothing is configured. */
  public static StreamsSettings defaults() {
    return fromConfig(DEFAULT_APPLICATION_ID, DEFAULT_BOOTSTRAP_SERVERS, ConfigDefs.parse(CONFIG_DEF, Map.of()), Map.of());
  }

  /** How often the gate commits: {@link #commitInterval()}, or Kafka Streams' default for the processing guarantee. */
  public Duration effectiveCommitInterval() {
    if (commitInterval != null) {
      return commitInterval;
    }
    return processingGuarantee.equals(StreamsConfig.AT_LEAST_ONCE) ? STREAMS_COMMIT_INTERVAL : STREAMS_EOS_COMMIT_INTERVAL;
  }

  public StreamsSettings withApplicationId(String applicationId) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides, commitInterval);
  }

  public StreamsSettings withBootstrapServers(String bootstrapServers) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides, commitInterval);
  }

  public StreamsSettings withProcessingGuarantee(String processingGuarantee) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides, commitInterval);
  }

  public StreamsSettings withReplicationFactor(int replicationFactor) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides, commitInterval);
  }

  public StreamsSettings withStateDir(Path stateDir) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides, commitInterval);
  }

  public StreamsSettings withCommitInterval(Duration commitInterval) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides, commitInterval);
  }

  /**
   * These settings with one more Kafka client or Streams property, which wins over everything else.
   * {@value StreamsConfig#COMMIT_INTERVAL_MS_CONFIG}, the old way to set the commit interval, sets
   * {@link #commitInterval()}, with the same effect.
   */
  public StreamsSettings withOverride(String property, String value) {
    if (property.equals(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)) {
      return withCommitInterval(Duration.ofMillis(Long.parseLong(value.strip())));
    }
    Map<String, String> more = new java.util.HashMap<>(overrides);
    more.put(property, value);
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, more, commitInterval);
  }
}
