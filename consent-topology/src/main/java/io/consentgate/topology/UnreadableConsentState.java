package io.consentgate.topology;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A consent-store value the gate cannot read: corrupt, or written by a later release in a format
 * this one does not know. Not bad input: the event being decided is fine, the state is not, and
 * dead-lettering the event would lose it (a withdrawal among them), so the gate stops on it
 * ({@link DeadLetterProcessingHandler}).
 */
final class UnreadableConsentState extends SerializationException {

  UnreadableConsentState(String message) {
    super(message);
  }

  UnreadableConsentState(String message, Throwable cause) {
    super(message, cause);
  }
}
