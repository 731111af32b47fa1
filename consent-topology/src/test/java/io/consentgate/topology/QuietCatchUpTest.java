package io.consentgate.topology;

import static io.consentgate.topology.GateTestDriver.contact;
import static io.consentgate.topology.GateTestDriver.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.contract.VerdictHeaders;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** A gate re-deciding its history publishes nothing until it has caught up, then each contact's verdict once. */
class QuietCatchUpTest {

  private static final Instant T0 = Instant.parse("2024-01-05T10:00:00Z");

  /** What the runtime would answer, set by the test. */
  private static final class TestCatchUp implements CatchUp {
    boolean caughtUp;

    @Override
    public boolean catchingUp() {
      return true;
    }

    @Override
    public boolean inputsCaughtUp() {
      return caughtUp;
    }
  }

  @Test
  void nothingIsPublishedWhileCatchingUpThenEachContactOnceInTheNewEpoch() {
    TestCatchUp catchUp = new TestCatchUp();
    TopologySettings settings = TopologySettings.defaults().inEpoch(3, catchUp);
    try (GateTestDriver gate = new GateTestDriver(settings)) {
      gate.send(contact("c-ann", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
      gate.send(evidence("e-1", "c-ann", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(60)));
      gate.send(evidence("e-2", "c-ann", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(120)));
      gate.send(contact("c-bob", "bob@example.org", ContactSource.OWN_CHANNEL, T0));
      gate.advanceClock(Duration.ofSeconds(5));
      assertThat(gate.readVerdicts()).as("the inputs are not caught up yet: nothing, not even the ALLOW on the way").isEmpty();

      catchUp.caughtUp = true;
      gate.advanceClock(Duration.ofSeconds(1));
      List<TestRecord<String, ConsentVerdict>> settled = gate.readVerdictRecords();
      assertThat(settled).extracting(r -> r.key() + ":" + r.value().getStatus() + ":" + r.value().getEpoch() + "/" + r.value().getVersion())
          .containsExactlyInAnyOrder("c-ann:WITHDRAWN:3/1", "c-bob:NO_CONSENT:3/1");
      assertThat(settled).allSatisfy(r -> {
        assertThat(header(r, VerdictHeaders.APPLICATION_ID)).isEqualTo("consent-gate-test");
        assertThat(header(r, VerdictHeaders.EPOCH)).isEqualTo("3");
      });

      gate.send(evidence("e-3", "c-bob", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(300)));
      assertThat(gate.readVerdicts()).as("live from now on").extracting(v -> v.getStatus() + ":" + v.getEpoch() + "/" + v.getVersion())
          .containsExactly("CONSENTED_EXPLICIT:3/2");
      gate.advanceClock(Duration.ofMinutes(5));
      assertThat(gate.readVerdicts()).as("settled once").isEmpty();
    }
  }

  @Test
  void aLiveGateWritesEpochZeroAndItsApplicationId() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
      TestRecord<String, ConsentVerdict> v = gate.readVerdictRecords().get(0);
      assertThat(v.value().getEpoch()).isZero();
      assertThat(header(v, VerdictHeaders.APPLICATION_ID)).isEqualTo("consent-gate-test");
      assertThat(header(v, VerdictHeaders.EPOCH)).isEqualTo("0");
    }
  }

  private static String header(TestRecord<String, ConsentVerdict> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

}
