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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import io.consentgate.topology.store.PublishedOutcome;
import io.consentgate.topology.store.StoredContact;
import io.consentgate.topology.store.StoredEvidence;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
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

  /** A gate upgraded in place restores the changelogs its earlier release wrote, in format 1 (Avro). */
  @Test
  void readsFormat1AsWrittenByTheEarlierRelease() throws Exception {
    ContactConsent original = full();
    List<StoredEvidence> evidence = new ArrayList<>();
    for (Evidence e : original.state().evidence()) {
      evidence.add(new StoredEvidence(e.evidenceId(), e.brandId(), e.kind().name(), e.occurredAt().toEpochMilli(),
          e.proofReference()));
    }
    Contact c = original.state().contact().orElseThrow();
    ContactConsent.Published p = original.published();
    StoredConsent stored = new StoredConsent("c-1", new StoredContact(c.brandId(), c.email(), c.source().name(),
        c.createdAt().toEpochMilli()), evidence, new PublishedOutcome(p.version(), p.decision().name(), p.status().name(),
        p.validUntil().toEpochMilli(), p.decidedAt().toEpochMilli()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new SpecificDatumWriter<>(StoredConsent.class).write(stored, encoder);
    encoder.flush();

    assertThat(serde.deserialize(out.toByteArray())).isEqualTo(original);
    assertThat(serde.serialize(serde.deserialize(out.toByteArray()))[0]).as("rewritten in format 2").isEqualTo((byte) 2);
  }

  /**
   * The bytes of a known value, in full: a change to the layout or to an enum's code would make
   * changelogs already written read differently, so it must be a new format, not an edit.
   */
  @Test
  void format2BytesArePinned() {
    String hex = HexFormat.of().formatHex(serde.serialize(full()));
    assertThat(hex).isEqualTo(""
        + "02" + "03632d31" + "03"                                   // format 2, contactId "c-1", contact and published
        + "0461636d65" + "0f616e61406578616d706c652e6f7267"           // brand "acme", email "ana@example.org"
        + "00" + "0000019551260100"                                   // OWN_CHANNEL, created at T0
        + "03"                                                        // three pieces, in slot order:
        + "03" + "03652d31" + "03" + "000001955126eb60" + "0770726f6f662d31" // same brand + proof, "e-1", DOUBLE_OPT_IN_CONFIRMED, T0+60 s, "proof-1"
        + "01" + "03652d32" + "08" + "000001955127d5c0"               // same brand, "e-2", PURCHASE, T0+120 s
        + "00" + "03652d33" + "056f74686572" + "10" + "000001955128c020" // brand "other", "e-3", UNSUBSCRIBE, T0+180 s
        + "03" + "00" + "01" + "01" + "00000195564c5d00" + "000001955128c020"); // version 3, ALLOW, CONSENTED_IMPLICIT, until T0+1 day, at T0+180 s
  }

  @Test
  void enumCodesNeverChange() {
    assertThat(CompactConsentFormat.KINDS).containsExactly(EvidenceKind.CHECKBOX_OPT_IN, EvidenceKind.WRITTEN_CONSENT,
        EvidenceKind.NEWSLETTER_SIGNUP, EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, EvidenceKind.RECONFIRMED,
        EvidenceKind.WEBSITE_FORM, EvidenceKind.AD_CONVERSION, EvidenceKind.TRADE_SHOW_BOOTH, EvidenceKind.PURCHASE,
        EvidenceKind.CONTRACT, EvidenceKind.DONATION, EvidenceKind.VOLUNTEERING, EvidenceKind.MEMBERSHIP_STARTED,
        EvidenceKind.MEMBERSHIP_ENDED, EvidenceKind.DOUBLE_OPT_IN_REQUESTED, EvidenceKind.VERBAL_CONSENT,
        EvidenceKind.UNSUBSCRIBE, EvidenceKind.SPAM_COMPLAINT, EvidenceKind.HARD_BOUNCE);
    assertThat(CompactConsentFormat.SOURCES).containsExactly(ContactSource.OWN_CHANNEL, ContactSource.MANUAL_ENTRY,
        ContactSource.THIRD_PARTY_LIST, ContactSource.MEMBER_LIST, ContactSource.PREVIOUS_COMPANY,
        ContactSource.OTHER_BRAND_FORM, ContactSource.LEAD_VENDOR, ContactSource.DATA_ENRICHMENT,
        ContactSource.INBOUND_EMAIL, ContactSource.EVENT_ATTENDEE_LIST, ContactSource.PERSONAL_NETWORK,
        ContactSource.EMPLOYER_LIST, ContactSource.MERGER_ACQUISITION, ContactSource.MET_IN_PERSON);
    assertThat(CompactConsentFormat.DECISIONS).containsExactly(Decision.ALLOW, Decision.DENY);
    assertThat(CompactConsentFormat.STATUSES).containsExactly(ConsentStatus.CONSENTED_EXPLICIT,
        ConsentStatus.CONSENTED_IMPLICIT, ConsentStatus.WITHDRAWN, ConsentStatus.EXPIRED,
        ConsentStatus.PENDING_CONFIRMATION, ConsentStatus.NEEDS_VERIFICATION, ConsentStatus.SOURCE_NOT_ACCEPTABLE,
        ConsentStatus.NO_CONSENT, ConsentStatus.ROLE_BASED_ADDRESS, ConsentStatus.INVALID_ADDRESS,
        ConsentStatus.UNDELIVERABLE, ConsentStatus.SUPPRESSED);
  }

  /** Every value the domain can hold comes back equal: every enum constant, non-ASCII text, times before 1970. */
  @Property(tries = 500)
  void everyStateRoundTrips(@ForAll("consents") ContactConsent value) {
    assertThat(serde.deserialize(serde.serialize(value))).isEqualTo(value);
  }

  @Provide
  Arbitrary<ContactConsent> consents() {
    Arbitrary<String> text = Arbitraries.strings().withCharRange('a', 'z').withChars('é', '中', '-', '@', '.')
        .ofMinLength(1).ofMaxLength(30);
    Arbitrary<Instant> time = Arbitraries.longs().between(-4_000_000_000_000L, 8_000_000_000_000L).map(Instant::ofEpochMilli);
    Arbitrary<String> brand = Arbitraries.of("acme", "globex", "中文");
    Arbitrary<Contact> contact = Combinators.combine(brand, text, Arbitraries.of(ContactSource.class), time)
        .as((b, email, source, at) -> new Contact("c-é", b, email, source, at));
    Arbitrary<Evidence> evidence = Combinators.combine(text, brand, Arbitraries.of(EvidenceKind.class), time,
        text.injectNull(0.3)).as((id, b, kind, at, proof) -> new Evidence(id, "c-é", b, kind, at, proof));
    Arbitrary<ContactConsent.Published> published = Combinators.combine(Arbitraries.longs().between(1, Long.MAX_VALUE),
        Arbitraries.of(ConsentStatus.class), time.injectNull(0.5), time)
        .as((version, status, until, at) -> new ContactConsent.Published(version, status.decision(), status, until, at));
    return Combinators.combine(contact.injectNull(0.2), evidence.list().ofMaxSize(12), published.injectNull(0.3))
        .as((c, e, p) -> new ContactConsent("c-é", ConsentState.of(c, e), p));
  }

  @Test
  void rejectsAnUnknownFormatAndCorruptBytes() {
    byte[] bytes = serde.serialize(full());
    bytes[0] = 9;
    assertThatThrownBy(() -> serde.deserialize(bytes)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown consent-state format 9");
    byte[] whole = serde.serialize(full());
    for (int length = 1; length < whole.length; length++) {
      byte[] truncated = java.util.Arrays.copyOf(whole, length);
      assertThatThrownBy(() -> serde.deserialize(truncated)).as("cut at %d bytes", length)
          .isInstanceOf(SerializationException.class).hasMessageContaining("corrupt consent state");
    }
    byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
    assertThatThrownBy(() -> serde.deserialize(longer)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("corrupt consent state");
    byte[] badParts = whole.clone();
    badParts[5] = 7;
    assertThatThrownBy(() -> serde.deserialize(badParts)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("corrupt consent state");
  }
}
