package io.consentgate.chaos;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.events.Proof;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the generator writes, record by record, from one seed: contacts, and grants and withdrawals
 * for contacts old and new, so that withdrawals keep arriving for contacts the gate decided long
 * ago, whatever state the gate is in. Also evidence of another brand, grants without proof,
 * evidence before its contact, exact duplicates and event times out of order.
 *
 * <p>Event times trail the wall clock by two years, give or take half a minute: a purchase (an
 * implicit grant for two years) lapses within seconds of being written, so lapses happen while the
 * faults do, and every event time lies before the moment the checker decides as of.
 */
final class ChaosHistory {

  static final String[] BRANDS = {"acme", "globex"};
  private static final String[] NAMES = {"ann", "bob", "chen", "dana", "eli", "fatima", "gus", "hana", "ivo", "jun",
      "info", "sales"};
  private static final double CONTACT_SHARE = 0.2;
  /** Share of the new contacts that are a person re-imported: another id, an earlier contact's brand and address. */
  private static final double SHARED_ADDRESS_SHARE = 0.04;

  private static final EvidenceKind[] KINDS = weighted(
      EvidenceKind.UNSUBSCRIBE, 20, EvidenceKind.SPAM_COMPLAINT, 5,
      EvidenceKind.CHECKBOX_OPT_IN, 14, EvidenceKind.NEWSLETTER_SIGNUP, 4, EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, 4,
      EvidenceKind.RECONFIRMED, 2, EvidenceKind.DOUBLE_OPT_IN_REQUESTED, 4,
      EvidenceKind.WEBSITE_FORM, 8, EvidenceKind.PURCHASE, 12, EvidenceKind.MEMBERSHIP_STARTED, 4,
      EvidenceKind.MEMBERSHIP_ENDED, 3, EvidenceKind.VERBAL_CONSENT, 2, EvidenceKind.HARD_BOUNCE, 3);

  private final Random random;
  private final long baseContacts;
  private final List<String> brands = new ArrayList<>();
  private final List<String> emails = new ArrayList<>();
  private final List<SpecificRecord> recent = new ArrayList<>();
  private long evidence;

  /**
   * @param baseContacts contacts written first, before any evidence: the brand's existing base, so
   *     that a gate re-deciding its history has many contacts to re-publish while evidence arrives
   */
  ChaosHistory(long seed, long baseContacts) {
    this.random = new Random(seed);
    this.baseContacts = baseContacts;
  }

  /** The next record to write, its event time relative to {@code now}. */
  SpecificRecord next(Instant now) {
    Instant base = now.atZone(ZoneOffset.UTC).minusYears(2).toInstant();
    if (brands.size() < baseContacts) {
      return contact(base);
    }
    if (!recent.isEmpty() && random.nextInt(100) < 2) {
      return recent.get(random.nextInt(recent.size())); // sent twice: must change nothing
    }
    SpecificRecord record = brands.isEmpty() || random.nextDouble() < CONTACT_SHARE ? contact(base) : evidence(base);
    if (record instanceof ContactCreated && random.nextInt(4) != 0) {
      return record; // a quarter of the contacts are sent again later, the rest of what is resent is evidence
    }
    if (recent.size() < 1_000) {
      recent.add(record);
    } else {
      recent.set(random.nextInt(recent.size()), record);
    }
    return record;
  }

  private ContactCreated contact(Instant base) {
    int n = brands.size();
    String brand = BRANDS[random.nextInt(BRANDS.length)];
    String email = NAMES[random.nextInt(NAMES.length)] + "." + n + "@example.org";
    if (n > 0 && random.nextDouble() < SHARED_ADDRESS_SHARE) {
      // A person re-imported: an earlier contact's address (a variant that normalises alike), its brand.
      int earlier = random.nextInt(n);
      brand = brands.get(earlier);
      email = variant(emails.get(earlier));
    }
    brands.add(brand);
    emails.add(email);
    return ContactCreated.newBuilder()
        .setContactId(contactId(n))
        .setBrandId(brand)
        .setEmail(email)
        .setSource(random.nextInt(10) == 0 ? ContactSource.THIRD_PARTY_LIST : ContactSource.OWN_CHANNEL)
        .setCreatedAt(eventTime(base))
        .build();
  }

  private ConsentEvidence evidence(Instant base) {
    int n;
    String brand;
    if (random.nextInt(50) == 0) {
      n = brands.size() + random.nextInt(3); // before its contact: kept, counted when the contact arrives
      brand = BRANDS[n % BRANDS.length];
    } else {
      n = random.nextInt(brands.size());
      brand = brands.get(n);
    }
    if (random.nextInt(25) == 0) {
      brand = BRANDS[(indexOf(brand) + 1) % BRANDS.length]; // another brand's: never counts
    }
    EvidenceKind kind = KINDS[random.nextInt(KINDS.length)];
    long id = evidence++;
    Proof proof = null;
    if (random.nextInt(10) != 0) {
      proof = Proof.newBuilder().setReference("ref-" + id).setUrl(null).setIpAddress(null).setUserAgent(null)
          .setCapturedText(null).build();
    }
    return ConsentEvidence.newBuilder()
        .setEvidenceId("e" + id)
        .setContactId(contactId(n))
        .setBrandId(brand)
        .setKind(kind)
        .setOccurredAt(eventTime(base))
        .setProof(proof)
        .build();
  }

  /** The same mailbox spelled otherwise: upper case, a {@code +tag}, or both (docs/policy.md, "Suppression by address"). */
  private String variant(String email) {
    int at = email.indexOf('@');
    String local = email.substring(0, at);
    int plus = local.indexOf('+');
    if (plus >= 0) {
      local = local.substring(0, plus);
    }
    return switch (random.nextInt(3)) {
      case 0 -> (local + email.substring(at)).toUpperCase(java.util.Locale.ROOT);
      case 1 -> local + "+re" + random.nextInt(100) + email.substring(at);
      default -> Character.toUpperCase(local.charAt(0)) + local.substring(1) + "+news" + email.substring(at).toUpperCase(java.util.Locale.ROOT);
    };
  }

  private Instant eventTime(Instant base) {
    if (random.nextInt(20) == 0) {
      return base.minus(Duration.ofMillis(1 + (long) (random.nextDouble() * Duration.ofDays(30).toMillis())));
    }
    return base.plusMillis(random.nextInt(35_000) - 30_000);
  }

  static String contactId(int n) {
    return "c" + n;
  }

  private static int indexOf(String brand) {
    return brand.equals(BRANDS[0]) ? 0 : 1;
  }

  private static EvidenceKind[] weighted(Object... kindsAndWeights) {
    List<EvidenceKind> table = new ArrayList<>();
    for (int i = 0; i < kindsAndWeights.length; i += 2) {
      for (int w = 0; w < (Integer) kindsAndWeights[i + 1]; w++) {
        table.add((EvidenceKind) kindsAndWeights[i]);
      }
    }
    return table.toArray(EvidenceKind[]::new);
  }
}
