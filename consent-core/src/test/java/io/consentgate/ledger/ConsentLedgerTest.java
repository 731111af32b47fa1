package io.consentgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Decision;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.PolicySettings;
import io.consentgate.policy.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The ledger's quiet catch-up: record without publishing, then publish each contact's outcome once. */
class ConsentLedgerTest {

  private static final Instant T0 = Instant.parse("2024-01-05T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");

  /** A ledger over maps that remembers what it published, in order. */
  private static final class Ledger {
    final Map<String, ContactConsent> consents = new HashMap<>();
    final List<String> published = new ArrayList<>();
    final List<Verdict> verdicts = new ArrayList<>();
    final ConsentLedger ledger = new ConsentLedger(new ConsentPolicy(PolicySettings.defaults()),
        ConsentLedger.Consents.of(consents::get, consents::put), new LapseSchedule(new SortedKeySet()),
        (contactId, verdict, version) -> {
          published.add(contactId + ":" + verdict.status() + ":" + version);
          verdicts.add(verdict);
        });
  }

  private static Contact contact(String id) {
    return new Contact(id, "acme", id + "@example.org", ContactSource.OWN_CHANNEL, T0);
  }

  private static Evidence ev(String id, String contactId, EvidenceKind kind, Instant at) {
    return new Evidence(id, contactId, "acme", kind, at, kind == EvidenceKind.UNSUBSCRIBE ? null : "proof-" + id);
  }

  @Test
  void aQuietlyRecordedWithdrawalIsPublishedOnceAsWithdrawnNeverAsTheGrantBeforeIt() {
    Ledger l = new Ledger();
    l.ledger.applyQuietly("c-1", contact("c-1"));
    l.ledger.applyQuietly("c-1", ev("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(60)));
    l.ledger.applyQuietly("c-1", ev("e-2", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(120)));
    assertThat(l.published).as("nothing while catching up").isEmpty();
    assertThat(l.ledger.settle("c-1", NOW)).isTrue();
    assertThat(l.published).containsExactly("c-1:WITHDRAWN:1");
    assertThat(l.verdicts.get(0).decidedAt()).as("decided at its latest event").isEqualTo(T0.plusSeconds(120));
    assertThat(l.ledger.settle("c-1", NOW)).as("once").isFalse();
    assertThat(l.published).hasSize(1);
  }

  @Test
  void aConsentThatLapsedDuringTheCatchUpIsPublishedAsTheLapseNotAsTheConsent() {
    Ledger l = new Ledger();
    l.ledger.applyQuietly("c-1", contact("c-1"));
    l.ledger.applyQuietly("c-1", ev("e-1", "c-1", EvidenceKind.PURCHASE, T0));
    l.ledger.settle("c-1", NOW);
    assertThat(l.published).containsExactly("c-1:EXPIRED:1");
    assertThat(l.verdicts.get(0).decision()).isEqualTo(Decision.DENY);
    assertThat(l.verdicts.get(0).decidedAt()).isEqualTo(NOW);
  }

  @Test
  void aConsentStillValidIsPublishedWithItsLapseScheduled() {
    Ledger l = new Ledger();
    l.ledger.applyQuietly("c-1", contact("c-1"));
    l.ledger.applyQuietly("c-1", ev("e-1", "c-1", EvidenceKind.PURCHASE, Instant.parse("2026-01-01T00:00:00Z")));
    l.ledger.settle("c-1", NOW);
    assertThat(l.published).containsExactly("c-1:CONSENTED_IMPLICIT:1");
    l.ledger.checkLapses(Instant.parse("2028-01-02T00:00:00Z"));
    assertThat(l.published).as("the lapse schedule knows it").containsExactly("c-1:CONSENTED_IMPLICIT:1", "c-1:EXPIRED:2");
  }

  @Test
  void evidenceWithoutItsContactHasNothingToSettle() {
    Ledger l = new Ledger();
    l.ledger.applyQuietly("c-1", ev("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0));
    assertThat(l.ledger.settle("c-1", NOW)).isFalse();
    assertThat(l.ledger.settle("c-unknown", NOW)).isFalse();
    assertThat(l.published).isEmpty();
  }

  /** Whatever the history, catching up quietly ends where deciding live ends, with one verdict per contact. */
  @Property(tries = 300)
  void quietCatchUpEndsInTheLiveOutcome(@ForAll("histories") List<ConsentEvent> history) {
    Ledger live = new Ledger();
    Ledger quiet = new Ledger();
    for (ConsentEvent e : history) {
      live.ledger.apply(e.contactId(), e);
      quiet.ledger.applyQuietly(e.contactId(), e);
    }
    live.ledger.checkLapses(NOW);
    quiet.consents.keySet().forEach(id -> quiet.ledger.settle(id, NOW));
    quiet.ledger.checkLapses(NOW);
    Map<String, String> liveOutcome = new HashMap<>();
    live.consents.forEach((id, c) -> {
      if (c.published() != null) {
        liveOutcome.put(id, c.published().decision() + "/" + c.published().status() + "/" + c.published().validUntil());
      }
    });
    Map<String, String> quietOutcome = new HashMap<>();
    quiet.consents.forEach((id, c) -> {
      if (c.published() != null) {
        quietOutcome.put(id, c.published().decision() + "/" + c.published().status() + "/" + c.published().validUntil());
      }
    });
    assertThat(quietOutcome).isEqualTo(liveOutcome);
    assertThat(quiet.published).as("one verdict per contact").hasSize(quietOutcome.size());
  }

  /** The issue-21 window: a withdrawal recorded after its contact was settled, while the task is still quiet. */
  @Test
  void aWithdrawalRecordedQuietlyAfterItsContactWasSettledIsPublishedAtOnce() {
    Ledger l = new Ledger();
    l.ledger.applyQuietly("c-1", contact("c-1"));
    l.ledger.applyQuietly("c-1", ev("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(60)));
    l.ledger.settle("c-1", NOW);
    assertThat(l.published).containsExactly("c-1:CONSENTED_EXPLICIT:1");

    l.ledger.applyQuietly("c-1", ev("e-2", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(120)));
    assertThat(l.published).containsExactly("c-1:CONSENTED_EXPLICIT:1", "c-1:WITHDRAWN:2");
    assertThat(l.ledger.settle("c-1", NOW)).as("nothing left to settle").isFalse();
  }

  /**
   * The settle pass after a catch-up runs while events keep arriving: first events recorded
   * quietly, then, once the inputs are caught up, events decided live mixed in any order with a
   * pass that settles the contacts in key order (new contacts may appear behind it). Every contact
   * ends with the verdict a gate deciding live from the start would have published.
   */
  @Property(tries = 500)
  void noEventIsLostWhileTheSettlePassRuns(@ForAll("histories") List<ConsentEvent> history,
                                           @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 25) int caughtUpAt,
                                           @ForAll("steps") List<Boolean> settleNext) {
    Ledger live = new Ledger();
    Ledger settling = new Ledger();
    history.forEach(e -> live.ledger.apply(e.contactId(), e));
    int next = 0;
    for (; next < Math.min(caughtUpAt, history.size()); next++) {
      settling.ledger.applyQuietly(history.get(next).contactId(), history.get(next));
    }
    String cursor = "";
    java.util.Iterator<Boolean> steps = settleNext.iterator();
    while (next < history.size() || cursor != null) {
      boolean settle = next == history.size() || (cursor != null && steps.hasNext() && steps.next());
      if (settle) {
        String from = cursor;
        cursor = settling.consents.keySet().stream().filter(id -> id.compareTo(from) > 0).sorted().findFirst().orElse(null);
        if (cursor != null) {
          settling.ledger.settle(cursor, T0);
        }
      } else {
        ConsentEvent e = history.get(next++);
        settling.ledger.apply(e.contactId(), e);
      }
    }
    assertThat(outcomes(settling)).isEqualTo(outcomes(live));
  }

  private static Map<String, String> outcomes(Ledger l) {
    Map<String, String> outcome = new HashMap<>();
    l.consents.forEach((id, c) -> {
      if (c.published() != null) {
        outcome.put(id, c.published().decision() + "/" + c.published().status() + "/" + c.published().validUntil());
      }
    });
    return outcome;
  }

  @Provide
  Arbitrary<List<Boolean>> steps() {
    return Arbitraries.of(true, false).list().ofMaxSize(60);
  }

  @Property(tries = 1000)
  void aLapseKeyIsTheSignFlippedBigEndianTimeThenTheContactIdsBytes(@ForAll long millis, @ForAll("contactIds") String contactId) {
    byte[] id = contactId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] expected = java.nio.ByteBuffer.allocate(Long.BYTES + id.length).putLong(millis ^ Long.MIN_VALUE).put(id).array();
    assertThat(LapseSchedule.key(millis, contactId)).isEqualTo(expected);
    assertThat(LapseSchedule.prefix(millis)).isEqualTo(java.util.Arrays.copyOf(expected, Long.BYTES));
    assertThat(LapseSchedule.contactIdOf(LapseSchedule.key(millis, contactId))).isEqualTo(contactId);
  }

  @Property(tries = 1000)
  void lapseKeysSortByTimeThenContactIdAsUnsignedBytes(@ForAll long a, @ForAll long b, @ForAll("contactIds") String id) {
    int byBytes = java.util.Arrays.compareUnsigned(LapseSchedule.key(a, id), LapseSchedule.key(b, id));
    assertThat(Integer.signum(byBytes)).isEqualTo(Long.signum(Long.compare(a, b)));
  }

  @Provide
  Arbitrary<String> contactIds() {
    return Arbitraries.strings().withCharRange('!', '~').withChars('é', '中').ofMinLength(1).ofMaxLength(20);
  }

  @Provide
  Arbitrary<List<ConsentEvent>> histories() {
    Arbitrary<String> contactId = Arbitraries.of("c-1", "c-2", "c-3");
    Arbitrary<Instant> at = Arbitraries.longs().between(0, 4L * 365 * 24 * 3600).map(s -> T0.plusSeconds(s));
    Arbitrary<ConsentEvent> contact = contactId.map(ConsentLedgerTest::contact);
    Arbitrary<ConsentEvent> evidence = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(1, 30), contactId,
        Arbitraries.of(EvidenceKind.CHECKBOX_OPT_IN, EvidenceKind.PURCHASE, EvidenceKind.UNSUBSCRIBE, EvidenceKind.WEBSITE_FORM,
            EvidenceKind.MEMBERSHIP_STARTED, EvidenceKind.MEMBERSHIP_ENDED, EvidenceKind.DOUBLE_OPT_IN_REQUESTED), at)
        .as((n, c, kind, time) -> ev("e-" + n, c, kind, time));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, contact), net.jqwik.api.Tuple.of(4, evidence)).list().ofMaxSize(25);
  }
}
