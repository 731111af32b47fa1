package io.consentgate.policy;

/** Where a contact's address came from (the sources table of docs/policy.md). */
public enum ContactSource {
  OWN_CHANNEL(ConsentStatus.NO_CONSENT),
  MANUAL_ENTRY(ConsentStatus.NO_CONSENT),
  THIRD_PARTY_LIST(ConsentStatus.SOURCE_NOT_ACCEPTABLE),
  MEMBER_LIST(ConsentStatus.SOURCE_NOT_ACCEPTABLE),
  PREVIOUS_COMPANY(ConsentStatus.SOURCE_NOT_ACCEPTABLE),
  OTHER_BRAND_FORM(ConsentStatus.SOURCE_NOT_ACCEPTABLE),
  LEAD_VENDOR(ConsentStatus.SOURCE_NOT_ACCEPTABLE),
  DATA_ENRICHMENT(ConsentStatus.SOURCE_NOT_ACCEPTABLE),
  INBOUND_EMAIL(ConsentStatus.SOURCE_NOT_ACCEPTABLE),
  EVENT_ATTENDEE_LIST(ConsentStatus.SOURCE_NOT_ACCEPTABLE),
  PERSONAL_NETWORK(ConsentStatus.NEEDS_VERIFICATION),
  EMPLOYER_LIST(ConsentStatus.NEEDS_VERIFICATION),
  MERGER_ACQUISITION(ConsentStatus.NEEDS_VERIFICATION),
  MET_IN_PERSON(ConsentStatus.NEEDS_VERIFICATION);

  private final ConsentStatus statusWithoutGrant;

  ContactSource(ConsentStatus statusWithoutGrant) {
    this.statusWithoutGrant = statusWithoutGrant;
  }

  /** A source never grants consent; it only explains why there is none. */
  public ConsentStatus statusWithoutGrant() {
    return statusWithoutGrant;
  }
}
