package io.consentgate.policy;

/**
 * Why a piece of evidence did not count, or what else a verdict rests on. In a verdict's
 * {@code reasons} a code stands alone or as {@code CODE:evidenceId}.
 */
public enum ReasonCode {
  /** Evidence for another brand than the contact's never counts (principle 2). */
  OTHER_BRAND_EVIDENCE,
  /** A grant without a proof reference is ignored (principle 1). */
  UNVERIFIABLE_EVIDENCE,
  /** Verbal consent is never verifiable (principle 1). */
  VERBAL_CONSENT_NOT_VERIFIABLE,
  /** A grant at or before the latest withdrawal is revoked (principle 4). */
  REVOKED_BY_WITHDRAWAL,
  /** An implicit grant after a withdrawal does not restore consent (principle 4). */
  NOT_EXPLICIT_AFTER_WITHDRAWAL,
  /** A two-year grant whose window has passed. */
  GRANT_LAPSED,
  /** A membership grant ended by a later MEMBERSHIP_ENDED. */
  MEMBERSHIP_ENDED,
  /** Profile strict: implicit grants do not count. */
  IMPLICIT_NOT_ACCEPTED_BY_PROFILE,
  /** Profile strict: checkbox and newsletter signups need a later DOUBLE_OPT_IN_CONFIRMED. */
  CONFIRMATION_REQUIRED_BY_PROFILE,
  /**
   * Another contact of the brand with the same address withdrew or complained; written
   * {@code WITHDRAWN_ELSEWHERE:contactId/evidenceId} of the suppressing contact and evidence.
   */
  WITHDRAWN_ELSEWHERE,
  /** Another contact of the brand with the same address hard-bounced; written as WITHDRAWN_ELSEWHERE. */
  BOUNCED_ELSEWHERE,
  /** The contact's source, given when it is what decided the status (rule 10). */
  SOURCE;

  public String about(String detail) {
    return name() + ":" + detail;
  }
}
