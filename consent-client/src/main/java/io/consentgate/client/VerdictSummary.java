package io.consentgate.client;

import io.consentgate.events.ConsentStatus;
import io.consentgate.events.Decision;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the client keeps of a contact's latest verdict: what a decision needs, not the whole record
 * (no email, evidence or recommendations; the reasons only when the client was asked to keep them).
 */
public final class VerdictSummary {

  private final String contactId;
  private final Decision decision;
  private final ConsentStatus status;
  private final boolean oneToOneAllowed;
  private final boolean hasValidUntil;
  private final long validUntilMillis;
  private final long decidedAtMillis;
  private final long epoch;
  private final long version;
  private final List<String> reasons;

  VerdictSummary(String contactId, Decision decision, ConsentStatus status, boolean oneToOneAllowed, boolean hasValidUntil,
                 long validUntilMillis, long decidedAtMillis, long epoch, long version, List<String> reasons) {
    this.contactId = contactId;
    this.decision = decision;
    this.status = status;
    this.oneToOneAllowed = oneToOneAllowed;
    this.hasValidUntil = hasValidUntil;
    this.validUntilMillis = validUntilMillis;
    this.decidedAtMillis = decidedAtMillis;
    this.epoch = epoch;
    this.version = version;
    this.reasons = reasons;
  }

  public String contactId() {
    return contactId;
  }

  /** {@code ALLOW} or {@code DENY}, for marketing email; an unknown future symbol reads as {@code DENY}. */
  public Decision decision() {
    return decision;
  }

  /** Why; an unknown future symbol reads as {@code NO_CONSENT}. */
  public ConsentStatus status() {
    return status;
  }

  public boolean oneToOneAllowed() {
    return oneToOneAllowed;
  }

  /** When the consent lapses if nothing else happens; empty when it does not lapse. */
  public Optional<Instant> validUntil() {
    return hasValidUntil ? Optional.of(Instant.ofEpochMilli(validUntilMillis)) : Optional.empty();
  }

  public Instant decidedAt() {
    return Instant.ofEpochMilli(decidedAtMillis);
  }

  public long epoch() {
    return epoch;
  }

  public long version() {
    return version;
  }

  /** The verdict's reason codes when the client keeps them ({@code client.keep-reasons=true}), else empty. */
  public Optional<List<String>> reasons() {
    return Optional.ofNullable(reasons);
  }

  /** True when this verdict is {@code ALLOW} with a {@code CONSENTED_*} status. */
  public boolean consented() {
    return decision == Decision.ALLOW
        && (status == ConsentStatus.CONSENTED_EXPLICIT || status == ConsentStatus.CONSENTED_IMPLICIT);
  }

  /** True when {@code validUntil} is set and has been reached at {@code nowMillis}. */
  public boolean lapsedAt(long nowMillis) {
    return hasValidUntil && validUntilMillis <= nowMillis;
  }

  /**
   * The verdict's own answer at {@code now}: {@code ALLOW}, a {@code CONSENTED_*} status, and no
   * {@code validUntil} reached. The client's {@link ConsentClient#check} also requires the view to be
   * current; a listener uses this to see whether a new verdict still allows what was queued.
   */
  public boolean allowsMarketingAt(Instant now) {
    return consented() && !lapsedAt(now.toEpochMilli());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerdictSummary v && contactId.equals(v.contactId) && decision == v.decision && status == v.status
        && oneToOneAllowed == v.oneToOneAllowed && hasValidUntil == v.hasValidUntil
        && (!hasValidUntil || validUntilMillis == v.validUntilMillis) && decidedAtMillis == v.decidedAtMillis
        && epoch == v.epoch && version == v.version && Objects.equals(reasons, v.reasons);
  }

  @Override
  public int hashCode() {
    return Objects.hash(contactId, decision, status, epoch, version);
  }

  @Override
  public String toString() {
    return contactId + ": " + decision + "/" + status + (hasValidUntil ? " until " + validUntil().get() : "")
        + " (epoch " + epoch + ", version " + version + ", decided " + decidedAt() + ")";
  }
}
