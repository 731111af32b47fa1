package io.consentgate.topology;

import io.consentgate.contract.BadInputException;

import static io.consentgate.topology.GateTestDriver.contact;
import static io.consentgate.topology.GateTestDriver.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.serde.ConfluentAvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Bad input never stops the gate and is never dropped silently: it lands on the dead-letter topic. */
class BadInputTest {

  private static final Instant T0 = Instant.parse("2024-03-10T08:00:00Z");

  @Test
  void aKeyThatDiffersFromTheContactIdIsDeadLetteredWithItsOriginalBytesAndTheGateGoesOn() {
    try (GateTestDriver gate = new GateTestDriver()) {
      ConsentEvidence e = evidence("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0);
      byte[] value = new ConfluentAvroSerde<>(gate.registry, ConsentEvidence.class).serialize("consent-evidence", e);
      gate.rawEvidence.pipeInput("c-2".getBytes(StandardCharsets.UTF_8), value);

      List<TestRecord<byte[], byte[]>> dead = gate.readDeadLetters();
      assertThat(dead).hasSize(1);
      assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("c-2");
      assertThat(dead.get(0).value()).isEqualTo(value);
      assertThat(header(dead.get(0), DeadLetterHeaders.TOPIC)).isEqualTo("consent-evidence");
      assertThat(header(dead.get(0), DeadLetterHeaders.OFFSET)).isNotBlank();
      assertThat(header(dead.get(0), DeadLetterHeaders.EXCEPTION))
          .isEqualTo(BadInputException.class.getName());
      assertThat(header(dead.get(0), DeadLetterHeaders.MESSAGE))
          .contains("differs from its contactId");

      gate.send(contact("c-3", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
      assertThat(gate.readVerdicts()).extracting(ConsentVerdict::getContactId).containsExactly("c-3");
    }
  }

  @Test
  void aRecordWithoutKeyIsDeadLettered() {
    try (GateTestDriver gate = new GateTestDriver()) {
      ContactCreated c = contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0);
      gate.contacts.pipeInput((String) null, c);
      assertThat(gate.readDeadLetters()).singleElement()
          .satisfies(r -> assertThat(header(r, DeadLetterHeaders.MESSAGE)).contains("without a key"));
      assertThat(gate.readVerdicts()).isEmpty();
    }
  }

  @Test
  void aRecordWithoutValueIsDeadLettered() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.rawContacts.pipeInput("c-1".getBytes(StandardCharsets.UTF_8), (byte[]) null);
      assertThat(gate.readDeadLetters()).singleElement()
          .satisfies(r -> assertThat(header(r, DeadLetterHeaders.MESSAGE)).contains("without a value"));
    }
  }

  @Test
  void missingIdsAreDeadLetteredAndTheReasonNamesTheField() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.send(ConsentEvidence.newBuilder(evidence("", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0)).build());
      gate.contacts.pipeInput("c-2", ContactCreated.newBuilder(contact("c-2", "ann@example.org", ContactSource.OWN_CHANNEL, T0))
          .setBrandId(" ").build());
      assertThat(gate.readDeadLetters()).extracting(r -> header(r, DeadLetterHeaders.MESSAGE))
          .containsExactly("missing evidenceId", "missing brandId");
    }
  }

  @Test
  void bytesThatAreNotTheWireFormatAreDeadLettered() {
    try (GateTestDriver gate = new GateTestDriver()) {
      byte[] json = "{\"contactId\":\"c-1\"}".getBytes(StandardCharsets.UTF_8);
      gate.rawContacts.pipeInput("c-1".getBytes(StandardCharsets.UTF_8), json);
      List<TestRecord<byte[], byte[]>> dead = gate.readDeadLetters();
      assertThat(dead).singleElement().satisfies(r -> {
        assertThat(r.value()).isEqualTo(json);
        assertThat(header(r, DeadLetterHeaders.MESSAGE)).contains("magic byte");
      });
    }
  }

  @Test
  void anUnknownSchemaIdOrCorruptBodyIsDeadLettered() {
    try (GateTestDriver gate = new GateTestDriver()) {
      byte[] unknownId = {0, 0, 0, 0x7f, 0x7f, 2, 'x'};
      byte[] good = new ConfluentAvroSerde<>(gate.registry, ContactCreated.class)
          .serialize("contact-created", contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
      byte[] truncated = Arrays.copyOf(good, good.length - 4);
      gate.rawContacts.pipeInput("c-1".getBytes(StandardCharsets.UTF_8), unknownId);
      gate.rawContacts.pipeInput("c-1".getBytes(StandardCharsets.UTF_8), truncated);
      assertThat(gate.readDeadLetters()).extracting(r -> header(r, DeadLetterHeaders.MESSAGE))
          .satisfiesExactly(
              m -> assertThat(m).contains("schema id 32639"),
              m -> assertThat(m).contains("corrupt or truncated"));
      gate.rawContacts.pipeInput("c-1".getBytes(StandardCharsets.UTF_8), good);
      assertThat(gate.readVerdicts()).extracting(ConsentVerdict::getStatus).containsExactly(ConsentStatus.NO_CONSENT);
    }
  }

  @Test
  void eventTimesBefore1970OrAbsurdlyFarInTheFutureAreDeadLettered() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, Instant.parse("1969-12-31T23:59:59Z")));
      gate.send(evidence("e-1", "c-2", EvidenceKind.CHECKBOX_OPT_IN, Instant.parse("2999-01-01T00:00:00Z")));
      gate.send(evidence("e-2", "c-2", EvidenceKind.CHECKBOX_OPT_IN, Instant.parse("2099-12-31T23:59:59Z")));
      assertThat(gate.readDeadLetters()).extracting(r -> header(r, DeadLetterHeaders.MESSAGE))
          .containsExactly(
              "createdAt 1969-12-31T23:59:59Z is outside the accepted range [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z)",
              "occurredAt 2999-01-01T00:00:00Z is outside the accepted range [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z)");
      assertThat(gate.readVerdicts()).isEmpty();
    }
  }

  @Test
  void deadLettersAreCountedByReasonAndTopic() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    io.micrometer.core.instrument.Metrics.addRegistry(meters);
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.rawContacts.pipeInput("c-1".getBytes(StandardCharsets.UTF_8), new byte[] {9, 9, 9});
      gate.rawContacts.pipeInput("c-1".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0x7f, 0x7f, 2});
      gate.contacts.pipeInput("other", contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
      gate.contacts.pipeInput("other", contact("c-2", "bob@example.org", ContactSource.OWN_CHANNEL, T0));
      assertThat(count(meters, "not_wire_format", "contact-created")).isEqualTo(1);
      assertThat(count(meters, "unknown_schema_id", "contact-created")).isEqualTo(1);
      assertThat(count(meters, "key_mismatch", "contact-created")).isEqualTo(2);
    } finally {
      io.micrometer.core.instrument.Metrics.removeRegistry(meters);
    }
  }

  private static double count(io.micrometer.core.instrument.MeterRegistry meters, String reason, String topic) {
    io.micrometer.core.instrument.Counter c = meters.find(DeadLetterMetrics.NAME).tag("reason", reason).tag("topic", topic).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void reasonsNeverContainTheEmailAddress() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.contacts.pipeInput("other", contact("c-1", "secret.person@example.org", ContactSource.OWN_CHANNEL, T0));
      assertThat(gate.readDeadLetters()).singleElement()
          .satisfies(r -> assertThat(header(r, DeadLetterHeaders.MESSAGE))
              .doesNotContain("secret.person"));
    }
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /**
   * A state the gate cannot read (corrupt, or of a later release's format) is not bad input: the
   * record is fine, and dead-lettering it would lose it (here a withdrawal). The gate stops instead.
   */
  @Test
  void aStateTheGateCannotReadStopsTheGateInsteadOfDeadLetteringTheRecord() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
      gate.send(evidence("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(60)));
      assertThat(gate.readVerdicts()).hasSize(2);
      putUnreadableState(gate, "c-1");

      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> gate.send(evidence("e-2", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(120))))
          .hasStackTraceContaining("unknown consent-state format 9");
      assertThat(gate.readDeadLetters()).as("the withdrawal is not dead-lettered").isEmpty();
      assertThat(gate.readVerdicts()).isEmpty();
    }
  }

  @Test
  void aStateALapseCheckCannotReadStopsTheGateToo() {
    try (GateTestDriver gate = new GateTestDriver()) {
      gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
      gate.send(evidence("e-1", "c-1", EvidenceKind.PURCHASE, T0)); // lapses two years later
      assertThat(gate.readVerdicts()).hasSize(2);
      putUnreadableState(gate, "c-1");

      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> gate.advanceClock(java.time.Duration.between(GateTestDriver.START, T0.plus(java.time.Duration.ofDays(800)))))
          .hasStackTraceContaining("unknown consent-state format 9");
      assertThat(gate.readDeadLetters()).isEmpty();
      assertThat(gate.readVerdicts()).isEmpty();
    }
  }

  /** Under the typed store is the bytes store: a value of an unknown format put there. */
  private static void putUnreadableState(GateTestDriver gate, String contactId) {
    @SuppressWarnings("unchecked")
    org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]> bytes =
        (org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>)
            ((org.apache.kafka.streams.state.internals.WrappedStateStore<?, ?, ?>)
                gate.driver.getAllStateStores().get(ConsentGateTopology.CONSENT_STORE)).wrapped();
    bytes.put(org.apache.kafka.common.utils.Bytes.wrap(contactId.getBytes(StandardCharsets.UTF_8)), new byte[] {9, 1, 2});
  }
}
