package io.consentgate.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ContactSource;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class BoundedMemoryRocksDBTest {

  @Test
  void everyRocksDbStoreUsesTheOneSharedCacheOfTheConfiguredSize() {
    long bytes = 64L << 20;
    Map<String, Object> props = Map.of(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDB.class,
        BoundedMemoryRocksDB.MEMORY_BYTES, String.valueOf(bytes), StreamsConfig.METRICS_RECORDING_LEVEL_CONFIG, "INFO");
    try (GateTestDriver gate = new GateTestDriver(TopologySettings.defaults(), props)) {
      gate.send(GateTestDriver.contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, Instant.parse("2024-01-01T00:00:00Z")));
      assertThat(gate.readVerdicts()).hasSize(1);
      assertThat(BoundedMemoryRocksDB.cacheBytes()).isEqualTo(bytes);
      assertThat(capacities(gate)).as("block-cache-capacity of the four stores").hasSize(4).allMatch(c -> c == bytes);
    }
  }

  private static java.util.List<Long> capacities(GateTestDriver gate) {
    java.util.List<Long> out = new java.util.ArrayList<>();
    for (Map.Entry<MetricName, ? extends Metric> m : gate.driver.metrics().entrySet()) {
      if (m.getKey().name().equals("block-cache-capacity")) {
        out.add(((Number) m.getValue().metricValue()).longValue());
      }
    }
    return out;
  }
}
