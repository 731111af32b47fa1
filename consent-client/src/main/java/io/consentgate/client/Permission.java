package io.consentgate.client;

/**
 * The answer to "may I email this contact now?".
 *
 * @param contactId the contact asked about
 * @param mayEmail whether marketing email may be sent now; true only for {@link Reason#ALLOWED}
 * @param mayEmailOneToOne whether one personal (not marketing) message may be sent: the verdict's
 *     {@code oneToOneAllowed} (false for an invalid address, an {@code UNDELIVERABLE} one, and one
 *     {@code SUPPRESSED} by another contact's hard bounce), and false whenever the client cannot
 *     answer (no verdict, not ready, stale, gate behind)
 * @param reason why
 * @param verdict the verdict the answer rests on, or null when none is held for the contact
 */
public record Permission(String contactId, boolean mayEmail, boolean mayEmailOneToOne, Reason reason, VerdictSummary verdict) {

  static Permission of(String contactId, Reason reason, VerdictSummary verdict) {
    boolean oneToOne = verdict != null && !reason.deniesEveryone() && verdict.oneToOneAllowed();
    return new Permission(contactId, reason.mayEmail(), oneToOne, reason, verdict);
  }
}
