package io.consentgate.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Evidence;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.InMemorySchemaRegistry;
import io.consentgate.serde.ValueSerdes;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class GateTopicsTest {

  private static final Instant T0 = Instant.parse("2024-03-10T08:00:00Z");
  private static final GateTopics TOPICS = new GateTopics("in-contacts", "in-evidence", "out-verdicts", "out-dlq");

  private static final ContactCreated CONTACT = ContactCreated.newBuilder().setContactId("c-1").setBrandId("acme")
      .setEmail("ann@example.org").setSource(ContactSource.OWN_CHANNEL).setCreatedAt(T0).build();
  private static final ConsentEvidence EVIDENCE = ConsentEvidence.newBuilder().setEvidenceId("e-1").setContactId("c-1")
      .setBrandId("acme").setKind(EvidenceKind.UNSUBSCRIBE).setOccurredAt(T0.plusSeconds(5)).setProof(null).build();

  @Test
  void eachInputRecordHasItsTopicWithItsKeyEventTimeAndDomainEvent() {
    var contactInput = TOPICS.inputFor(CONTACT);
    assertThat(contactInput).isEqualTo(TOPICS.contactCreatedInput());
    assertThat(contactInput.name()).isEqualTo("in-contacts");
    assertThat(contactInput.valueType()).isEqualTo(ContactCreated.class);
    assertThat(contactInput.keyOf(CONTACT)).isEqualTo("c-1");
    assertThat(contactInput.eventTimeOf(CONTACT)).isEqualTo(T0);
    assertThat(contactInput.toEvent("c-1", CONTACT)).isInstanceOf(Contact.class);

    var evidenceInput = TOPICS.inputFor(EVIDENCE);
    assertThat(evidenceInput).isEqualTo(TOPICS.consentEvidenceInput());
    assertThat(evidenceInput.name()).isEqualTo("in-evidence");
    assertThat(evidenceInput.keyOf(EVIDENCE)).isEqualTo("c-1");
    assertThat(evidenceInput.eventTimeOf(EVIDENCE)).isEqualTo(T0.plusSeconds(5));
    assertThat(evidenceInput.toEvent("c-1", EVIDENCE)).isInstanceOf(Evidence.class);

    assertThat(TOPICS.inputs()).containsExactly(contactInput, evidenceInput);
    assertThat(contactInput.carries(CONTACT)).isTrue();
    assertThat(contactInput.carries(EVIDENCE)).isFalse();
    assertThat(contactInput.carries(null)).isFalse();
  }

  @Test
  void aVerdictIsNoInputRecord() {
    ConsentVerdict verdict = new ConsentVerdict();
    assertThatThrownBy(() -> TOPICS.inputFor(verdict))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not an input record: ConsentVerdict");
  }

  @Test
  void aRecordIsWrittenToItsTopicKeyedByContactIdInTheTopicsWireFormat() {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    InputRecordSerializer serializer = new InputRecordSerializer(TOPICS, ValueSerdes.using(registry));

    ProducerRecord<String, byte[]> contact = serializer.serialize(CONTACT);
    ProducerRecord<String, byte[]> evidence = serializer.serialize(EVIDENCE);

    assertThat(contact.topic()).isEqualTo("in-contacts");
    assertThat(contact.key()).isEqualTo("c-1");
    assertThat(new ConfluentAvroSerde<>(registry, ContactCreated.class).deserialize("in-contacts", contact.value()))
        .isEqualTo(CONTACT);
    assertThat(evidence.topic()).isEqualTo("in-evidence");
    assertThat(evidence.key()).isEqualTo("c-1");
    assertThat(new ConfluentAvroSerde<>(registry, ConsentEvidence.class).deserialize("in-evidence", evidence.value()))
        .isEqualTo(EVIDENCE);
  }
}
