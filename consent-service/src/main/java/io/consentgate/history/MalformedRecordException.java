package io.consentgate.history;

/** A history line that is not a record of docs/events.md; the message says what is wrong. */
public final class MalformedRecordException extends Exception {
  public MalformedRecordException(String message) {
    super(message);
  }
}
