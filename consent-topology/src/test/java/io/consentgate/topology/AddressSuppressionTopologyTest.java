package io.consentgate.topology;

import static io.consentgate.topology.GateTestDriver.contact;
import static io.consentgate.topology.GateTestDriver.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactSource;
import io.consentgate.events.Decision;
import io.consentgate.events.EvidenceKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Suppression by address through the production topology: the index and its two internal topics. */
class AddressSuppressionTopologyTest {

  private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");

  private static List<ConsentVerdict> of(List<ConsentVerdict> verdicts, String contactId) {
    return verdicts.stream().filter(v -> v.getContactId().equals(contactId)).toList();
  }

  @Test
  void aContactReImportedAfterAnUnsubscribeIsSuppressedFromItsFirstVerdict() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.send(contact("c-1", "Ann@example.org", ContactSource.OWN_CHANNEL, T0));
      gate.send(evidence("u-1", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(60)));
      gate.send(evidence("p-2", "c-2", EvidenceKind.PURCHASE, T0.plusSeconds(3600)));
      gate.send(contact("c-2", "ann+shop@example.org", ContactSource.OWN_CHANNEL, T0.plusSeconds(3600)));

      List<ConsentVerdict> verdicts = gate.readVerdicts();
      assertThat(of(verdicts, "c-1")).extracting(ConsentVerdict::getStatus).endsWith(ConsentStatus.WITHDRAWN);
      List<ConsentVerdict> reImported = of(verdicts, "c-2");
      assertThat(reImported).extracting(ConsentVerdict::getDecision).as("never ALLOW, not even first")
          .containsOnly(Decision.DENY);
      assertThat(reImported).last().satisfies(v -> {
        assertThat(v.getStatus()).isEqualTo(ConsentStatus.SUPPRESSED);
        assertThat(v.getReasons()).contains("WITHDRAWN_ELSEWHERE:c-1/u-1");
        assertThat(v.getEvidenceIds()).containsExactly("u-1");
      });
    }
  }

  @Test
  void aBounceSuppressesTheOtherContactsAlreadyAllowedAndAnExplicitGrantAfterItLiftsIt() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.send(contact("c-2", "bob@example.org", ContactSource.OWN_CHANNEL, T0));
      gate.send(evidence("w-2", "c-2", EvidenceKind.WEBSITE_FORM, T0));
      gate.send(contact("c-1", "BOB@example.org", ContactSource.OWN_CHANNEL, T0));
      gate.send(evidence("b-1", "c-1", EvidenceKind.HARD_BOUNCE, T0.plusSeconds(60)));
      gate.send(evidence("d-2", "c-2", EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, T0.plusSeconds(120)));

      List<ConsentVerdict> verdicts = gate.readVerdicts();
      assertThat(of(verdicts, "c-2")).extracting(ConsentVerdict::getStatus).containsExactly(ConsentStatus.NO_CONSENT,
          ConsentStatus.CONSENTED_IMPLICIT, ConsentStatus.SUPPRESSED, ConsentStatus.CONSENTED_EXPLICIT);
      assertThat(of(verdicts, "c-2").get(2).getOneToOneAllowed()).as("a bounced address takes no mail at all").isFalse();
      assertThat(of(verdicts, "c-1")).extracting(ConsentVerdict::getStatus).endsWith(ConsentStatus.UNDELIVERABLE);
    }
  }

  @Test
  void aBounceWithoutProofIsDecidedNotDeadLettered() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.send(contact("c-1", "cy@example.org", ContactSource.OWN_CHANNEL, T0));
      gate.send(evidence("c-1x", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0));
      var bounce = evidence("b-1", "c-1", EvidenceKind.HARD_BOUNCE, T0.plusSeconds(5));
      bounce.setProof(null);
      gate.send(bounce);
      assertThat(gate.readDeadLetters()).isEmpty();
      assertThat(gate.readVerdicts()).extracting(ConsentVerdict::getStatus).as("the bounce changed nothing")
          .containsExactly(ConsentStatus.NO_CONSENT, ConsentStatus.CONSENTED_EXPLICIT);
    }
  }
}
