package io.consentgate.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The registry could not be asked (down, overloaded, refusing credentials): the record may be
 * perfectly good, so it must be retried, not dead-lettered. An id the registry does not know is a
 * plain {@link SerializationException} instead.
 */
public final class SchemaLookupFailedException extends SerializationException {
  public SchemaLookupFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
