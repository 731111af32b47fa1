package io.consentgate.topology;

import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.serde.AvroTrust;
import io.consentgate.topology.store.ReroutedEvent;
import io.consentgate.topology.store.StoredContact;
import io.consentgate.topology.store.StoredEvidence;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Format of the re-routing topic: a format byte, then Avro binary of the internal ReroutedEvent
 * schema. The event has passed the contract check already, so it travels in its domain form.
 */
final class ConsentEventSerde implements Serde<ConsentEvent> {

  private static final byte FORMAT_V1 = 1;

  static {
    AvroTrust.trustGateClasses();
  }

  private final SpecificDatumWriter<ReroutedEvent> writer = new SpecificDatumWriter<>(ReroutedEvent.class);
  private final SpecificDatumReader<ReroutedEvent> reader = new SpecificDatumReader<>(ReroutedEvent.class);

  byte[] serialize(ConsentEvent event) {
    if (event == null) {
      return null;
    }
    ReroutedEvent value;
    if (event instanceof Contact c) {
      value = new ReroutedEvent(c.contactId(),
          new StoredContact(c.brandId(), c.email(), c.source().name(), c.createdAt().toEpochMilli()), null);
    } else {
      Evidence e = (Evidence) event;
      value = new ReroutedEvent(e.contactId(), null, new StoredEvidence(e.evidenceId(), e.brandId(), e.kind().name(),
          e.occurredAt().toEpochMilli(), e.proofReference()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    out.write(FORMAT_V1);
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writer.write(value, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new SerializationException("cannot write a re-routed event", e);
    }
    return out.toByteArray();
  }

  ConsentEvent deserialize(byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length == 0 || data[0] != FORMAT_V1) {
      throw new SerializationException("unknown re-routed event format " + (data.length == 0 ? "(empty)" : data[0]));
    }
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, 1, data.length - 1, null);
      ReroutedEvent value = reader.read(null, decoder);
      StoredContact c = value.getContact();
      StoredEvidence e = value.getEvidence();
      if ((c == null) == (e == null)) {
        throw new SerializationException("a re-routed event holds exactly one of contact and evidence");
      }
      return c != null
          ? new Contact(value.getContactId(), c.getBrandId(), c.getEmail(), ContactSource.valueOf(c.getSource()),
              Instant.ofEpochMilli(c.getCreatedAt()))
          : new Evidence(e.getEvidenceId(), value.getContactId(), e.getBrandId(), EvidenceKind.valueOf(e.getKind()),
              Instant.ofEpochMilli(e.getOccurredAt()), e.getProofReference());
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("corrupt re-routed event", e);
    }
  }

  @Override
  public Serializer<ConsentEvent> serializer() {
    return (topic, value) -> serialize(value);
  }

  @Override
  public Deserializer<ConsentEvent> deserializer() {
    return (topic, data) -> deserialize(data);
  }
}
