package io.consentgate.topology;

/**
 * The headers Kafka Streams' dead-letter handling (KIP-1034) puts on every dead letter: part of
 * the dead-letter topic's contract with operators, so named here rather than taken from Kafka's
 * internal classes. BadInputTest reads them off real dead letters.
 */
public final class DeadLetterHeaders {

  /** The input topic the record came from. */
  public static final String TOPIC = "__streams.errors.topic";
  public static final String PARTITION = "__streams.errors.partition";
  public static final String OFFSET = "__streams.errors.offset";
  /** The class of the error. */
  public static final String EXCEPTION = "__streams.errors.exception";
  /** Why the record was refused; it names ids, never an email address. */
  public static final String MESSAGE = "__streams.errors.message";

  private DeadLetterHeaders() {}
}
