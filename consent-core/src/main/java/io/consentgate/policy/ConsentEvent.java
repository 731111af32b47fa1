package io.consentgate.policy;

import java.time.Instant;

/** A recorded fact about a contact: its contact record or a piece of evidence. */
public sealed interface ConsentEvent permits Contact, Evidence {

  String contactId();

  /** When it happened, by the record's own clock (createdAt or occurredAt). */
  Instant eventTime();
}
