package io.consentgate.policy;

import static io.consentgate.policy.EvidenceKind.CHECKBOX_OPT_IN;
import static io.consentgate.policy.EvidenceKind.PURCHASE;
import static io.consentgate.policy.EvidenceKind.UNSUBSCRIBE;
import static io.consentgate.policy.EvidenceKind.WEBSITE_FORM;
import static io.consentgate.policy.PolicyFixtures.BRAND;
import static io.consentgate.policy.PolicyFixtures.CONTACT_ID;
import static io.consentgate.policy.PolicyFixtures.OPTIN;
import static io.consentgate.policy.PolicyFixtures.T0;
import static io.consentgate.policy.PolicyFixtures.contact;
import static io.consentgate.policy.PolicyFixtures.day;
import static io.consentgate.policy.PolicyFixtures.decide;
import static io.consentgate.policy.PolicyFixtures.ev;
import static io.consentgate.policy.PolicyFixtures.otherBrand;
import static io.consentgate.policy.PolicyFixtures.state;
import static io.consentgate.policy.PolicyFixtures.unproven;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("ConsentState: what is kept of a contact's history")
class ConsentStateTest {

  private static final Instant LATER = day(60);

  @Nested
  @DisplayName("evidence slots (brand, kind, proof)")
  class Slots {

    @Test
    @DisplayName("later evidence in a slot wins, whatever the arrival order")
    void laterEvidenceWins() {
      Evidence early = ev("p1", PURCHASE, day(1));
      Evidence late = ev("p2", PURCHASE, day(2));
      ConsentState inOrder = ConsentState.EMPTY.with(early).with(late);
      ConsentState reversed = ConsentState.EMPTY.with(late).with(early);
      assertThat(inOrder.evidence()).containsExactly(late);
      assertThat(reversed.evidence()).containsExactly(late);
      assertThat(inOrder).isEqualTo(reversed).hasSameHashCodeAs(reversed);
    }

    @Test
    @DisplayName("earlier evidence in an occupied slot is ignored (the state does not change)")
    void earlierEvidenceIsIgnored() {
      ConsentState s = ConsentState.EMPTY.with(contact()).with(ev("p2", PURCHASE, day(2)));
      assertThat(s.with(ev("p1", PURCHASE, day(1)))).isSameAs(s);
    }

    @Test
    @DisplayName("a duplicate record changes nothing")
    void duplicateChangesNothing() {
      Evidence e = ev("c1", CHECKBOX_OPT_IN, day(1));
      ConsentState s = ConsentState.EMPTY.with(contact()).with(e);
      assertThat(s.with(e)).isSameAs(s);
      assertThat(s.with(new Evidence("c1", CONTACT_ID, BRAND, CHECKBOX_OPT_IN, day(1), "proof-c1"))).isEqualTo(s);
    }

    @Test
    @DisplayName("two records at the same instant in one slot: the kept one does not depend on arrival order")
    void tiesAreDeterministic() {
      Evidence a = ev("p-a", PURCHASE, day(1));
      Evidence b = ev("p-b", PURCHASE, day(1));
      ConsentState ab = ConsentState.EMPTY.with(a).with(b);
      ConsentState ba = ConsentState.EMPTY.with(b).with(a);
      assertThat(ab).isEqualTo(ba);
      assertThat(ab.evidenceCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("same instant, same id, different proof: the kept one does not depend on arrival order")
    void tiesOnProofAreDeterministic() {
      Evidence a = new Evidence("p1", CONTACT_ID, BRAND, PURCHASE, day(1), "order-1");
      Evidence b = new Evidence("p1", CONTACT_ID, BRAND, PURCHASE, day(1), "order-2");
      assertThat(ConsentState.EMPTY.with(a).with(b)).isEqualTo(ConsentState.EMPTY.with(b).with(a));
    }

    @Test
    @DisplayName("verifiable and unverifiable evidence of one kind are kept separately")
    void verifiableAndUnverifiableKeptSeparately() {
      Evidence proven = ev("c1", CHECKBOX_OPT_IN, day(1));
      Evidence unprovenLater = unproven("c2", CHECKBOX_OPT_IN, day(2));
      ConsentState s = state(contact(), proven, unprovenLater);
      assertThat(s.evidenceCount()).isEqualTo(2);
      assertThat(s.evidence()).containsExactlyInAnyOrder(proven, unprovenLater);
    }

    @Test
    @DisplayName("a later unverifiable checkbox does not hide an earlier verifiable one: still ALLOW")
    void laterUnverifiableDoesNotHideVerifiable() {
      Verdict v = decide(OPTIN, state(contact(), ev("c1", CHECKBOX_OPT_IN, day(1)), unproven("c2", CHECKBOX_OPT_IN, day(2))),
          LATER);
      assertThat(v.decision()).isEqualTo(Decision.ALLOW);
      assertThat(v.status()).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.evidenceIds()).containsExactly("c1");
    }

    @Test
    @DisplayName("brands and kinds are separate slots")
    void brandsAndKindsAreSeparate() {
      ConsentState s = state(contact(), ev("p1", PURCHASE, day(1)), otherBrand("p2", PURCHASE, day(2)),
          ev("w1", WEBSITE_FORM, day(3)));
      assertThat(s.evidenceCount()).isEqualTo(3);
      assertThat(decide(OPTIN, s, LATER).status()).isEqualTo(ConsentStatus.CONSENTED_IMPLICIT);
    }

    @Test
    @DisplayName("evidence() comes in a stable order, independent of arrival")
    void stableOrder() {
      Evidence a = ev("a", UNSUBSCRIBE, day(1));
      Evidence b = ev("b", CHECKBOX_OPT_IN, day(2));
      Evidence c = otherBrand("c", PURCHASE, day(3));
      Evidence d = unproven("d", CHECKBOX_OPT_IN, day(4));
      List<Evidence> one = ConsentState.EMPTY.with(a).with(b).with(c).with(d).evidence();
      List<Evidence> two = ConsentState.EMPTY.with(d).with(c).with(b).with(a).evidence();
      assertThat(one).isEqualTo(two).hasSize(4);
    }

    @Test
    @DisplayName("the state stays bounded: 10,000 purchases for one brand keep one record, the latest")
    void bounded() {
      ConsentState s = ConsentState.EMPTY.with(contact());
      Evidence last = null;
      for (int i = 0; i < 10_000; i++) {
        last = ev("p" + i, PURCHASE, T0.plusSeconds(60L * i));
        s = s.with(last);
      }
      assertThat(s.evidenceCount()).isEqualTo(1);
      assertThat(s.evidence()).containsExactly(last);
    }

    @Test
    @DisplayName("evidence that arrives before its contact is kept and counts when the contact arrives")
    void evidenceBeforeContact() {
      ConsentState s = ConsentState.EMPTY.with(ev("c1", CHECKBOX_OPT_IN, day(1)));
      assertThat(s.contact()).isEmpty();
      assertThat(s.evidenceCount()).isEqualTo(1);
      Verdict v = decide(OPTIN, s.with(contact()), LATER);
      assertThat(v.status()).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
    }
  }

  @Nested
  @DisplayName("contact records")
  class Contacts {

    @Test
    @DisplayName("the contact record with the later createdAt wins, whatever the arrival order")
    void laterCreatedAtWins() {
      Contact old = new Contact(CONTACT_ID, BRAND, "old@example.org", ContactSource.MANUAL_ENTRY, T0);
      Contact fresh = new Contact(CONTACT_ID, BRAND, "new@example.org", ContactSource.OWN_CHANNEL, day(1));
      assertThat(ConsentState.EMPTY.with(old).with(fresh).contact()).contains(fresh);
      assertThat(ConsentState.EMPTY.with(fresh).with(old).contact()).contains(fresh);
    }

    @Test
    @DisplayName("ties on createdAt are broken deterministically")
    void tiesBrokenDeterministically() {
      Contact a = new Contact(CONTACT_ID, BRAND, "a@example.org", ContactSource.OWN_CHANNEL, T0);
      Contact b = new Contact(CONTACT_ID, BRAND, "b@example.org", ContactSource.OWN_CHANNEL, T0);
      Contact c = new Contact(CONTACT_ID, BRAND, "a@example.org", ContactSource.THIRD_PARTY_LIST, T0);
      ConsentState abc = ConsentState.EMPTY.with(a).with(b).with(c);
      ConsentState cba = ConsentState.EMPTY.with(c).with(b).with(a);
      ConsentState bac = ConsentState.EMPTY.with(b).with(a).with(c);
      assertThat(abc).isEqualTo(cba).isEqualTo(bac);
      assertThat(abc.contact()).isPresent();
    }

    @Test
    @DisplayName("the same contact record twice changes nothing")
    void duplicateContact() {
      ConsentState s = ConsentState.EMPTY.with(contact());
      assertThat(s.with(contact())).isEqualTo(s);
    }

    @Test
    @DisplayName("a new contact record keeps the evidence")
    void newContactKeepsEvidence() {
      ConsentState s = state(contact(), ev("c1", CHECKBOX_OPT_IN, day(1)));
      Contact moved = new Contact(CONTACT_ID, BRAND, "ann@new.example.org", ContactSource.OWN_CHANNEL, day(2));
      ConsentState next = s.with(moved);
      assertThat(next.contact()).contains(moved);
      assertThat(next.evidence()).isEqualTo(s.evidence());
    }
  }

  @Nested
  @DisplayName("latestEventTime")
  class LatestEventTime {

    @Test
    @DisplayName("empty for the empty state")
    void emptyState() {
      assertThat(ConsentState.EMPTY.latestEventTime()).isEmpty();
    }

    @Test
    @DisplayName("the contact's createdAt when there is no evidence")
    void contactOnly() {
      assertThat(ConsentState.EMPTY.with(contact()).latestEventTime()).contains(T0);
    }

    @Test
    @DisplayName("the latest of createdAt and every occurredAt")
    void latestOfAll() {
      ConsentState s = state(contact(), ev("c1", CHECKBOX_OPT_IN, day(3)), ev("u1", UNSUBSCRIBE, day(2)),
          otherBrand("p1", PURCHASE, day(7)));
      assertThat(s.latestEventTime()).contains(day(7));
    }

    @Test
    @DisplayName("a contact created after all evidence gives its createdAt")
    void contactLatest() {
      Contact c = new Contact(CONTACT_ID, BRAND, "ann@example.org", ContactSource.OWN_CHANNEL, day(9));
      ConsentState s = ConsentState.EMPTY.with(ev("c1", CHECKBOX_OPT_IN, day(3))).with(c);
      assertThat(s.latestEventTime()).contains(day(9));
    }

    @Test
    @DisplayName("evidence without a contact")
    void evidenceOnly() {
      assertThat(ConsentState.EMPTY.with(ev("c1", CHECKBOX_OPT_IN, day(3))).latestEventTime()).contains(day(3));
    }
  }

  @Nested
  @DisplayName("merge and of")
  class Merge {

    private final List<ConsentEvent> history = List.of(
        contact(), ev("c1", CHECKBOX_OPT_IN, day(1)), ev("u1", UNSUBSCRIBE, day(2)), ev("p1", PURCHASE, day(3)),
        ev("p2", PURCHASE, day(4)), unproven("c2", CHECKBOX_OPT_IN, day(5)), otherBrand("w1", WEBSITE_FORM, day(6)));

    private ConsentState fold(List<ConsentEvent> events) {
      ConsentState s = ConsentState.EMPTY;
      for (ConsentEvent e : events) {
        s = s.with(e);
      }
      return s;
    }

    @Test
    @DisplayName("merging two halves equals folding the whole, in either order")
    void mergeEqualsFold() {
      ConsentState a = fold(history.subList(0, 3));
      ConsentState b = fold(history.subList(3, history.size()));
      assertThat(a.merge(b)).isEqualTo(fold(history));
      assertThat(b.merge(a)).isEqualTo(fold(history));
    }

    @Test
    @DisplayName("EMPTY is the identity of merge, and merge with itself changes nothing")
    void identityAndIdempotence() {
      ConsentState s = fold(history);
      assertThat(s.merge(ConsentState.EMPTY)).isEqualTo(s);
      assertThat(ConsentState.EMPTY.merge(s)).isEqualTo(s);
      assertThat(s.merge(s)).isEqualTo(s);
    }

    @Test
    @DisplayName("of(contact, evidence) applies the same precedence as with()")
    void ofAppliesPrecedence() {
      List<Evidence> evidence = new ArrayList<>();
      for (ConsentEvent e : history) {
        if (e instanceof Evidence ev) {
          evidence.add(0, ev);
        }
      }
      assertThat(ConsentState.of(contact(), evidence)).isEqualTo(fold(history));
    }
  }
}
