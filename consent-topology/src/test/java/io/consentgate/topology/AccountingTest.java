package io.consentgate.topology;

import static io.consentgate.topology.GateTestDriver.contact;
import static io.consentgate.topology.GateTestDriver.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/**
 * Nothing vanishes: every input record is reflected in state, recognised as a duplicate or
 * superseded record, or dead-lettered, and the counts add up to what went in.
 */
class AccountingTest {

  private static final Instant T0 = Instant.parse("2024-03-10T08:00:00Z");

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

      long applied = total(gate, "records-applied-total");
      long unchanged = total(gate, "records-unchanged-total");
      long deadLettered = gate.readDeadLetters().size();
      assertThat(applied).as("applied").isEqualTo(5);
      assertThat(unchanged).as("duplicates and superseded records").isEqualTo(3);
      assertThat(deadLettered).as("dead-lettered").isEqualTo(3);
      assertThat(applied + unchanged + deadLettered).as("every input accounted for").isEqualTo(in);
    }
  }

  private static long total(GateTestDriver gate, String name) {
    double sum = 0;
    for (Map.Entry<MetricName, ? extends Metric> m : gate.driver.metrics().entrySet()) {
      if (m.getKey().name().equals(name) && m.getKey().group().equals("stream-" + ConsentDecider.METRIC_SCOPE + "-metrics")) {
        sum += ((Number) m.getValue().metricValue()).doubleValue();
      }
    }
    return (long) sum;
  }
}
