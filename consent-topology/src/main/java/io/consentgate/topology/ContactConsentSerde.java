package io.consentgate.topology;

import io.consentgate.ledger.ContactConsent;

import io.consentgate.policy.ConsentState;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Decision;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.topology.store.PublishedOutcome;
import io.consentgate.topology.store.StoredConsent;
import io.consentgate.topology.store.StoredContact;
import io.consentgate.topology.store.StoredEvidence;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import io.consentgate.serde.AvroTrust;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Store and changelog format of {@link ContactConsent}: a format byte, then Avro binary of the
 * internal StoredConsent schema. The format byte lets a later release read changelogs written by
 * this one.
 */
public final class ContactConsentSerde implements Serde<ContactConsent> {

  private static final byte FORMAT_V1 = 1;

  static {
    AvroTrust.trustGateClasses();
  }

  /**
   * Every store get and put goes through this serde, so it uses the generated classes' own
   * encode/decode code (Avro's "custom coders") rather than the reflective schema walk: the same
   * bytes, about twice as fast. They are off by default in Avro, hence a private SpecificData.
   */
  private static final SpecificData CODERS = customCoders();

  private final SpecificDatumWriter<StoredConsent> writer = new SpecificDatumWriter<>(StoredConsent.getClassSchema(), CODERS);
  private final SpecificDatumReader<StoredConsent> reader =
      new SpecificDatumReader<>(StoredConsent.getClassSchema(), StoredConsent.getClassSchema(), CODERS);

  private static SpecificData customCoders() {
    SpecificData data = new SpecificData(ContactConsentSerde.class.getClassLoader());
    data.setCustomCoders(true);
    data.setFastReaderEnabled(false); // the fast reader would take precedence over the custom decoder
    return data;
  }

  public byte[] serialize(ContactConsent value) {
    if (value == null) {
      return null;
    }
    Buffers buffers = BUFFERS.get();
    buffers.out.reset();
    buffers.out.write(FORMAT_V1);
    try {
      buffers.encoder = EncoderFactory.get().binaryEncoder(buffers.out, buffers.encoder);
      writer.write(toStored(value), buffers.encoder);
      buffers.encoder.flush();
    } catch (IOException e) {
      throw new SerializationException("cannot write consent state", e);
    }
    return buffers.out.toByteArray();
  }

  public ContactConsent deserialize(byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length == 0 || data[0] != FORMAT_V1) {
      throw new SerializationException("unknown consent-state format " + (data.length == 0 ? "(empty)" : data[0]));
    }
    Buffers buffers = BUFFERS.get();
    try {
      buffers.decoder = DecoderFactory.get().binaryDecoder(data, 1, data.length - 1, buffers.decoder);
      return fromStored(reader.read(null, buffers.decoder));
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("corrupt consent state", e);
    }
  }

  /**
   * An output buffer and Avro's buffered encoder and decoder, reused by each stream thread: every
   * store get and put goes through here, and the unbuffered encoder made a synchronized stream
   * write per field.
   */
  private static final class Buffers {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    BinaryEncoder encoder;
    BinaryDecoder decoder;
  }

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private static StoredConsent toStored(ContactConsent value) {
    ConsentState state = value.state();
    StoredContact contact = state.contact()
        .map(c -> new StoredContact(c.brandId(), c.email(), c.source().name(), c.createdAt().toEpochMilli()))
        .orElse(null);
    List<StoredEvidence> evidence = new ArrayList<>(state.evidenceCount());
    for (Evidence e : state.evidence()) {
      evidence.add(new StoredEvidence(e.evidenceId(), e.brandId(), e.kind().name(), e.occurredAt().toEpochMilli(),
          e.proofReference()));
    }
    ContactConsent.Published p = value.published();
    PublishedOutcome published = p == null ? null : new PublishedOutcome(p.version(), p.decision().name(),
        p.status().name(), p.validUntil() == null ? null : p.validUntil().toEpochMilli(), p.decidedAt().toEpochMilli());
    return new StoredConsent(value.contactId(), contact, evidence, published);
  }

  private static ContactConsent fromStored(StoredConsent stored) {
    String contactId = stored.getContactId();
    StoredContact c = stored.getContact();
    Contact contact = c == null ? null : new Contact(contactId, c.getBrandId(), c.getEmail(),
        ContactSource.valueOf(c.getSource()), Instant.ofEpochMilli(c.getCreatedAt()));
    List<Evidence> evidence = new ArrayList<>(stored.getEvidence().size());
    for (StoredEvidence e : stored.getEvidence()) {
      evidence.add(new Evidence(e.getEvidenceId(), contactId, e.getBrandId(), EvidenceKind.valueOf(e.getKind()),
          Instant.ofEpochMilli(e.getOccurredAt()), e.getProofReference()));
    }
    PublishedOutcome p = stored.getPublished();
    ContactConsent.Published published = p == null ? null : new ContactConsent.Published(p.getVersion(),
        Decision.valueOf(p.getDecision()), ConsentStatus.valueOf(p.getStatus()),
        p.getValidUntil() == null ? null : Instant.ofEpochMilli(p.getValidUntil()),
        Instant.ofEpochMilli(p.getDecidedAt()));
    return new ContactConsent(contactId, ConsentState.of(contact, evidence), published);
  }

  @Override
  public Serializer<ContactConsent> serializer() {
    return (topic, value) -> serialize(value);
  }

  @Override
  public Deserializer<ContactConsent> deserializer() {
    return (topic, data) -> deserialize(data);
  }
}
