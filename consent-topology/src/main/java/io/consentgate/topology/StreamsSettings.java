package io.consentgate.topology;

import io.consentgate.topics.GateApplication;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How the gate runs as a Kafka Streams application, typed: the part of the configuration that
 * {@link GateStreamsConfig} turns into Streams properties. The service maps its configuration
 * keys into this record; the benchmark starts from {@link #defaults()}, the production defaults,
 * and changes only what a benchmark must.
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
 */
public record StreamsSettings(String applicationId, String bootstrapServers, String processingGuarantee,
                              int standbyReplicas, int replicationFactor, Path stateDir, long rocksDbMemoryBytes,
                              double rocksDbWriteBufferRatio, Map<String, String> overrides) {

  /** The gate's and the senders' client's default alike (see {@link GateApplication}). */
  public static final String DEFAULT_APPLICATION_ID = GateApplication.DEFAULT_ID;
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
  public static final String DEFAULT_PROCESSING_GUARANTEE = StreamsConfig.EXACTLY_ONCE_V2;
  public static final int DEFAULT_STANDBY_REPLICAS = 1;
  /** The broker's default. */
  public static final int DEFAULT_REPLICATION_FACTOR = -1;
  public static final Path DEFAULT_STATE_DIR = Path.of(".consent-gate/state");
  public static final long DEFAULT_ROCKSDB_MEMORY_BYTES = 256L << 20;
  public static final long MIN_ROCKSDB_MEMORY_BYTES = 16L << 20;
  public static final double DEFAULT_ROCKSDB_WRITE_BUFFER_RATIO = 0.5;
  public static final Set<String> PROCESSING_GUARANTEES = Set.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE);

  public StreamsSettings {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(stateDir, "stateDir");
    if (!PROCESSING_GUARANTEES.contains(processingGuarantee)) {
      throw new IllegalArgumentException("processing guarantee must be exactly_once_v2 or at_least_once: "
          + processingGuarantee);
    }
    if (rocksDbMemoryBytes < MIN_ROCKSDB_MEMORY_BYTES) {
      throw new IllegalArgumentException("RocksDB memory must be at least 16 MiB: " + rocksDbMemoryBytes);
    }
    if (!(rocksDbWriteBufferRatio > 0 && rocksDbWriteBufferRatio < 1)) {
      throw new IllegalArgumentException("RocksDB write-buffer ratio must be between 0 and 1: " + rocksDbWriteBufferRatio);
    }
    overrides = Map.copyOf(overrides);
  }

  /** What {@code run} uses when nothing is configured. */
  public static StreamsSettings defaults() {
    return new StreamsSettings(DEFAULT_APPLICATION_ID, DEFAULT_BOOTSTRAP_SERVERS, DEFAULT_PROCESSING_GUARANTEE,
        DEFAULT_STANDBY_REPLICAS, DEFAULT_REPLICATION_FACTOR, DEFAULT_STATE_DIR, DEFAULT_ROCKSDB_MEMORY_BYTES,
        DEFAULT_ROCKSDB_WRITE_BUFFER_RATIO, Map.of());
  }

  public StreamsSettings withApplicationId(String applicationId) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides);
  }

  public StreamsSettings withBootstrapServers(String bootstrapServers) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides);
  }

  public StreamsSettings withProcessingGuarantee(String processingGuarantee) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides);
  }

  public StreamsSettings withReplicationFactor(int replicationFactor) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides);
  }

  public StreamsSettings withStateDir(Path stateDir) {
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, overrides);
  }

  /** These settings with one more Kafka client or Streams property, which wins over everything else. */
  public StreamsSettings withOverride(String property, String value) {
    Map<String, String> more = new java.util.HashMap<>(overrides);
    more.put(property, value);
    return new StreamsSettings(applicationId, bootstrapServers, processingGuarantee, standbyReplicas, replicationFactor,
        stateDir, rocksDbMemoryBytes, rocksDbWriteBufferRatio, more);
  }
}
