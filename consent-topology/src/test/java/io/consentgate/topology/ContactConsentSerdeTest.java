package io.consentgate.topology;

import io.consentgate.ledger.ContactConsent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.policy.ConsentState;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Decision;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.topology.store.StoredConsent;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ContactConsentSerdeTest {

  private final ContactConsentSerde serde = new ContactConsentSerde();

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private static ContactConsent full() {
    Contact contact = new Contact("c-1", "acme", "ana@example.org", ContactSource.OWN_CHANNEL, T0);
    List<Evidence> evidence = List.of(
        new Evidence("e-1", "c-1", "acme", EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, T0.plusSeconds(60), "proof-1"),
        new Evidence("e-2", "c-1", "acme", EvidenceKind.PURCHASE, T0.plusSeconds(120), null),
        new Evidence("e-3", "c-1", "other", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(180), null));
    return new ContactConsent("c-1", ConsentState.of(contact, evidence),
        new ContactConsent.Published(3, Decision.ALLOW, ConsentStatus.CONSENTED_IMPLICIT, T0.plusSeconds(86_400), T0.plusSeconds(180)));
  }

  @Test
  void roundTripsEveryPart() {
    ContactConsent original = full();
    assertThat(serde.deserialize(serde.serialize(original))).isEqualTo(original);
  }

  @Test
  void roundTripsEvidenceBeforeItsContactAndNothingPublished() {
    ContactConsent early = new ContactConsent("c-2", ConsentState.EMPTY.with(
        new Evidence("e-9", "c-2", "acme", EvidenceKind.UNSUBSCRIBE, T0, null)), null);
    assertThat(serde.deserialize(serde.serialize(early))).isEqualTo(early);
  }

  /** Changelogs written before the faster coders must still restore: the bytes are unchanged. */
  @Test
  void writesTheSameBytesAsAvrosSchemaDrivenWriter() throws Exception {
    byte[] fast = serde.serialize(full());
    StoredConsent stored = new SpecificDatumReader<>(StoredConsent.class)
        .read(null, DecoderFactory.get().binaryDecoder(fast, 1, fast.length - 1, null));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new SpecificDatumWriter<>(StoredConsent.class).write(stored, encoder);
    encoder.flush();
    assertThat(fast).isEqualTo(out.toByteArray());
  }

  @Test
  void rejectsAnUnknownFormatAndCorruptBytes() {
    byte[] bytes = serde.serialize(full());
    bytes[0] = 9;
    assertThatThrownBy(() -> serde.deserialize(bytes)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown consent-state format 9");
    byte[] truncated = java.util.Arrays.copyOf(serde.serialize(full()), 12);
    assertThatThrownBy(() -> serde.deserialize(truncated)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("corrupt consent state");
  }
}
