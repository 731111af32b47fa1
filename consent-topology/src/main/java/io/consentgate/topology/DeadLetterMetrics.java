package io.consentgate.topology;

import io.consentgate.contract.BadInputException;

import io.consentgate.serde.UnreadableRecordException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts dead-lettered records by reason and source topic ({@code consent_gate_dead_letters_total}
 * in Prometheus). The exception handlers are created by Kafka Streams from their class names, so
 * they count into Micrometer's global registry; the runtime attaches its Prometheus registry to it.
 */
public final class DeadLetterMetrics {

  public static final String NAME = "consent.gate.dead.letters";

  private DeadLetterMetrics() {}

  static void count(Throwable error, String sourceTopic) {
    count(Metrics.globalRegistry, reasonOf(error), sourceTopic);
  }

  static void count(MeterRegistry registry, String reason, String sourceTopic) {
    counter(registry, reason, sourceTopic).increment();
  }

  private static Counter counter(MeterRegistry registry, String reason, String sourceTopic) {
    return Counter.builder(NAME).description("Input records sent to the dead-letter topic")
        .tag("reason", reason).tag("topic", sourceTopic == null ? "unknown" : sourceTopic)
        .register(registry);
  }

  /**
   * Registers the counter of every known reason for each source topic at 0, so that it is exposed
   * before the first dead letter and alert rules can be written against it.
   */
  public static void registerKnownReasons(Collection<String> sourceTopics) {
    for (String topic : sourceTopics) {
      for (String reason : knownReasons()) {
        counter(Metrics.globalRegistry, reason, topic);
      }
    }
  }

  /** Every reason label of a contract problem or of unreadable bytes (others are exception types). */
  public static Set<String> knownReasons() {
    Set<String> reasons = new TreeSet<>();
    for (BadInputException.Problem p : BadInputException.Problem.values()) {
      reasons.add(p.name().toLowerCase(Locale.ROOT));
    }
    for (UnreadableRecordException.Reason r : UnreadableRecordException.Reason.values()) {
      reasons.add(r.name().toLowerCase(Locale.ROOT));
    }
    return reasons;
  }

  /** A stable label: the contract problem, the kind of unreadable bytes, or the exception type. */
  static String reasonOf(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof BadInputException bad) {
        return bad.reason();
      }
      if (t instanceof UnreadableRecordException unreadable) {
        return unreadable.reason();
      }
    }
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }
}
