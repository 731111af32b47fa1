package io.consentgate.serde;

import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;

/** Bytes that are not a record of the contract; {@link #reason()} is a stable, low-cardinality label. */
public final class UnreadableRecordException extends SerializationException {

  /** Why the bytes could not be read. */
  public enum Reason { NOT_WIRE_FORMAT, UNKNOWN_SCHEMA_ID, CORRUPT_AVRO }

  private final Reason reason;

  public UnreadableRecordException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason.name().toLowerCase(Locale.ROOT);
  }
}
