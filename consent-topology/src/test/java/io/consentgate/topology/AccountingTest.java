package io.consentgate.topology;

import static io.consentgate.topology.GateTestDriver.contact;
import static io.consentgate.topology.GateTestDriver.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing vanishes: every input record is reflected in state, recognised as a duplicate or
 * superseded record, or dead-lettered, and the counts add up to what went in. The counts are read
 * from the gate's Micrometer counters, the same ones {@code /metrics} exposes.
 */
class AccountingTest {

  private static final Instant T0 = Instant.parse("2024-03-10T08:00:00Z");

  /**
   * The global registry is shared by every test of this JVM; a registry added now sees only what
   * is counted from now on (tests of one JVM run one after another).
   */
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void attach() {
    Metrics.addRegistry(registry);
  }

  @AfterEach
  void detach() {
    Metrics.removeRegistry(registry);
    registry.close();
  }

  @Test
  void everyInputRecordIsAppliedRecognisedOrDeadLettered() {
    try (GateTestDriver gate = new GateTestDriver()) {
      int in = 0;
      // valid
      gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0)); in++;
      gate.send(contact("c-2", "bob@example.org", ContactSource.OWN_CHANNEL, T0)); in++;
      ConsentEvidence checkbox = evidence("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(10));
      gate.send(checkbox); in++;
      gate.send(evidence("e-2", "c-2", EvidenceKind.PURCHASE, T0.plusSeconds(20))); in++;
      gate.send(evidence("e-3", "c-3", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(30))); in++; // before its contact
      // duplicates
      gate.send(checkbox); in++;
      gate.send(checkbox); in++;
      // out of order: an older record of a slot that already holds a newer one
      gate.send(evidence("e-0", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(5))); in++;
      // bad
      gate.rawEvidence.pipeInput("c-1".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}); in++;
      gate.evidence.pipeInput("c-9", evidence("e-9", "c-1", EvidenceKind.UNSUBSCRIBE, T0)); in++;
      gate.send(evidence(" ", "c-1", EvidenceKind.UNSUBSCRIBE, T0)); in++;

      long applied = total("consent.gate.records.applied");
      long unchanged = total("consent.gate.records.unchanged");
      long deadLettered = gate.readDeadLetters().size();
      assertThat(applied).as("applied").isEqualTo(5);
      assertThat(unchanged).as("duplicates and superseded records").isEqualTo(3);
      assertThat(deadLettered).as("dead-lettered").isEqualTo(3);
      assertThat(total("consent.gate.dead.letters")).as("dead letters counted").isEqualTo(deadLettered);
      assertThat(applied + unchanged + deadLettered).as("every input accounted for").isEqualTo(in);
      // Counters that earlier tests of this JVM registered show here too, at 0.
      assertThat(registry.find("consent.gate.records.applied").counters()).filteredOn(c -> c.count() > 0)
          .as("counted per task, labelled with the task id").singleElement()
          .satisfies(c -> assertThat(c.getId().getTag("task")).isEqualTo("0_0"));
    }
  }

  private long total(String name) {
    return (long) registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }
}
