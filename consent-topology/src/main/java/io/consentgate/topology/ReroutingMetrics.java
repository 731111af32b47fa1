package io.consentgate.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.Collection;

/**
 * Counts input records that reached a task that does not own their contact and were re-routed
 * ({@code consent_gate_records_rerouted_total{topic}} in Prometheus). A steady count means a
 * producer partitions keys unlike the Java client.
 */
public final class ReroutingMetrics {

  public static final String NAME = "consent.gate.records.rerouted";

  private ReroutingMetrics() {}

  static void count(String sourceTopic) {
    counter(sourceTopic).increment();
  }

  /** Registers the counter of each input topic at 0, so that it is exposed before the first re-routed record. */
  public static void register(Collection<String> sourceTopics) {
    sourceTopics.forEach(ReroutingMetrics::counter);
  }

  private static Counter counter(String sourceTopic) {
    return Counter.builder(NAME).description("Input records re-routed to the task that owns their contact")
        .tag("topic", sourceTopic).register(Metrics.globalRegistry);
  }
}
