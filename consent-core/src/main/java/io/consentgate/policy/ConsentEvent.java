package io.consentgate.policy;

import java.time.Instant;

/** A recorded fact about a contact: its contact record, a piece of evidence, or a suppression of its address by another contact. */
public sealed interface ConsentEvent permits Contact, Evidence, Suppression, AddressRegistered {

  String contactId();

  /** When it happened, by the record's own clock (createdAt or occurredAt). */
  Instant eventTime();
}
