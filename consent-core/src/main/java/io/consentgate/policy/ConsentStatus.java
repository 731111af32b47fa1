package io.consentgate.policy;

/** Why a verdict is what it is; each status implies one decision. */
public enum ConsentStatus {
  CONSENTED_EXPLICIT(Decision.ALLOW),
  CONSENTED_IMPLICIT(Decision.ALLOW),
  WITHDRAWN(Decision.DENY),
  EXPIRED(Decision.DENY),
  PENDING_CONFIRMATION(Decision.DENY),
  NEEDS_VERIFICATION(Decision.DENY),
  SOURCE_NOT_ACCEPTABLE(Decision.DENY),
  NO_CONSENT(Decision.DENY),
  ROLE_BASED_ADDRESS(Decision.DENY),
  INVALID_ADDRESS(Decision.DENY),
  /** The contact's own address hard-bounced: nothing but a new contact with another address restores it. */
  UNDELIVERABLE(Decision.DENY),
  /** Another contact of the brand with the same address withdrew, complained or bounced. */
  SUPPRESSED(Decision.DENY);

  private final Decision decision;

  ConsentStatus(Decision decision) {
    this.decision = decision;
  }

  public Decision decision() {
    return decision;
  }
}
