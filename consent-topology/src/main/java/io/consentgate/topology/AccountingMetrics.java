package io.consentgate.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * What became of each input record that passed the contract check, per task
 * ({@code consent_gate_records_applied_total{task}} and
 * {@code consent_gate_records_unchanged_total{task}} in Prometheus): it changed the contact's
 * state, or it was a duplicate or superseded record. With the dead letters
 * ({@link DeadLetterMetrics}) they add up to the input. Counted into Micrometer's global registry,
 * like the other gate metrics, so that they are exposed under the names docs/operating.md (Metrics) lists rather than
 * as Kafka Streams sensors.
 */
public final class AccountingMetrics {

  public static final String APPLIED = "consent.gate.records.applied";
  public static final String UNCHANGED = "consent.gate.records.unchanged";

  private AccountingMetrics() {}

  /** @param task the Kafka Streams task id, e.g. {@code 0_3} */
  static Counter applied(String task) {
    return Counter.builder(APPLIED).description("Input records that changed a contact's consent state")
        .tag("task", task).register(Metrics.globalRegistry);
  }

  /** @param task the Kafka Streams task id, e.g. {@code 0_3} */
  static Counter unchanged(String task) {
    return Counter.builder(UNCHANGED).description("Input records that changed nothing: duplicates and superseded records")
        .tag("task", task).register(Metrics.globalRegistry);
  }
}
