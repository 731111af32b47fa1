package io.consentgate.history;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.events.Proof;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A realistic, seeded history for load tests and demos: contacts across brands and sources,
 * evidence with a mix of kinds over about three years, some withdrawals, lapsing purchases,
 * evidence that arrives before its contact and duplicated records. Same seed, same bytes.
 *
 * <p>Since issue 23 also what suppression by address and hard bounces need to be exercised: about
 * one contact in {@value #SHARED_ADDRESS_ONE_IN} is a re-import of an earlier contact of its brand
 * (another contact id, the same mailbox spelt with other capitals or another {@code +tag}), and
 * about one piece of evidence in {@value #HARD_BOUNCE_ONE_IN} is a {@code HARD_BOUNCE} with the
 * bounce's message id as proof. Those draws come from a second generator seeded from the same
 * seed, so every other draw, and with it the rest of the history, is what it was before.
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

  /** About one contact in this many re-uses the address of an earlier contact of its brand. */
  static final int SHARED_ADDRESS_ONE_IN = 32;
  /** About one piece of evidence in this many is a hard bounce (with proof). */
  static final int HARD_BOUNCE_ONE_IN = 100;
  /** How many of each brand's latest addresses a re-import may pick from. */
  private static final int RECENT_ADDRESSES = 16;
  private static final String[] TAGS = {"news", "shop", "promo"};
  /** Mixed into the seed of the second generator, so that its draws are not the first one's. */
  private static final long EXTRA_SEED = 0x5EED_B0B5_23L;

  private HistoryGenerator() {}

  /**
   * Writes {@code records} lines for about {@code records / eventsPerContact} contacts, in the
   * order an append-only log would hold them: by the time each record was appended. Most records
   * are appended when they happen; some are appended late (out of order) or twice (duplicates),
   * and about one contact in twenty has evidence that happened before its contact record.
   */
  public static void generate(long records, int eventsPerContact, long seed, PrintWriter out) {
    SplittableRandom random = new SplittableRandom(seed);
    // Draws for what issue 23 added, kept apart so that the first generator's stream is unchanged.
    SplittableRandom extra = new SplittableRandom(seed ^ EXTRA_SEED);
    Map<String, List<String>> recentAddresses = new HashMap<>();
    long contacts = Math.max(1, records / Math.max(1, eventsPerContact));
    long step = Math.max(1, SPAN_MILLIS / contacts);
    PriorityQueue<Appended> log = new PriorityQueue<>();
    long enqueued = 0;
    long written = 0;
    long sequence = 0;
    for (long c = 0; enqueued < records; c++) {
      long created = START.toEpochMilli() + c * step + random.nextLong(step);
      while (!log.isEmpty() && log.peek().appendedAt <= created && written < records) {
        out.println(log.poll().line);
        written++;
      }
      String contactId = "c-" + c;
      String brand = BRANDS[random.nextInt(BRANDS.length)];
      // The tag goes last in the local part: before issue 23 it came before the ".c", so that every
      // tagged address of a name normalised to the same mailbox (ann+news.7 and ann+news.9 are ann).
      String name = NAMES[random.nextInt(NAMES.length)];
      String email = name + "." + c + (random.nextInt(50) == 0 ? "+news" : "") + "@example.org";
      List<String> recent = recentAddresses.computeIfAbsent(brand, b -> new ArrayList<>());
      if (!recent.isEmpty() && extra.nextInt(SHARED_ADDRESS_ONE_IN) == 0) {
        email = respelt(recent.get(extra.nextInt(recent.size())), extra);
      } else {
        if (recent.size() == RECENT_ADDRESSES) {
          recent.remove(0);
        }
        recent.add(email);
      }
      ContactCreated contact = ContactCreated.newBuilder()
          .setContactId(contactId).setBrandId(brand)
          .setEmail(email)
          .setSource(SOURCE_MIX[random.nextInt(SOURCE_MIX.length)])
          .setCreatedAt(Instant.ofEpochMilli(created)).build();
      log.add(new Appended(created, sequence++, HistoryJson.write(contact)));
      enqueued++;
      boolean evidenceFirst = random.nextInt(20) == 0;
      long t = evidenceFirst ? created - random.nextLong(Duration.ofHours(2).toMillis()) - 1 : created;
      int n = Math.max(0, eventsPerContact - 2 + random.nextInt(3));
      for (int i = 0; i < n && enqueued < records; i++) {
        if (i > 0 || !evidenceFirst) {
          t += random.nextLong(Duration.ofDays(40).toMillis());
        }
        EvidenceKind kind = KIND_MIX[random.nextInt(KIND_MIX.length)];
        String evidenceBrand = random.nextInt(40) == 0 ? BRANDS[(indexOf(brand) + 1) % BRANDS.length] : brand;
        boolean bounce = extra.nextInt(HARD_BOUNCE_ONE_IN) == 0;
        ConsentEvidence.Builder e = ConsentEvidence.newBuilder()
            .setEvidenceId(contactId + "-e" + i).setContactId(contactId).setBrandId(evidenceBrand)
            .setKind(bounce ? EvidenceKind.HARD_BOUNCE : kind)
            .setOccurredAt(Instant.ofEpochMilli(t)).setProof(null);
        boolean proof = random.nextInt(10) != 0;
        if (bounce) {
          // A bounce counts only with the rejected message's id; the generator writes only such bounces.
          e.setProof(Proof.newBuilder().setReference("<bounce-" + contactId + "-" + i + "@mx.example.org>").setUrl(null)
              .setIpAddress(null).setUserAgent(null).setCapturedText(null).build());
        } else if (proof) {
          e.setProof(Proof.newBuilder().setReference("ref-" + contactId + "-" + i).setUrl(null).setIpAddress(null)
              .setUserAgent(null).setCapturedText(null).build());
        }
        String line = HistoryJson.write(e.build());
        boolean late = random.nextInt(50) == 0;
        long appendedAt = late ? t + random.nextLong(Duration.ofDays(30).toMillis()) : t;
        log.add(new Appended(appendedAt, sequence++, line));
        enqueued++;
        if (random.nextInt(50) == 0 && enqueued < records) {
          log.add(new Appended(appendedAt + random.nextLong(Duration.ofDays(3).toMillis()), sequence++, line));
          enqueued++;
        }
      }
    }
    while (!log.isEmpty() && written < records) {
      out.println(log.poll().line);
      written++;
    }
    out.flush();
  }

  /** A line and when it was appended to the log; ties keep generation order. */
  private record Appended(long appendedAt, long sequence, String line) implements Comparable<Appended> {
    @Override
    public int compareTo(Appended o) {
      int byTime = Long.compare(appendedAt, o.appendedAt);
      return byTime != 0 ? byTime : Long.compare(sequence, o.sequence);
    }
  }

  /**
   * The same mailbox spelt as a re-import might spell it: with a capital first letter, in upper
   * case, or with another {@code +tag} (docs/policy.md, "Suppression by address": all normalise alike).
   */
  private static String respelt(String email, SplittableRandom extra) {
    int at = email.indexOf('@');
    String local = email.substring(0, at);
    String domain = email.substring(at);
    return switch (extra.nextInt(3)) {
      case 0 -> Character.toUpperCase(local.charAt(0)) + local.substring(1) + domain;
      case 1 -> email.toUpperCase(Locale.ROOT);
      default -> {
        int plus = local.indexOf('+');
        String box = plus < 0 ? local : local.substring(0, plus);
        yield box + "+" + TAGS[extra.nextInt(TAGS.length)] + domain;
      }
    };
  }

  private static int indexOf(String brand) {
    return Arrays.asList(BRANDS).indexOf(brand);
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
