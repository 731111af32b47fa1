package io.consentgate.bench;

import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.PolicySettings;
import io.consentgate.policy.Verdict;
import io.consentgate.ledger.ContactConsent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Consent-store entries shaped like a settled production contact: a contact record, three pieces
 * of evidence of different kinds (most with a proof reference) and the verdict the policy would
 * have published, so the serialized size matches what the gate keeps per contact.
 */
final class RealisticConsent {

  private static final Instant START = Instant.parse("2023-01-01T00:00:00Z");
  private static final long SPAN_MILLIS = Duration.ofDays(3 * 365).toMillis();
  private static final String[] BRANDS = {"acme", "globex", "initech", "umbrella", "hooli"};
  private static final String[] NAMES = {"ann", "bob", "chen", "dana", "eli", "fatima", "gus", "hana", "info", "sales"};
  private static final ContactSource[] SOURCES = {ContactSource.OWN_CHANNEL, ContactSource.OWN_CHANNEL,
      ContactSource.OWN_CHANNEL, ContactSource.MANUAL_ENTRY, ContactSource.THIRD_PARTY_LIST, ContactSource.MET_IN_PERSON};
  private static final EvidenceKind[] KINDS = {EvidenceKind.PURCHASE, EvidenceKind.WEBSITE_FORM,
      EvidenceKind.CHECKBOX_OPT_IN, EvidenceKind.DOUBLE_OPT_IN_REQUESTED, EvidenceKind.DOUBLE_OPT_IN_CONFIRMED,
      EvidenceKind.NEWSLETTER_SIGNUP, EvidenceKind.UNSUBSCRIBE, EvidenceKind.MEMBERSHIP_STARTED, EvidenceKind.CONTRACT};
  private static final int EVIDENCE_PER_CONTACT = 3;

  private final ConsentPolicy policy = new ConsentPolicy(PolicySettings.defaults());
  private final SplittableRandom random;

  RealisticConsent(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The generator's id scheme, so keys have the production length and shape. */
  static String contactId(long n) {
    return "c-" + n;
  }

  ContactConsent next(long n) {
    String id = contactId(n);
    String brand = BRANDS[random.nextInt(BRANDS.length)];
    Instant created = START.plusMillis(random.nextLong(SPAN_MILLIS));
    Contact contact = new Contact(id, brand, NAMES[random.nextInt(NAMES.length)] + "." + n + "@example.org",
        SOURCES[random.nextInt(SOURCES.length)], created);
    List<Evidence> evidence = new ArrayList<>(EVIDENCE_PER_CONTACT);
    // Consecutive kinds from a random offset: always distinct, so each lands in its own slot and is kept.
    int first = random.nextInt(KINDS.length);
    Instant t = created;
    for (int i = 0; i < EVIDENCE_PER_CONTACT; i++) {
      t = t.plusMillis(1 + random.nextLong(Duration.ofDays(40).toMillis()));
      String proof = i == 0 || random.nextInt(10) != 0 ? "ref-" + id + "-" + i : null;
      evidence.add(new Evidence(id + "-e" + i, id, brand, KINDS[(first + i) % KINDS.length], t, proof));
    }
    ConsentState state = ConsentState.of(contact, evidence);
    Verdict verdict = policy.decide(state, t);
    ContactConsent.Published published = new ContactConsent.Published(1 + EVIDENCE_PER_CONTACT, verdict.decision(),
        verdict.status(), verdict.validUntil(), verdict.decidedAt());
    return new ContactConsent(id, state, published);
  }
}
