package io.consentgate.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.config.ConfigDefs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The one place the gate's Streams properties are built: what is always there, and that overrides win. */
class GateStreamsConfigTest {

  private static final TopologySettings TOPOLOGY = TopologySettings.defaults();

  @Test
  void theDefaultsAreSafeForProductionAndCompleteForTheTopology() {
    Properties props = GateStreamsConfig.properties(StreamsSettings.defaults(), TOPOLOGY);

    assertThat(props)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "consent-gate")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
        .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1)
        .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1)
        .containsEntry(StreamsConfig.STATE_DIR_CONFIG, ".consent-gate/state")
        .containsEntry(StreamsConfig.producerPrefix("acks"), "all")
        .containsEntry(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true)
        .containsEntry(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true)
        .containsEntry(StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG, "READ_COMMITTED")
        .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED)
        .containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "consent-gate-dlq")
        .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterOrRetryHandler.class)
        .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class)
        .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDB.class)
        .containsEntry(BoundedMemoryRocksDB.MEMORY_BYTES, String.valueOf(256L << 20))
        .containsEntry(BoundedMemoryRocksDB.WRITE_BUFFER_RATIO, "0.5");
    assertThat(props).as("the commit interval is Streams' own default (100 ms under exactly-once)")
        .doesNotContainKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    StreamsConfig config = new StreamsConfig(props);
    assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100L);
    assertThat(config.defaultInteractiveQueryIsolationLevel()).as("queries see only committed store writes")
        .isEqualTo(org.apache.kafka.common.IsolationLevel.READ_COMMITTED);
    assertThat(config.getLong(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG))
        .as("the transaction buffer's bound, as docs/operating.md (Memory) states it").isEqualTo(64L << 20);
  }

  @Test
  void theSettingsAreCarriedOverAndTheOverridesWinOverEverything() {
    StreamsSettings streams = StreamsSettings.defaults().withApplicationId("gate-b").withBootstrapServers("kafka-1:9092")
        .withProcessingGuarantee(StreamsConfig.AT_LEAST_ONCE).withReplicationFactor(3).withStateDir(Path.of("/var/gate"))
        .withOverride("security.protocol", "SASL_SSL")
        .withOverride(StreamsConfig.producerPrefix("acks"), "1")
        .withOverride(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "0")
        .withOverride(BoundedMemoryRocksDB.MEMORY_BYTES, String.valueOf(64L << 20))
        .withOverride(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");

    Properties props = GateStreamsConfig.properties(streams, TOPOLOGY);

    assertThat(props)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "gate-b")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka-1:9092")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE)
        .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3)
        .containsEntry(StreamsConfig.STATE_DIR_CONFIG, Path.of("/var/gate").toString())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry(StreamsConfig.producerPrefix("acks"), "1")
        .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "0")
        .containsEntry(BoundedMemoryRocksDB.MEMORY_BYTES, String.valueOf(64L << 20))
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
    assertThat(new StreamsConfig(props).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))
        .as("at-least-once commits every 30 s unless told otherwise").isEqualTo(30_000L);
  }

  @Test
  void settingsTheGateCannotRunWithAreRefusedByTheDefinitionsWithTheKeyTheValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> ConfigDefs.parse(StreamsSettings.CONFIG_DEF, Map.of("processing.guarantee", "exactly_once")))
        .hasMessage("processing.guarantee must be exactly_once_v2 or at_least_once, got 'exactly_once'");
    assertThatThrownBy(() -> ConfigDefs.parse(StreamsSettings.CONFIG_DEF, Map.of("rocksdb.memory.bytes", "1048576")))
        .hasMessage("rocksdb.memory.bytes must be a whole number of bytes, at least 16 MiB (16777216), got '1048576'");
    assertThatThrownBy(() -> ConfigDefs.parse(StreamsSettings.CONFIG_DEF, Map.of("rocksdb.write-buffer.ratio", "1.0")))
        .hasMessage("rocksdb.write-buffer.ratio must be a number between 0 and 1, both excluded, got '1.0'");
    assertThatThrownBy(() -> ConfigDefs.parse(StreamsSettings.CONFIG_DEF, Map.of("commit.interval", "100ms")))
        .hasMessageStartingWith("commit.interval must be a positive ISO-8601 duration");
  }

  @Test
  void theCommitIntervalIsTypedAndItsOldSpellingHasTheSameEffect() {
    assertThat(StreamsSettings.defaults().effectiveCommitInterval()).isEqualTo(Duration.ofMillis(
        new StreamsConfig(GateStreamsConfig.properties(StreamsSettings.defaults(), TOPOLOGY))
            .getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)));
    StreamsSettings alo = StreamsSettings.defaults().withProcessingGuarantee(StreamsConfig.AT_LEAST_ONCE);
    assertThat(alo.effectiveCommitInterval()).isEqualTo(Duration.ofMillis(
        new StreamsConfig(GateStreamsConfig.properties(alo, TOPOLOGY)).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)));

    StreamsSettings typed = StreamsSettings.fromConfig("a", "b",
        ConfigDefs.parse(StreamsSettings.CONFIG_DEF, Map.of("commit.interval", "PT0.25S")), Map.of());
    StreamsSettings old = StreamsSettings.defaults().withApplicationId("a").withBootstrapServers("b")
        .withOverride(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "250");
    assertThat(old).isEqualTo(typed);
    assertThat(typed.effectiveCommitInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(GateStreamsConfig.properties(typed, TOPOLOGY)).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "250");
  }
}
