package io.consentgate.policy;

import static io.consentgate.policy.EvidenceKind.CHECKBOX_OPT_IN;
import static io.consentgate.policy.EvidenceKind.HARD_BOUNCE;
import static io.consentgate.policy.EvidenceKind.PURCHASE;
import static io.consentgate.policy.EvidenceKind.SPAM_COMPLAINT;
import static io.consentgate.policy.EvidenceKind.UNSUBSCRIBE;
import static io.consentgate.policy.PolicyFixtures.BRAND;
import static io.consentgate.policy.PolicyFixtures.CONTACT_ID;
import static io.consentgate.policy.PolicyFixtures.OPTIN;
import static io.consentgate.policy.PolicyFixtures.contact;
import static io.consentgate.policy.PolicyFixtures.day;
import static io.consentgate.policy.PolicyFixtures.decide;
import static io.consentgate.policy.PolicyFixtures.ev;
import static io.consentgate.policy.PolicyFixtures.state;
import static io.consentgate.policy.PolicyFixtures.suppression;
import static io.consentgate.policy.PolicyFixtures.unproven;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** docs/policy.md, "Hard bounces" and "Suppression by address" (rules 3 and 5). */
class AddressSuppressionPolicyTest {

  private static final Instant LATER = day(400);

  @Nested
  @DisplayName("Rule 3: a hard bounce of the contact's own address")
  class OwnBounce {

    @Test
    @DisplayName("a bounce with proof makes the contact UNDELIVERABLE, one-to-one included, whatever grant follows")
    void bounceIsPermanentForTheContact() {
      Verdict v = decide(OPTIN, state(contact(), ev("b1", HARD_BOUNCE, day(2)), ev("c1", CHECKBOX_OPT_IN, day(3))), LATER);
      assertThat(v.status()).isEqualTo(ConsentStatus.UNDELIVERABLE);
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.oneToOneAllowed()).isFalse();
      assertThat(v.evidenceIds()).containsExactly("b1");
    }

    @Test
    @DisplayName("a bounce without a proof reference is ignored as unverifiable")
    void unprovenBounceIsIgnored() {
      Verdict v = decide(OPTIN, state(contact(), ev("c1", CHECKBOX_OPT_IN, day(1)), unproven("b1", HARD_BOUNCE, day(2))), LATER);
      assertThat(v.status()).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(v.reasons()).contains("UNVERIFIABLE_EVIDENCE:b1");
    }

    @Test
    @DisplayName("a bounce wins over the contact's own withdrawal")
    void bounceBeforeWithdrawal() {
      Verdict v = decide(OPTIN, state(contact(), ev("u1", UNSUBSCRIBE, day(1)), ev("b1", HARD_BOUNCE, day(2))), LATER);
      assertThat(v.status()).isEqualTo(ConsentStatus.UNDELIVERABLE);
    }
  }

  @Nested
  @DisplayName("Rule 5: suppression by another contact with the same address")
  class Suppressed {

    @ParameterizedTest(name = "{0} elsewhere -> {1}, one-to-one {2}")
    @CsvSource({"UNSUBSCRIBE, WITHDRAWN_ELSEWHERE, true", "SPAM_COMPLAINT, WITHDRAWN_ELSEWHERE, true",
        "HARD_BOUNCE, BOUNCED_ELSEWHERE, false"})
    @DisplayName("an implicit grant of this contact does not lift a suppression, whenever it came")
    void implicitGrantDoesNotLift(EvidenceKind kind, String reason, boolean oneToOne) {
      Verdict v = decide(OPTIN, state(contact(), ev("p1", PURCHASE, day(5)))
          .with(suppression("c-old", "x1", kind, day(2))), LATER);
      assertThat(v.status()).isEqualTo(ConsentStatus.SUPPRESSED);
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.reasons()).contains(reason + ":c-old/x1");
      assertThat(v.evidenceIds()).containsExactly("x1");
      assertThat(v.oneToOneAllowed()).isEqualTo(oneToOne);
    }

    @Test
    @DisplayName("an explicit grant after the suppressing event lifts it; one at the same instant or before does not")
    void explicitGrantAfterLifts() {
      ConsentState before = state(contact(), ev("c1", CHECKBOX_OPT_IN, day(2)))
          .with(suppression("c-old", "u1", UNSUBSCRIBE, day(2)));
      assertThat(decide(OPTIN, before, LATER).status()).isEqualTo(ConsentStatus.SUPPRESSED);
      ConsentState after = before.with(ev("c2", CHECKBOX_OPT_IN, day(3)));
      assertThat(decide(OPTIN, after, LATER).status()).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
    }

    @Test
    @DisplayName("a later suppression needs a later grant again")
    void laterSuppressionAgain() {
      ConsentState s = state(contact(), ev("c1", CHECKBOX_OPT_IN, day(3)))
          .with(suppression("c-old", "u1", UNSUBSCRIBE, day(2)))
          .with(suppression("c-older", "s1", SPAM_COMPLAINT, day(4)));
      Verdict v = decide(OPTIN, s, LATER);
      assertThat(v.status()).isEqualTo(ConsentStatus.SUPPRESSED);
      assertThat(v.reasons()).contains("WITHDRAWN_ELSEWHERE:c-older/s1");
    }

    @Test
    @DisplayName("the contact's own withdrawal keeps WITHDRAWN; its own notice never suppresses it")
    void ownWithdrawalStaysWithdrawn() {
      ConsentState s = state(contact(), ev("u1", UNSUBSCRIBE, day(2)))
          .with(suppression("c-old", "u0", UNSUBSCRIBE, day(1)))
          .with(new Suppression(CONTACT_ID, AddressKey.of(BRAND, PolicyFixtures.EMAIL).orElseThrow(), CONTACT_ID, "u1",
              UNSUBSCRIBE, day(2)));
      assertThat(decide(OPTIN, s, LATER).status()).isEqualTo(ConsentStatus.WITHDRAWN);
      assertThat(s.suppressions()).extracting(Suppression::sourceContactId).containsExactly("c-old");
    }

    @Test
    @DisplayName("a suppression of an address the contact no longer has does not apply")
    void otherAddressDoesNotApply() {
      ConsentState s = state(contact("ann.new@example.org"), ev("c1", CHECKBOX_OPT_IN, day(1)))
          .with(suppression("c-old", "u1", UNSUBSCRIBE, day(2)));
      assertThat(decide(OPTIN, s, LATER).status()).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
    }

    @Test
    @DisplayName("role and invalid addresses keep their own rules")
    void roleAddressFirst() {
      ConsentState s = state(contact("info@example.org")).with(new Suppression(CONTACT_ID,
          AddressKey.of(BRAND, "info@example.org").orElseThrow(), "c-old", "u1", UNSUBSCRIBE, day(2)));
      assertThat(decide(OPTIN, s, LATER).status()).isEqualTo(ConsentStatus.ROLE_BASED_ADDRESS);
    }

    @Test
    @DisplayName("the state keeps the latest suppression per address and class, whatever the order they came in")
    void orderIndependent() {
      Suppression a = suppression("c-a", "u1", UNSUBSCRIBE, day(2));
      Suppression b = suppression("c-b", "u2", UNSUBSCRIBE, day(3));
      Suppression c = suppression("c-c", "b1", HARD_BOUNCE, day(1));
      ConsentState one = state(contact()).with(a).with(b).with(c);
      ConsentState other = state(contact()).with(c).with(b).with(a).with(b);
      assertThat(one).isEqualTo(other);
      assertThat(one.suppressions()).extracting(Suppression::evidenceId).containsExactly("u2", "b1");
    }
  }

  @Nested
  @DisplayName("Normalising an address")
  class Normalising {

    @ParameterizedTest(name = "{0} ~ {1}")
    @CsvSource({"Ann@Example.ORG, ann@example.org", "ann+news@example.org, ann@example.org",
        "A.n.N+x@googlemail.com, ann@gmail.com", "ann.b@example.org, ann.b@example.org"})
    void sameMailbox(String given, String normalised) {
      assertThat(AddressKey.normalise(given)).contains(normalised);
      assertThat(AddressKey.of(BRAND, given)).isEqualTo(AddressKey.of(BRAND, normalised));
    }

    @Test
    @DisplayName("the key is per brand, and an invalid address has none")
    void perBrand() {
      assertThat(AddressKey.of("acme", "ann@example.org")).isNotEqualTo(AddressKey.of("globex", "ann@example.org"));
      assertThat(AddressKey.of("acme", "not-an-address")).isEmpty();
      assertThat(AddressKey.of("acme", "ann@example.org").orElseThrow().value()).startsWith("acme:").doesNotContain("ann");
    }
  }
}
