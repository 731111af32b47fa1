package io.consentgate.policy;

/** What a person did, and what that means for consent (the evidence table of docs/policy.md). */
public enum EvidenceKind {
  CHECKBOX_OPT_IN(Effect.EXPLICIT_GRANT, Validity.UNTIL_WITHDRAWN),
  WRITTEN_CONSENT(Effect.EXPLICIT_GRANT, Validity.UNTIL_WITHDRAWN),
  NEWSLETTER_SIGNUP(Effect.EXPLICIT_GRANT, Validity.UNTIL_WITHDRAWN),
  DOUBLE_OPT_IN_CONFIRMED(Effect.EXPLICIT_GRANT, Validity.UNTIL_WITHDRAWN),
  RECONFIRMED(Effect.EXPLICIT_GRANT, Validity.UNTIL_WITHDRAWN),
  WEBSITE_FORM(Effect.IMPLICIT_GRANT, Validity.UNTIL_WITHDRAWN),
  AD_CONVERSION(Effect.IMPLICIT_GRANT, Validity.UNTIL_WITHDRAWN),
  TRADE_SHOW_BOOTH(Effect.IMPLICIT_GRANT, Validity.UNTIL_WITHDRAWN),
  PURCHASE(Effect.IMPLICIT_GRANT, Validity.TWO_YEARS),
  CONTRACT(Effect.IMPLICIT_GRANT, Validity.TWO_YEARS),
  DONATION(Effect.IMPLICIT_GRANT, Validity.TWO_YEARS),
  VOLUNTEERING(Effect.IMPLICIT_GRANT, Validity.TWO_YEARS),
  MEMBERSHIP_STARTED(Effect.IMPLICIT_GRANT, Validity.UNTIL_MEMBERSHIP_ENDED),
  MEMBERSHIP_ENDED(Effect.ENDS_MEMBERSHIP, Validity.NONE),
  DOUBLE_OPT_IN_REQUESTED(Effect.PENDING, Validity.NONE),
  VERBAL_CONSENT(Effect.NEVER_COUNTS, Validity.NONE),
  UNSUBSCRIBE(Effect.WITHDRAWAL, Validity.NONE),
  SPAM_COMPLAINT(Effect.WITHDRAWAL, Validity.NONE),
  /** A mail to the address was permanently rejected; verifiable only with the bounce's message id as proof. */
  HARD_BOUNCE(Effect.BOUNCE, Validity.NONE);

  /** The class column of the evidence table. */
  public enum Effect { EXPLICIT_GRANT, IMPLICIT_GRANT, ENDS_MEMBERSHIP, PENDING, NEVER_COUNTS, WITHDRAWAL, BOUNCE }

  /** The valid column of the evidence table. */
  public enum Validity { UNTIL_WITHDRAWN, TWO_YEARS, UNTIL_MEMBERSHIP_ENDED, NONE }

  private final Effect effect;
  private final Validity validity;

  EvidenceKind(Effect effect, Validity validity) {
    this.effect = effect;
    this.validity = validity;
  }

  public Effect effect() {
    return effect;
  }

  public Validity validity() {
    return validity;
  }

  public boolean isGrant() {
    return effect == Effect.EXPLICIT_GRANT || effect == Effect.IMPLICIT_GRANT;
  }

  /**
   * Whether this evidence, recorded for a contact, also suppresses the other contacts of its brand
   * with the same address (docs/policy.md, "Suppression by address").
   */
  public boolean suppressesAddress() {
    return effect == Effect.WITHDRAWAL || effect == Effect.BOUNCE;
  }

  /** Profile strict accepts these explicit grants only once a later DOUBLE_OPT_IN_CONFIRMED exists. */
  public boolean needsConfirmationUnderStrict() {
    return this == CHECKBOX_OPT_IN || this == NEWSLETTER_SIGNUP;
  }
}
