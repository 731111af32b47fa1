package io.consentgate.runtime.query;

import java.util.Locale;

/**
 * Who is asking: a caller, or another instance forwarding a caller's question. Sent between
 * instances in the header {@value #HEADER}; an instance never forwards a forwarded question again,
 * so metadata that disagrees during a rebalance costs a 503, never a loop.
 */
public enum Hop {
  /** A caller: answered here, or forwarded to the instance that owns the contact. */
  CLIENT,
  /** Forwarded to the instance Kafka Streams names as the contact's active owner: answered from its active copy only. */
  OWNER,
  /** Forwarded to a standby because the owner did not answer: answered from this instance's copy, with its lag. */
  STANDBY;

  public static final String HEADER = "Consent-Gate-Hop";

  /** The header's value; null or unknown: a caller. */
  static Hop of(String header) {
    if (header == null) {
      return CLIENT;
    }
    return switch (header.trim().toLowerCase(Locale.ROOT)) {
      case "owner" -> OWNER;
      case "standby" -> STANDBY;
      default -> CLIENT;
    };
  }

  String header() {
    return name().toLowerCase(Locale.ROOT);
  }
}
