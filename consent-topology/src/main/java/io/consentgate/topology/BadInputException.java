package io.consentgate.topology;

/**
 * An input record the gate cannot use. Thrown inside the topology so that Kafka Streams'
 * processing-exception handler dead-letters the original bytes with this message; the message
 * names ids, never an email address.
 */
public final class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }
}
