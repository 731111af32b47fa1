package io.consentgate.contract;

/**
 * An input record the gate cannot use. Thrown inside the topology so that Kafka Streams'
 * processing-exception handler dead-letters the original bytes with this message; the message
 * names ids, never an email address.
 */
public final class BadInputException extends RuntimeException {

  /** What is wrong, as a stable, low-cardinality label for metrics. */
  public enum Problem { MISSING_KEY, KEY_MISMATCH, MISSING_VALUE, MISSING_ID, MISSING_EVENT_TIME, EVENT_TIME_OUT_OF_RANGE }

  private final Problem problem;

  public BadInputException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public String reason() {
    return problem.name().toLowerCase(java.util.Locale.ROOT);
  }
}
