package io.consentgate.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Small builders for contacts, evidence and states, so each test states only what matters to it. */
final class PolicyFixtures {

  static final String BRAND = "acme";
  static final String OTHER_BRAND = "globex";
  static final String CONTACT_ID = "c-1";
  static final String EMAIL = "ann@example.org";

  /** When the contact record is created; evidence is placed in days after it. */
  static final Instant T0 = Instant.parse("2024-01-05T10:00:00Z");

  static final PolicySettings OPTIN = PolicySettings.defaults();
  static final PolicySettings STRICT = new PolicySettings(Profile.STRICT, Map.of(), RoleAddresses.defaults());

  private PolicyFixtures() {
  }

  static Instant day(int n) {
    return T0.plus(Duration.ofDays(n));
  }

  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  static Contact contact() {
    return contact(EMAIL, ContactSource.OWN_CHANNEL);
  }

  static Contact contact(ContactSource source) {
    return contact(EMAIL, source);
  }

  static Contact contact(String email) {
    return contact(email, ContactSource.OWN_CHANNEL);
  }

  static Contact contact(String email, ContactSource source) {
    return new Contact(CONTACT_ID, BRAND, email, source, T0);
  }

  /** Own-brand evidence with a proof reference. */
  static Evidence ev(String id, EvidenceKind kind, Instant occurredAt) {
    return new Evidence(id, CONTACT_ID, BRAND, kind, occurredAt, "proof-" + id);
  }

  /** Own-brand evidence without a proof reference. */
  static Evidence unproven(String id, EvidenceKind kind, Instant occurredAt) {
    return new Evidence(id, CONTACT_ID, BRAND, kind, occurredAt, null);
  }

  /** Evidence with a proof reference, recorded for another brand than the contact's. */
  static Evidence otherBrand(String id, EvidenceKind kind, Instant occurredAt) {
    return new Evidence(id, CONTACT_ID, OTHER_BRAND, kind, occurredAt, "proof-" + id);
  }

  /** A suppression of the fixture contact's address, delivered from another contact of its brand. */
  static Suppression suppression(String sourceContactId, String evidenceId, EvidenceKind kind, Instant occurredAt) {
    return new Suppression(CONTACT_ID, AddressKey.of(BRAND, EMAIL).orElseThrow(), sourceContactId, evidenceId, kind,
        occurredAt);
  }

  static ConsentState state(Contact contact, Evidence... evidence) {
    ConsentState s = ConsentState.EMPTY.with(contact);
    for (Evidence e : evidence) {
      s = s.with(e);
    }
    return s;
  }

  static Verdict decide(PolicySettings settings, ConsentState state, Instant asOf) {
    return new ConsentPolicy(settings).decide(state, asOf);
  }

  /** Profile optin, for the own-channel contact with the given evidence. */
  static Verdict optin(Instant asOf, Evidence... evidence) {
    return decide(OPTIN, state(contact(), evidence), asOf);
  }

  /** Profile strict, for the own-channel contact with the given evidence. */
  static Verdict strict(Instant asOf, Evidence... evidence) {
    return decide(STRICT, state(contact(), evidence), asOf);
  }
}
