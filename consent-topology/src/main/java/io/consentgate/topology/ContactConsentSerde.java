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
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import io.consentgate.serde.AvroTrust;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Store and changelog format of {@link ContactConsent}: a format byte, then the value. Writes
 * format 2 ({@link CompactConsentFormat}); reads format 2 and format 1 (Avro binary of the
 * internal StoredConsent schema, written by releases before it), so that a gate upgraded in place
 * restores its existing changelogs. The format byte lets a later release do the same.
 */
public final class ContactConsentSerde implements Serde<ContactConsent> {

  private static final byte FORMAT_V1 = 1;

  static {
    AvroTrust.trustGateClasses();
  }

  /**
   * Format 1 is read with the generated classes' own decode code (Avro's "custom coders") rather
   * than the reflective schema walk: a state restored from an old changelog is read once per
   * record. They are off by default in Avro, hence a private SpecificData.
   */
  private static final SpecificData CODERS = customCoders();

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
    return CompactConsentFormat.write(value, WRITERS.get());
  }

  public ContactConsent deserialize(byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length == 0 || (data[0] != CompactConsentFormat.FORMAT && data[0] != FORMAT_V1)) {
      throw new UnreadableConsentState("unknown consent-state format " + (data.length == 0 ? "(empty)" : data[0])
          + ": written by a later release? (docs/operating.md, the consent store's format)");
    }
    try {
      return data[0] == CompactConsentFormat.FORMAT ? CompactConsentFormat.read(data) : readFormat1(data);
    } catch (IOException | RuntimeException e) {
      throw new UnreadableConsentState("corrupt consent state", e);
    }
  }

  private ContactConsent readFormat1(byte[] data) throws IOException {
    BinaryDecoder decoder = DECODERS.get();
    decoder = DecoderFactory.get().binaryDecoder(data, 1, data.length - 1, decoder);
    DECODERS.set(decoder);
    return fromStored(reader.read(null, decoder));
  }

  /** Each stream thread reuses its output buffer: every store put goes through here. */
  private static final ThreadLocal<CompactConsentFormat.Writer> WRITERS = ThreadLocal.withInitial(CompactConsentFormat.Writer::new);
  private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();

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
