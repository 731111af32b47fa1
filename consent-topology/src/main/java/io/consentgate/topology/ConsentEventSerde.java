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
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.AddressRegistered;
import io.consentgate.policy.Suppression;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
 * Format of the gate's internal event topics (re-routing, and the suppression index's two): a
 * format byte, then for a contact record or evidence (format 1) Avro binary of the internal
 * ReroutedEvent schema, for a suppression (2) or the index's answer to a registration (3) their
 * fields in {@link DataOutputStream} form. The event has passed the contract check already, so it
 * travels in its domain form.
 */
final class ConsentEventSerde implements Serde<ConsentEvent> {

  private static final byte FORMAT_V1 = 1;
  private static final byte FORMAT_SUPPRESSION = 2;
  private static final byte FORMAT_REGISTERED = 3;

  static {
    AvroTrust.trustGateClasses();
  }

  private final SpecificDatumWriter<ReroutedEvent> writer = new SpecificDatumWriter<>(ReroutedEvent.class);
  private final SpecificDatumReader<ReroutedEvent> reader = new SpecificDatumReader<>(ReroutedEvent.class);

  byte[] serialize(ConsentEvent event) {
    if (event == null) {
      return null;
    }
    if (event instanceof Suppression x) {
      return writeFields(FORMAT_SUPPRESSION, out -> {
        out.writeUTF(x.contactId());
        out.writeUTF(x.address().value());
        out.writeUTF(x.sourceContactId());
        out.writeUTF(x.evidenceId());
        out.writeUTF(x.kind().name());
        out.writeLong(x.occurredAt().toEpochMilli());
      });
    }
    if (event instanceof AddressRegistered r) {
      return writeFields(FORMAT_REGISTERED, out -> {
        out.writeUTF(r.contactId());
        out.writeUTF(r.brandId());
        out.writeUTF(r.email());
        out.writeLong(r.createdAt().toEpochMilli());
      });
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

  private interface Fields {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] writeFields(byte format, Fields fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(format);
      fields.write(out);
    } catch (IOException e) {
      throw new SerializationException("cannot write an internal event", e);
    }
    return bytes.toByteArray();
  }

  private static ConsentEvent readFields(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 1, data.length - 1))) {
      ConsentEvent event = data[0] == FORMAT_SUPPRESSION
          ? new Suppression(in.readUTF(), new AddressKey(in.readUTF()), in.readUTF(), in.readUTF(),
              EvidenceKind.valueOf(in.readUTF()), Instant.ofEpochMilli(in.readLong()))
          : new AddressRegistered(in.readUTF(), in.readUTF(), in.readUTF(), Instant.ofEpochMilli(in.readLong()));
      if (in.available() != 0) {
        throw new SerializationException(in.available() + " bytes after an internal event");
      }
      return event;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("corrupt internal event", e);
    }
  }

  ConsentEvent deserialize(byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length > 0 && (data[0] == FORMAT_SUPPRESSION || data[0] == FORMAT_REGISTERED)) {
      return readFields(data);
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
