package io.consentgate.client;

import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.Decision;
import java.time.Instant;
import java.util.List;

/** Verdict records for tests, as the gate would write them. */
final class Verdicts {

  static final Instant DECIDED = Instant.parse("2026-01-10T08:00:00Z");

  private Verdicts() {}

  static ConsentVerdict allow(String contactId, long epoch, long version) {
    return verdict(contactId, Decision.ALLOW, ConsentStatus.CONSENTED_EXPLICIT, null, epoch, version);
  }

  static ConsentVerdict deny(String contactId, ConsentStatus status, long epoch, long version) {
    return verdict(contactId, Decision.DENY, status, null, epoch, version);
  }

  static ConsentVerdict implicit(String contactId, Instant validUntil, long epoch, long version) {
    return verdict(contactId, Decision.ALLOW, ConsentStatus.CONSENTED_IMPLICIT, validUntil, epoch, version);
  }

  static ConsentVerdict verdict(String contactId, Decision decision, ConsentStatus status, Instant validUntil, long epoch,
                                long version) {
    return ConsentVerdict.newBuilder()
        .setContactId(contactId)
        .setBrandId("acme")
        .setEmail(contactId + "@example.org")
        .setDecision(decision)
        .setStatus(status)
        .setOneToOneAllowed(status != ConsentStatus.INVALID_ADDRESS && status != ConsentStatus.UNDELIVERABLE)
        .setValidUntil(validUntil)
        .setReasons(List.of(status.name()))
        .setEvidenceIds(List.of("ev-" + contactId))
        .setRecommendations(List.of())
        .setDecidedAt(DECIDED)
        .setPolicy("optin/1")
        .setVersion(version)
        .setEpoch(epoch)
        .build();
  }
}
