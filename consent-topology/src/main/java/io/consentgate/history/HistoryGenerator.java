package io.consentgate.history;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.events.Proof;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A realistic, seeded history for load tests and demos: contacts across brands and sources,
 * evidence with a mix of kinds over about three years, some withdrawals, lapsing purchases,
 * evidence that arrives before its contact and duplicated records. Same seed, same bytes.
 */
public final class HistoryGenerator {

  private static final Instant START = Instant.parse("2023-01-01T00:00:00Z");
  private static final long SPAN_MILLIS = Duration.ofDays(3 * 365).toMillis();
  private static final String[] BRANDS = {"acme", "globex", "initech", "umbrella", "hooli"};
  private static final String[] NAMES = {"ann", "bob", "chen", "dana", "eli", "fatima", "gus", "hana", "info", "sales"};

  /** Kinds in rough proportion to how often a mail platform records them. */
  private static final EvidenceKind[] KIND_MIX = weighted(
      EvidenceKind.PURCHASE, 20, EvidenceKind.WEBSITE_FORM, 12, EvidenceKind.CHECKBOX_OPT_IN, 12,
      EvidenceKind.DOUBLE_OPT_IN_REQUESTED, 8, EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, 6, EvidenceKind.NEWSLETTER_SIGNUP, 6,
      EvidenceKind.UNSUBSCRIBE, 6, EvidenceKind.AD_CONVERSION, 5, EvidenceKind.MEMBERSHIP_STARTED, 4,
      EvidenceKind.MEMBERSHIP_ENDED, 2, EvidenceKind.SPAM_COMPLAINT, 2, EvidenceKind.CONTRACT, 3, EvidenceKind.DONATION, 2,
      EvidenceKind.VOLUNTEERING, 1, EvidenceKind.TRADE_SHOW_BOOTH, 3, EvidenceKind.WRITTEN_CONSENT, 2,
      EvidenceKind.RECONFIRMED, 2, EvidenceKind.VERBAL_CONSENT, 4);

  private static final ContactSource[] SOURCE_MIX = weighted(
      ContactSource.OWN_CHANNEL, 60, ContactSource.MANUAL_ENTRY, 10, ContactSource.THIRD_PARTY_LIST, 6,
      ContactSource.LEAD_VENDOR, 4, ContactSource.EMPLOYER_LIST, 4, ContactSource.MERGER_ACQUISITION, 4,
      ContactSource.MET_IN_PERSON, 4, ContactSource.INBOUND_EMAIL, 3, ContactSource.PERSONAL_NETWORK, 3,
      ContactSource.DATA_ENRICHMENT, 2);

  private HistoryGenerator() {}

  /**
   * Writes {@code records} lines for about {@code records / eventsPerContact} contacts. Records are
   * in event-time order except for a share of late evidence, as in an append-only history.
   */
  public static void generate(long records, int eventsPerContact, long seed, PrintWriter out) {
    SplittableRandom random = new SplittableRandom(seed);
    long contacts = Math.max(1, records / Math.max(1, eventsPerContact));
    long step = Math.max(1, SPAN_MILLIS / contacts);
    long written = 0;
    String pendingLate = null;
    for (long c = 0; written < records; c++) {
      String contactId = "c-" + c;
      String brand = BRANDS[random.nextInt(BRANDS.length)];
      long created = START.toEpochMilli() + (c % contacts) * step + random.nextLong(step);
      ContactCreated contact = ContactCreated.newBuilder()
          .setContactId(contactId).setBrandId(brand)
          .setEmail(NAMES[random.nextInt(NAMES.length)] + (random.nextInt(50) == 0 ? "+news" : "") + "." + c + "@example.org")
          .setSource(SOURCE_MIX[random.nextInt(SOURCE_MIX.length)])
          .setCreatedAt(Instant.ofEpochMilli(created)).build();
      // About one contact in twenty has a piece of evidence recorded before the contact itself.
      boolean evidenceFirst = random.nextInt(20) == 0;
      long t = created;
      String previous = null;
      int n = Math.max(0, eventsPerContact - 1 + random.nextInt(3) - 1);
      if (!evidenceFirst) {
        out.println(HistoryJson.write(contact));
        written++;
      }
      for (int i = 0; i < n && written < records; i++) {
        t += random.nextLong(Duration.ofDays(40).toMillis());
        EvidenceKind kind = KIND_MIX[random.nextInt(KIND_MIX.length)];
        String otherBrand = random.nextInt(40) == 0 ? BRANDS[(Arrays.asList(BRANDS).indexOf(brand) + 1) % BRANDS.length] : brand;
        ConsentEvidence.Builder e = ConsentEvidence.newBuilder()
            .setEvidenceId(contactId + "-e" + i).setContactId(contactId).setBrandId(otherBrand).setKind(kind)
            .setOccurredAt(Instant.ofEpochMilli(t)).setProof(null);
        if (random.nextInt(10) != 0) {
          e.setProof(Proof.newBuilder().setReference("ref-" + contactId + "-" + i).setUrl(null).setIpAddress(null)
              .setUserAgent(null).setCapturedText(null).build());
        }
        String line = HistoryJson.write(e.build());
        if (random.nextInt(50) == 0 && pendingLate == null) {
          pendingLate = line; // written later, out of order
          written++;
          continue;
        }
        out.println(line);
        written++;
        if (previous != null && random.nextInt(50) == 0 && written < records) {
          out.println(previous); // a duplicate delivery
          written++;
        }
        previous = line;
        if (evidenceFirst && i == 0 && written < records) {
          out.println(HistoryJson.write(contact));
          written++;
        }
      }
      if (evidenceFirst && (n == 0) && written < records) {
        out.println(HistoryJson.write(contact));
        written++;
      }
      if (pendingLate != null && random.nextInt(3) == 0) {
        out.println(pendingLate);
        pendingLate = null;
      }
    }
    if (pendingLate != null) {
      out.println(pendingLate);
    }
    out.flush();
  }

  @SafeVarargs
  @SuppressWarnings("unchecked")
  private static <T> T[] weighted(Object... kindsAndWeights) {
    int total = 0;
    for (int i = 1; i < kindsAndWeights.length; i += 2) {
      total += (Integer) kindsAndWeights[i];
    }
    Object[] table = (Object[]) java.lang.reflect.Array.newInstance(kindsAndWeights[0].getClass(), total);
    int at = 0;
    for (int i = 0; i < kindsAndWeights.length; i += 2) {
      for (int w = 0; w < (Integer) kindsAndWeights[i + 1]; w++) {
        table[at++] = kindsAndWeights[i];
      }
    }
    return (T[]) table;
  }
}
