package io.consentgate.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.events.Proof;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checker's rules on verdict sequences made by hand: what fails a run, and what only informs. */
class VerdictRulesTest {

  private static final long T0 = Instant.parse("2024-06-01T00:00:00Z").toEpochMilli();
  private static final long UNTIL = T0 + 3_600_000;

  private final InputFacts facts = new InputFacts();
  private long offset;

  VerdictRulesTest() {
    facts.add(ContactCreated.newBuilder().setContactId("c1").setBrandId("acme").setEmail("ann@example.org")
        .setSource(ContactSource.OWN_CHANNEL).setCreatedAt(Instant.ofEpochMilli(T0)).build());
  }

  private void evidence(String id, EvidenceKind kind, String brand, long occurredAt, long appendedAt, boolean proof) {
    facts.add(ConsentEvidence.newBuilder().setEvidenceId(id).setContactId("c1").setBrandId(brand).setKind(kind)
        .setOccurredAt(Instant.ofEpochMilli(occurredAt))
        .setProof(proof ? Proof.newBuilder().setReference("ref-" + id).setUrl(null).setIpAddress(null).setUserAgent(null)
            .setCapturedText(null).build() : null)
        .build(), appendedAt);
  }

  private VerdictRules.Observed verdict(long epoch, long version, boolean allow, String status, List<String> evidence,
                                        String writer, long appendedAt) {
    return new VerdictRules.Observed("c1", epoch, version, allow, status, null, evidence, writer, appendedAt, 0, offset++,
        (epoch * 31 + version) * 31 + status.hashCode() + writer.hashCode());
  }

  private static Map<String, VerdictRules.Outcome> replayed(boolean allow, String status) {
    return Map.of("c1", new VerdictRules.Outcome(allow, status, null));
  }

  @Test
  void anAllowAfterAShownWithdrawalFailsUnlessALaterExplicitGrantHadArrived() {
    evidence("grant", EvidenceKind.CHECKBOX_OPT_IN, "acme", T0 + 1_000, T0 + 10, true);
    evidence("unsub", EvidenceKind.UNSUBSCRIBE, "acme", T0 + 2_000, T0 + 20, false);
    VerdictRules rules = new VerdictRules(facts);
    rules.accept(verdict(0, 1, true, "CONSENTED_EXPLICIT", List.of("grant"), "a", T0 + 15));
    rules.accept(verdict(0, 2, false, "WITHDRAWN", List.of("unsub"), "a", T0 + 25));
    rules.accept(verdict(0, 2, true, "CONSENTED_EXPLICIT", List.of("grant"), "b", T0 + 30)); // a second writer, behind

    VerdictRules.Findings f = rules.finish(replayed(false, "WITHDRAWN"), UNTIL);

    assertThat(f.withdrawnButAllowed()).isEqualTo(1);
    assertThat(f.duplicated()).as("the same (epoch, version) from two writers").isEqualTo(1);
    assertThat(f.lost()).as("the highest (epoch, version) is a tie; the later record is ALLOW").isEqualTo(1);
    assertThat(f.lostWithdrawals()).isEqualTo(1);
  }

  @Test
  void aLaterExplicitGrantAppendedBeforeTheAllowJustifiesIt() {
    evidence("unsub", EvidenceKind.UNSUBSCRIBE, "acme", T0 + 2_000, T0 + 20, false);
    evidence("regrant", EvidenceKind.NEWSLETTER_SIGNUP, "acme", T0 + 3_000, T0 + 30, true);
    VerdictRules rules = new VerdictRules(facts);
    rules.accept(verdict(0, 1, false, "WITHDRAWN", List.of("unsub"), "a", T0 + 25));
    rules.accept(verdict(0, 2, true, "CONSENTED_EXPLICIT", List.of("regrant"), "a", T0 + 35));

    VerdictRules.Findings f = rules.finish(replayed(true, "CONSENTED_EXPLICIT"), UNTIL);

    assertThat(f.withdrawnButAllowed()).isZero();
    assertThat(f.lost()).isZero();
    assertThat(f.duplicated()).isZero();
  }

  @Test
  void aGrantWithoutProofOrOfAnotherBrandOrAppendedAfterTheAllowJustifiesNothing() {
    evidence("unsub", EvidenceKind.UNSUBSCRIBE, "acme", T0 + 2_000, T0 + 20, false);
    evidence("noproof", EvidenceKind.CHECKBOX_OPT_IN, "acme", T0 + 3_000, T0 + 30, false);
    evidence("other", EvidenceKind.CHECKBOX_OPT_IN, "globex", T0 + 3_000, T0 + 30, true);
    evidence("late", EvidenceKind.CHECKBOX_OPT_IN, "acme", T0 + 3_000, T0 + 90, true);
    VerdictRules rules = new VerdictRules(facts);
    rules.accept(verdict(0, 1, false, "WITHDRAWN", List.of("unsub"), "a", T0 + 25));
    rules.accept(verdict(1, 1, true, "CONSENTED_EXPLICIT", List.of("noproof"), "a", T0 + 40));

    assertThat(rules.finish(replayed(true, "CONSENTED_EXPLICIT"), UNTIL).withdrawnButAllowed()).isEqualTo(1);
  }

  @Test
  void anAllowFromBeforeTheGateReadTheWithdrawalIsOnlyStale() {
    evidence("grant", EvidenceKind.CHECKBOX_OPT_IN, "acme", T0 + 1_000, T0 + 10, true);
    evidence("unsub", EvidenceKind.UNSUBSCRIBE, "acme", T0 + 2_000, T0 + 11, false);
    VerdictRules rules = new VerdictRules(facts);
    // The gate decided the grant after the withdrawal had been appended, then read the withdrawal.
    rules.accept(verdict(0, 1, true, "CONSENTED_EXPLICIT", List.of("grant"), "a", T0 + 15));
    rules.accept(verdict(0, 2, false, "WITHDRAWN", List.of("unsub"), "a", T0 + 16));

    VerdictRules.Findings f = rules.finish(replayed(false, "WITHDRAWN"), UNTIL);

    assertThat(f.withdrawnButAllowed()).isZero();
    assertThat(f.staleAllows()).isEqualTo(1);
    assertThat(f.lost()).isZero();
  }

  @Test
  void aWithdrawalThatNeverShowsIsLost() {
    evidence("grant", EvidenceKind.CHECKBOX_OPT_IN, "acme", T0 + 1_000, T0 + 10, true);
    evidence("unsub", EvidenceKind.UNSUBSCRIBE, "acme", T0 + 2_000, T0 + 20, false);
    VerdictRules rules = new VerdictRules(facts);
    rules.accept(verdict(0, 1, true, "CONSENTED_EXPLICIT", List.of("grant"), "a", T0 + 15));
    rules.accept(verdict(1, 1, true, "CONSENTED_EXPLICIT", List.of("grant"), "a", T0 + 18)); // re-published, then quiet

    VerdictRules.Findings f = rules.finish(replayed(false, "WITHDRAWN"), UNTIL);

    assertThat(f.lost()).isEqualTo(1);
    assertThat(f.lostWithdrawals()).isEqualTo(1);
    assertThat(f.examples()).anySatisfy(e -> assertThat(e).contains("c1").contains("epoch 1 v1 ALLOW")
        .contains("the replay gives DENY/WITHDRAWN"));
  }

  @Test
  void anAllowWhoseValidUntilHasPassedIsReadAsExpiredAndTheHighestEpochWins() {
    VerdictRules rules = new VerdictRules(facts);
    rules.accept(new VerdictRules.Observed("c1", 2, 1, true, "CONSENTED_IMPLICIT", UNTIL - 1, List.of("p"), "a", T0, 0, 7, 1));
    rules.accept(new VerdictRules.Observed("c1", 1, 9, false, "NO_CONSENT", null, List.of(), "a", T0, 0, 8, 2));

    VerdictRules.Findings f = rules.finish(replayed(false, "EXPIRED"), UNTIL);

    assertThat(f.lost()).isZero();
    assertThat(f.repeated()).isZero();
  }

  @Test
  void theSameRecordTwiceIsRepeatedNotDuplicated() {
    VerdictRules rules = new VerdictRules(facts);
    rules.accept(new VerdictRules.Observed("c1", 0, 1, false, "NO_CONSENT", null, List.of(), "a", T0, 0, 1, 42));
    rules.accept(new VerdictRules.Observed("c1", 0, 1, false, "NO_CONSENT", null, List.of(), "a", T0, 0, 2, 42));

    VerdictRules.Findings f = rules.finish(replayed(false, "NO_CONSENT"), UNTIL);

    assertThat(f.duplicated()).isZero();
    assertThat(f.repeated()).isEqualTo(1);
  }

  @Test
  void aContactWithoutAnyVerdictIsLost() {
    VerdictRules.Findings f = new VerdictRules(facts).finish(replayed(false, "NO_CONSENT"), UNTIL);

    assertThat(f.lost()).isEqualTo(1);
    assertThat(f.examples()).anySatisfy(e -> assertThat(e).contains("latest verdict none"));
  }

  // Suppression by address: c2 is c1 re-imported (another id, a variant of its address, the same brand).

  private void contact(String id, String email, long appendedAt) {
    facts.add(ContactCreated.newBuilder().setContactId(id).setBrandId("acme").setEmail(email)
        .setSource(ContactSource.OWN_CHANNEL).setCreatedAt(Instant.ofEpochMilli(T0)).build(), appendedAt);
  }

  private void evidenceOf(String contact, String id, EvidenceKind kind, long occurredAt, long appendedAt, boolean proof) {
    facts.add(ConsentEvidence.newBuilder().setEvidenceId(id).setContactId(contact).setBrandId("acme").setKind(kind)
        .setOccurredAt(Instant.ofEpochMilli(occurredAt))
        .setProof(proof ? Proof.newBuilder().setReference("ref-" + id).setUrl(null).setIpAddress(null).setUserAgent(null)
            .setCapturedText(null).build() : null)
        .build(), appendedAt);
  }

  private VerdictRules.Observed verdictOf(String contact, long version, boolean allow, String status, List<String> evidence,
                                          long appendedAt) {
    return new VerdictRules.Observed(contact, 0, version, allow, status, null, evidence, "a", appendedAt, 0, offset++,
        version * 31 + status.hashCode() + contact.hashCode());
  }

  @Test
  void anotherContactsWithdrawalOfTheSameAddressIsExpectedToSuppressUnlessAnOwnExplicitGrantCameAfter() {
    contact("c2", "Ann+Shop@Example.org", T0 + 5);
    contact("c3", "ann@example.org", T0 + 5);
    facts.add(ContactCreated.newBuilder().setContactId("c4").setBrandId("globex").setEmail("ann@example.org")
        .setSource(ContactSource.OWN_CHANNEL).setCreatedAt(Instant.ofEpochMilli(T0)).build(), T0 + 5);
    evidence("unsub", EvidenceKind.UNSUBSCRIBE, "acme", T0 + 2_000, T0 + 20, false);
    evidenceOf("c3", "later", EvidenceKind.CHECKBOX_OPT_IN, T0 + 3_000, T0 + 30, true);
    VerdictRules rules = new VerdictRules(facts);
    VerdictRules.Outcome allow = new VerdictRules.Outcome(true, "CONSENTED_EXPLICIT", null);

    assertThat(rules.withSuppression("c2", allow).status()).isEqualTo("SUPPRESSED");
    assertThat(rules.withSuppression("c3", allow)).as("its own grant after the withdrawal").isEqualTo(allow);
    assertThat(rules.withSuppression("c4", allow)).as("another brand's contact").isEqualTo(allow);
    assertThat(rules.withSuppression("c1", new VerdictRules.Outcome(false, "WITHDRAWN", null)).status()).isEqualTo("WITHDRAWN");
  }

  @Test
  void onlyAVerifiedBounceSuppressesAndTheContactItselfStaysUndeliverable() {
    contact("c2", "ANN@example.org", T0 + 5);
    evidence("bounce-no-proof", EvidenceKind.HARD_BOUNCE, "acme", T0 + 1_000, T0 + 10, false);
    VerdictRules rules = new VerdictRules(facts);
    VerdictRules.Outcome allow = new VerdictRules.Outcome(true, "CONSENTED_EXPLICIT", null);
    assertThat(rules.withSuppression("c2", allow)).isEqualTo(allow);

    evidence("bounce", EvidenceKind.HARD_BOUNCE, "acme", T0 + 2_000, T0 + 20, true);
    assertThat(new VerdictRules(facts).withSuppression("c2", allow).status()).isEqualTo("SUPPRESSED");
    assertThat(new VerdictRules(facts).withSuppression("c1", new VerdictRules.Outcome(false, "UNDELIVERABLE", null)).status())
        .isEqualTo("UNDELIVERABLE");
  }

  @Test
  void anAllowAfterAShownSuppressionFails() {
    contact("c2", "ann+x@example.org", T0 + 5);
    evidenceOf("c2", "grant2", EvidenceKind.CHECKBOX_OPT_IN, T0 + 1_000, T0 + 6, true);
    evidence("unsub", EvidenceKind.UNSUBSCRIBE, "acme", T0 + 2_000, T0 + 20, false);
    VerdictRules rules = new VerdictRules(facts);
    rules.accept(verdictOf("c2", 1, true, "CONSENTED_EXPLICIT", List.of("grant2"), T0 + 10));
    rules.accept(verdictOf("c2", 2, true, "CONSENTED_EXPLICIT", List.of("grant2"), T0 + 25)); // stale: not yet read
    rules.accept(verdictOf("c2", 3, false, "SUPPRESSED", List.of("unsub"), T0 + 30));
    rules.accept(verdictOf("c2", 4, true, "CONSENTED_EXPLICIT", List.of("grant2"), T0 + 40));

    VerdictRules.Findings f = rules.finish(Map.of("c1", new VerdictRules.Outcome(false, "WITHDRAWN", null),
        "c2", new VerdictRules.Outcome(true, "CONSENTED_EXPLICIT", null)), UNTIL);

    assertThat(f.suppressedButAllowed()).isEqualTo(1);
    assertThat(f.suppressed()).isEqualTo(1);
    assertThat(f.lostSuppressions()).as("its latest verdict is ALLOW").isEqualTo(1);
  }

  @Test
  void aContactRecordedAfterAnotherContactsCommittedWithdrawalMustNeverBeAllowed() {
    evidence("unsub", EvidenceKind.UNSUBSCRIBE, "acme", T0 + 2_000, T0 + 20, false);
    contact("c2", "ann+x@example.org", T0 + 50); // after c1's WITHDRAWN verdict below
    contact("c3", "ANN@example.org", T0 + 5); // before it: registered before the notice, may be stale
    evidenceOf("c2", "grant2", EvidenceKind.CHECKBOX_OPT_IN, T0 + 1_000, T0 + 51, true);
    evidenceOf("c3", "grant3", EvidenceKind.CHECKBOX_OPT_IN, T0 + 1_000, T0 + 6, true);
    VerdictRules rules = new VerdictRules(facts);
    rules.accept(verdictOf("c1", 1, false, "WITHDRAWN", List.of("unsub"), T0 + 30));
    rules.accept(verdictOf("c3", 1, true, "CONSENTED_EXPLICIT", List.of("grant3"), T0 + 35));
    rules.accept(verdictOf("c2", 1, true, "CONSENTED_EXPLICIT", List.of("grant2"), T0 + 60));

    VerdictRules.Findings f = rules.finish(Map.of(), UNTIL);

    assertThat(f.suppressedButAllowed()).as("c2 only").isEqualTo(1);
    assertThat(f.examples()).anyMatch(e -> e.startsWith("suppressed-but-allowed: c2"));
    assertThat(f.sharingAddresses()).isEqualTo(3);
  }
}
