package io.consentgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.app.GateConfig;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.BoundedMemoryRocksDB;
import io.consentgate.topology.GateStreamsConfig;
import io.consentgate.topology.StreamsSettings;
import io.consentgate.topology.TopologySettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The benchmark measures the gate as {@code run} configures it: for the same settings, given to
 * {@code run} as configuration keys, both build the same Streams properties.
 */
class BenchStreamsSettingsTest {

  private static final GateTopics TOPICS = new GateTopics("bench-contact-created", "bench-consent-evidence",
      "bench-consent-verdicts", "bench-consent-gate-dlq");
  private static final Path STATE = Path.of("/tmp/bench-state");

  @Test
  void theExactlyOnceGateOfTheBenchmarkIsRunsGateWithTheBenchmarksFewChanges() throws Exception {
    StreamsSettings bench = BenchSupport.gateStreamsSettings("127.0.0.1:39092", "bench-gate-eos-1",
        StreamsConfig.EXACTLY_ONCE_V2, STATE);
    GateConfig run = run(Map.of(GateConfig.PROCESSING_GUARANTEE, StreamsConfig.EXACTLY_ONCE_V2));

    assertThat(bench).isEqualTo(run.streams());
    Properties props = GateStreamsConfig.properties(bench, topology());
    assertThat(props).isEqualTo(GateStreamsConfig.properties(run.streams(), run.topologySettings(true).withInputPartitions(6)));
    assertThat(props)
        .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDB.class)
        .containsEntry(BoundedMemoryRocksDB.MEMORY_BYTES, String.valueOf(StreamsSettings.DEFAULT_ROCKSDB_MEMORY_BYTES))
        .containsEntry(BoundedMemoryRocksDB.WRITE_BUFFER_RATIO, "0.5")
        .containsEntry(StreamsConfig.producerPrefix("acks"), "all")
        .containsEntry(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true)
        .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED)
        .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1)
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2")
        .doesNotContainKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    assertThat(new StreamsConfig(props).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))
        .as("production's commit interval under exactly-once").isEqualTo(100L);
  }

  @Test
  void theAtLeastOnceGateOfTheBenchmarkCommitsEvery100MsUnlikeProductionsDefault() throws Exception {
    StreamsSettings bench = BenchSupport.gateStreamsSettings("127.0.0.1:39092", "bench-gate-eos-1",
        StreamsConfig.AT_LEAST_ONCE, STATE);
    GateConfig run = run(Map.of(GateConfig.PROCESSING_GUARANTEE, StreamsConfig.AT_LEAST_ONCE,
        GateConfig.KAFKA_PREFIX + StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100"));

    assertThat(bench).isEqualTo(run.streams());
    assertThat(GateStreamsConfig.properties(bench, topology()))
        .isEqualTo(GateStreamsConfig.properties(run.streams(), run.topologySettings(true).withInputPartitions(6)))
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    assertThat(new StreamsConfig(GateStreamsConfig.properties(run(Map.of(GateConfig.PROCESSING_GUARANTEE,
        StreamsConfig.AT_LEAST_ONCE)).streams(), topology())).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))
        .as("production's at-least-once default").isEqualTo(30_000L);
  }

  /** {@code run} given the benchmark's changes as configuration keys. */
  private static GateConfig run(Map<String, String> more) throws GateConfig.ConfigException {
    Map<String, String> keys = new HashMap<>(more);
    keys.put(GateConfig.BOOTSTRAP_SERVERS, "127.0.0.1:39092");
    keys.put(GateConfig.APPLICATION_ID, "bench-gate-eos-1");
    keys.put(GateConfig.STATE_DIR, STATE.toString());
    keys.put(GateConfig.REPLICATION_FACTOR, "1");
    keys.put(GateConfig.KAFKA_PREFIX + StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
    keys.put(GateConfig.TOPIC_CONTACT_CREATED, TOPICS.contactCreated());
    keys.put(GateConfig.TOPIC_CONSENT_EVIDENCE, TOPICS.consentEvidence());
    keys.put(GateConfig.TOPIC_VERDICTS, TOPICS.verdicts());
    keys.put(GateConfig.TOPIC_DLQ, TOPICS.deadLetters());
    return GateConfig.load(null, Map.of(), keys);
  }

  /** As ThroughputBench builds it. */
  private static TopologySettings topology() {
    return new TopologySettings(TOPICS, io.consentgate.policy.PolicySettings.defaults(), java.time.Duration.ofMinutes(1), true)
        .withInputPartitions(6);
  }
}
