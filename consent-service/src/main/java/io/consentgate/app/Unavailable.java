package io.consentgate.app;

/**
 * Something a command needs cannot be reached or used: Kafka, the schema registry, a topic, a
 * port, a data directory another process holds. Exit code 4; the message says what and where.
 */
public final class Unavailable extends Exception {

  public Unavailable(String message) {
    super(message);
  }

  public Unavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
