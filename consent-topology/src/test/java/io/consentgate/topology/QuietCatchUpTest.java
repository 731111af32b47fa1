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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * The window between "caught up" and "live": the settle pass publishes 5,000 contacts per
   * punctuation, so with 6,000 contacts it stops once half-way. Events that arrive then, for a
   * contact it has passed, for one it has not reached, and for a new contact behind it, all end in
   * that contact's latest verdict.
   */
  @Test
  void eventsArrivingWhileTheSettlePassRunsAreAllPublished() {
    TestCatchUp catchUp = new TestCatchUp();
    try (GateTestDriver gate = new GateTestDriver(TopologySettings.defaults().inEpoch(1, catchUp))) {
      for (int i = 0; i < 6_000; i++) {
        String id = String.format("c-%05d", i);
        gate.send(contact(id, id + "@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-" + id, id, EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(60)));
      }
      catchUp.caughtUp = true;
      gate.advanceClock(Duration.ofSeconds(1));
      Map<String, ConsentVerdict> latest = new HashMap<>();
      gate.readVerdicts().forEach(v -> latest.put(v.getContactId(), v));
      // Sizes and keys, not the maps: a failure would otherwise print 6,000 verdicts.
      assertThat(latest.size()).as("the first batch of the pass").isEqualTo(5_000);
      assertThat(latest.containsKey("c-00001") && !latest.containsKey("c-05999")).as("the pass goes in key order").isTrue();

      gate.send(evidence("w-1", "c-00001", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(600))); // passed
      gate.send(evidence("w-2", "c-05999", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(600))); // not reached
      gate.send(contact("c-00000a", "new@example.org", ContactSource.OWN_CHANNEL, T0.plusSeconds(600))); // behind it
      gate.send(evidence("e-new", "c-00000a", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(660)));
      gate.send(evidence("w-3", "c-00000a", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(720)));
      gate.advanceClock(Duration.ofSeconds(1)); // the rest of the pass; the task is live after it
      gate.send(evidence("w-4", "c-00002", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(600))); // live
      gate.readVerdicts().forEach(v -> latest.put(v.getContactId(), v));

      assertThat(latest.size()).isEqualTo(6_001);
      assertThat(List.of("c-00001", "c-05999", "c-00000a", "c-00002"))
          .allSatisfy(id -> assertThat(latest.get(id).getStatus().name()).as(id).isEqualTo("WITHDRAWN"));
      assertThat(latest.get("c-00003").getStatus().name()).isEqualTo("CONSENTED_EXPLICIT");
      assertThat(latest.values().stream().filter(v -> v.getEpoch() != 1).count()).as("verdicts not in epoch 1").isZero();
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
