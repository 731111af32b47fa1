package io.consentgate.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.Proof;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Decision;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 23's symbols through the input and verdict mappings: nothing special-cased, nothing refused. */
class VerdictMappingTest {

  private static final Instant AT = Instant.parse("2025-03-01T10:00:00Z");

  @Test
  void aSuppressedVerdictIsWrittenWithItsStatusAndTheContactItCameFrom() {
    Verdict suppressed = new Verdict("c-2", "acme", "Ann+news@example.org", Decision.DENY, ConsentStatus.SUPPRESSED,
        false, null, List.of("BOUNCED_ELSEWHERE:c-1/ev-7"), List.of("ev-7"), List.of(), AT, "optin/1");

    ConsentVerdict record = VerdictMapping.toRecord(suppressed, 4);

    assertThat(record.getStatus()).isEqualTo(io.consentgate.events.ConsentStatus.SUPPRESSED);
    assertThat(record.getDecision()).isEqualTo(io.consentgate.events.Decision.DENY);
    assertThat(record.getOneToOneAllowed()).isFalse();
    assertThat(record.getReasons()).containsExactly("BOUNCED_ELSEWHERE:c-1/ev-7");
    assertThat(record.getEvidenceIds()).containsExactly("ev-7");
    assertThat(record.getVersion()).isEqualTo(4);
  }

  @Test
  void anUndeliverableVerdictIsWrittenAsIs() {
    Verdict undeliverable = new Verdict("c-1", "acme", "ann@example.org", Decision.DENY, ConsentStatus.UNDELIVERABLE,
        false, null, List.of(), List.of("ev-7"), List.of(), AT, "optin/1");
    assertThat(VerdictMapping.toRecord(undeliverable, 1).getStatus())
        .isEqualTo(io.consentgate.events.ConsentStatus.UNDELIVERABLE);
  }

  @Test
  void aHardBounceIsEvidenceWithItsProofReference() {
    Evidence bounce = (Evidence) EventMapping.evidence("c-1", bounce(Proof.newBuilder().setReference("<b-1@mx.example>").build()));
    assertThat(bounce.kind()).isEqualTo(EvidenceKind.HARD_BOUNCE);
    assertThat(bounce.proofReference()).isEqualTo("<b-1@mx.example>");
    assertThat(bounce.isVerifiable()).isTrue();
  }

  @Test
  void aHardBounceWithoutProofIsAcceptedAndLeftToThePolicyToIgnore() {
    // Not bad input: the policy decides it (ignored, UNVERIFIABLE_EVIDENCE); nothing is dead-lettered.
    Evidence bounce = (Evidence) EventMapping.evidence("c-1", bounce(null));
    assertThat(bounce.kind()).isEqualTo(EvidenceKind.HARD_BOUNCE);
    assertThat(bounce.isVerifiable()).isFalse();
  }

  @Test
  void aHardBounceIsCheckedLikeAnyEvidence() {
    assertThatThrownBy(() -> EventMapping.evidence("c-9", bounce(null))).isInstanceOf(BadInputException.class);
  }

  private static ConsentEvidence bounce(Proof proof) {
    return ConsentEvidence.newBuilder().setEvidenceId("ev-7").setContactId("c-1").setBrandId("acme")
        .setKind(io.consentgate.events.EvidenceKind.HARD_BOUNCE).setOccurredAt(AT).setProof(proof).build();
  }
}
