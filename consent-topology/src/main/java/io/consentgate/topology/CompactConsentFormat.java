package io.consentgate.topology;

import io.consentgate.ledger.ContactConsent;
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.AddressRegistered;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Decision;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.Suppression;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Format 2 of the consent store's values, written by hand: the gate reads and writes a contact's
 * whole state on every event, and Avro's generic decoding of format 1 (a string per enum, an
 * intermediate record per part) was the largest single cost of a stream thread.
 *
 * <p>Layout, after the format byte (numbers big-endian, times as epoch milliseconds in 8 bytes,
 * counts and lengths as unsigned LEB128 varints, strings as a length and UTF-8):
 * <pre>
 *   contactId            string
 *   parts                byte: 1 = contact record present, 2 = published outcome present,
 *                        4 = address parts present (suppressions, answers of the suppression index)
 *   [contact]            brandId string, email string, source code byte, createdAt time
 *   evidence count       varint
 *   per evidence         flags byte (1 = same brand as the last brand written, 2 = has proof),
 *                        evidenceId string, [brandId string], kind code byte, occurredAt time,
 *                        [proofReference string]
 *   [address parts]      suppression count varint; per suppression: address string,
 *                        sourceContactId string, evidenceId string, kind code byte, occurredAt time;
 *                        registered count varint; per answer: flags byte (1 = the contact's own
 *                        brand and email), [brandId string, email string], createdAt time
 *   [published]          version varint, decision code byte, status code byte,
 *                        has-validUntil byte, [validUntil time], decidedAt time
 * </pre>
 * Enum values are stored by the codes in the tables below, never by ordinal: a constant added to a
 * domain enum gets a new code at the end of its table, and existing codes never change
 * (ContactConsentSerdeTest pins them).
 */
final class CompactConsentFormat {

  static final byte FORMAT = 2;

  private static final int HAS_CONTACT = 1;
  private static final int HAS_PUBLISHED = 2;
  private static final int HAS_ADDRESS_PARTS = 4;
  private static final int CONTACTS_OWN_ADDRESS = 1;
  private static final int SAME_BRAND = 1;
  private static final int HAS_PROOF = 2;

  // The code of a value is its index here.
  static final EvidenceKind[] KINDS = {
      EvidenceKind.CHECKBOX_OPT_IN, EvidenceKind.WRITTEN_CONSENT, EvidenceKind.NEWSLETTER_SIGNUP,
      EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, EvidenceKind.RECONFIRMED, EvidenceKind.WEBSITE_FORM,
      EvidenceKind.AD_CONVERSION, EvidenceKind.TRADE_SHOW_BOOTH, EvidenceKind.PURCHASE, EvidenceKind.CONTRACT,
      EvidenceKind.DONATION, EvidenceKind.VOLUNTEERING, EvidenceKind.MEMBERSHIP_STARTED, EvidenceKind.MEMBERSHIP_ENDED,
      EvidenceKind.DOUBLE_OPT_IN_REQUESTED, EvidenceKind.VERBAL_CONSENT, EvidenceKind.UNSUBSCRIBE,
      EvidenceKind.SPAM_COMPLAINT, EvidenceKind.HARD_BOUNCE};
  static final ContactSource[] SOURCES = {
      ContactSource.OWN_CHANNEL, ContactSource.MANUAL_ENTRY, ContactSource.THIRD_PARTY_LIST, ContactSource.MEMBER_LIST,
      ContactSource.PREVIOUS_COMPANY, ContactSource.OTHER_BRAND_FORM, ContactSource.LEAD_VENDOR,
      ContactSource.DATA_ENRICHMENT, ContactSource.INBOUND_EMAIL, ContactSource.EVENT_ATTENDEE_LIST,
      ContactSource.PERSONAL_NETWORK, ContactSource.EMPLOYER_LIST, ContactSource.MERGER_ACQUISITION,
      ContactSource.MET_IN_PERSON};
  static final Decision[] DECISIONS = {Decision.ALLOW, Decision.DENY};
  static final ConsentStatus[] STATUSES = {
      ConsentStatus.CONSENTED_EXPLICIT, ConsentStatus.CONSENTED_IMPLICIT, ConsentStatus.WITHDRAWN, ConsentStatus.EXPIRED,
      ConsentStatus.PENDING_CONFIRMATION, ConsentStatus.NEEDS_VERIFICATION, ConsentStatus.SOURCE_NOT_ACCEPTABLE,
      ConsentStatus.NO_CONSENT, ConsentStatus.ROLE_BASED_ADDRESS, ConsentStatus.INVALID_ADDRESS,
      ConsentStatus.UNDELIVERABLE, ConsentStatus.SUPPRESSED};

  private static final byte[] KIND_CODES = codes(KINDS, EvidenceKind.values().length);
  private static final byte[] SOURCE_CODES = codes(SOURCES, ContactSource.values().length);
  private static final byte[] DECISION_CODES = codes(DECISIONS, Decision.values().length);
  private static final byte[] STATUS_CODES = codes(STATUSES, ConsentStatus.values().length);

  private CompactConsentFormat() {}

  private static byte[] codes(Enum<?>[] table, int constants) {
    byte[] byOrdinal = new byte[constants];
    Arrays.fill(byOrdinal, (byte) -1);
    for (int code = 0; code < table.length; code++) {
      byOrdinal[table[code].ordinal()] = (byte) code;
    }
    for (int ordinal = 0; ordinal < constants; ordinal++) {
      if (byOrdinal[ordinal] < 0) {
        throw new ExceptionInInitializerError("a " + table.getClass().getComponentType().getSimpleName()
            + " constant has no code in the consent store's format");
      }
    }
    return byOrdinal;
  }

  /** The value's bytes, the format byte first. */
  static byte[] write(ContactConsent value, Writer out) {
    out.reset();
    out.writeByte(FORMAT);
    ConsentState state = value.state();
    Contact contact = state.contact().orElse(null);
    ContactConsent.Published published = value.published();
    out.writeString(value.contactId());
    boolean addressParts = state.suppressionCount() > 0 || !state.registered().isEmpty();
    out.writeByte((contact == null ? 0 : HAS_CONTACT) | (published == null ? 0 : HAS_PUBLISHED)
        | (addressParts ? HAS_ADDRESS_PARTS : 0));
    String lastBrand = null;
    if (contact != null) {
      out.writeString(contact.brandId());
      out.writeString(contact.email());
      out.writeByte(SOURCE_CODES[contact.source().ordinal()]);
      out.writeTime(contact.createdAt());
      lastBrand = contact.brandId();
    }
    out.writeVarint(state.evidenceCount());
    for (int i = 0; i < state.evidenceCount(); i++) {
      Evidence e = state.evidenceAt(i);
      boolean sameBrand = e.brandId().equals(lastBrand);
      out.writeByte((sameBrand ? SAME_BRAND : 0) | (e.proofReference() == null ? 0 : HAS_PROOF));
      out.writeString(e.evidenceId());
      if (!sameBrand) {
        out.writeString(e.brandId());
        lastBrand = e.brandId();
      }
      out.writeByte(KIND_CODES[e.kind().ordinal()]);
      out.writeTime(e.occurredAt());
      if (e.proofReference() != null) {
        out.writeString(e.proofReference());
      }
    }
    if (addressParts) {
      out.writeVarint(state.suppressionCount());
      for (int i = 0; i < state.suppressionCount(); i++) {
        Suppression x = state.suppressionAt(i);
        out.writeString(x.address().value());
        out.writeString(x.sourceContactId());
        out.writeString(x.evidenceId());
        out.writeByte(KIND_CODES[x.kind().ordinal()]);
        out.writeTime(x.occurredAt());
      }
      out.writeVarint(state.registered().size());
      for (AddressRegistered r : state.registered()) {
        boolean own = contact != null && r.registers(contact);
        out.writeByte(own ? CONTACTS_OWN_ADDRESS : 0);
        if (!own) {
          out.writeString(r.brandId());
          out.writeString(r.email());
        }
        out.writeTime(r.createdAt());
      }
    }
    if (published != null) {
      out.writeVarint(published.version());
      out.writeByte(DECISION_CODES[published.decision().ordinal()]);
      out.writeByte(STATUS_CODES[published.status().ordinal()]);
      out.writeByte(published.validUntil() == null ? 0 : 1);
      if (published.validUntil() != null) {
        out.writeTime(published.validUntil());
      }
      out.writeTime(published.decidedAt());
    }
    return out.toByteArray();
  }

  /**
   * The value in {@code data}, whose first byte is {@link #FORMAT}.
   *
   * @throws IllegalArgumentException when the bytes are not a complete format-2 value
   */
  static ContactConsent read(byte[] data) {
    Reader in = new Reader(data, 1);
    String contactId = in.readString();
    int parts = in.readByte();
    if ((parts & ~(HAS_CONTACT | HAS_PUBLISHED | HAS_ADDRESS_PARTS)) != 0) {
      throw new IllegalArgumentException("unknown parts " + parts);
    }
    Contact contact = null;
    String lastBrand = null;
    if ((parts & HAS_CONTACT) != 0) {
      String brandId = in.readString();
      String email = in.readString();
      ContactSource source = in.readCode(SOURCES);
      contact = new Contact(contactId, brandId, email, source, in.readTime());
      lastBrand = brandId;
    }
    int count = in.readCount();
    Evidence[] evidence = new Evidence[count];
    for (int i = 0; i < count; i++) {
      int flags = in.readByte();
      if ((flags & ~(SAME_BRAND | HAS_PROOF)) != 0 || ((flags & SAME_BRAND) != 0 && lastBrand == null)) {
        throw new IllegalArgumentException("bad evidence flags " + flags);
      }
      String evidenceId = in.readString();
      if ((flags & SAME_BRAND) == 0) {
        lastBrand = in.readString();
      }
      EvidenceKind kind = in.readCode(KINDS);
      Instant occurredAt = in.readTime();
      String proof = (flags & HAS_PROOF) != 0 ? in.readString() : null;
      evidence[i] = new Evidence(evidenceId, contactId, lastBrand, kind, occurredAt, proof);
    }
    List<Suppression> suppressions = List.of();
    List<AddressRegistered> registered = List.of();
    if ((parts & HAS_ADDRESS_PARTS) != 0) {
      int suppressionCount = in.readCount();
      Suppression[] read = new Suppression[suppressionCount];
      for (int i = 0; i < suppressionCount; i++) {
        AddressKey address = new AddressKey(in.readString());
        String source = in.readString();
        String evidenceId = in.readString();
        EvidenceKind kind = in.readCode(KINDS);
        read[i] = new Suppression(contactId, address, source, evidenceId, kind, in.readTime());
      }
      suppressions = Arrays.asList(read);
      int registeredCount = in.readCount();
      AddressRegistered[] answers = new AddressRegistered[registeredCount];
      for (int i = 0; i < registeredCount; i++) {
        int flags = in.readByte();
        if (flags > CONTACTS_OWN_ADDRESS || (flags == CONTACTS_OWN_ADDRESS && contact == null)) {
          throw new IllegalArgumentException("bad address flags " + flags);
        }
        String brandId = flags == CONTACTS_OWN_ADDRESS ? contact.brandId() : in.readString();
        String email = flags == CONTACTS_OWN_ADDRESS ? contact.email() : in.readString();
        answers[i] = new AddressRegistered(contactId, brandId, email, in.readTime());
      }
      registered = Arrays.asList(answers);
    }
    ContactConsent.Published published = null;
    if ((parts & HAS_PUBLISHED) != 0) {
      long version = in.readVarint();
      Decision decision = in.readCode(DECISIONS);
      ConsentStatus status = in.readCode(STATUSES);
      int hasValidUntil = in.readByte();
      if (hasValidUntil > 1) {
        throw new IllegalArgumentException("bad validUntil flag " + hasValidUntil);
      }
      Instant validUntil = hasValidUntil == 1 ? in.readTime() : null;
      published = new ContactConsent.Published(version, decision, status, validUntil, in.readTime());
    }
    if (in.remaining() != 0) {
      throw new IllegalArgumentException(in.remaining() + " bytes after the value");
    }
    return new ContactConsent(contactId, ConsentState.of(contact, Arrays.asList(evidence), suppressions, registered),
        published);
  }

  /** A growable output buffer, reused by one thread for every value it writes. */
  static final class Writer {
    private byte[] buffer = new byte[512];
    private int size;

    void reset() {
      size = 0;
    }

    private void ensure(int more) {
      if (size + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
      }
    }

    void writeByte(int b) {
      ensure(1);
      buffer[size++] = (byte) b;
    }

    void writeVarint(long value) {
      ensure(10);
      while ((value & ~0x7FL) != 0) {
        buffer[size++] = (byte) ((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      buffer[size++] = (byte) value;
    }

    void writeTime(Instant instant) {
      long millis = instant.toEpochMilli();
      ensure(Long.BYTES);
      for (int i = 0; i < Long.BYTES; i++) {
        buffer[size++] = (byte) (millis >>> (56 - 8 * i));
      }
    }

    void writeString(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      writeVarint(utf8.length);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, buffer, size, utf8.length);
      size += utf8.length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, size);
    }
  }

  /** Reads a value's parts in order; every read checks the bounds, so corrupt bytes fail rather than misread. */
  private static final class Reader {
    private final byte[] data;
    private int at;

    Reader(byte[] data, int from) {
      this.data = data;
      this.at = from;
    }

    int remaining() {
      return data.length - at;
    }

    private void need(int bytes) {
      if (bytes < 0 || bytes > data.length - at) {
        throw new IllegalArgumentException("truncated at byte " + at);
      }
    }

    int readByte() {
      need(1);
      return data[at++] & 0xFF;
    }

    long readVarint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte();
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    int readCount() {
      long n = readVarint();
      if (n > remaining()) { // every piece takes at least a byte: a larger count is corrupt
        throw new IllegalArgumentException("count " + n + " beyond the value's end");
      }
      return (int) n;
    }

    Instant readTime() {
      need(Long.BYTES);
      long millis = 0;
      for (int i = 0; i < Long.BYTES; i++) {
        millis = (millis << 8) | (data[at++] & 0xFF);
      }
      return Instant.ofEpochMilli(millis);
    }

    String readString() {
      int length = readCount();
      String s = new String(data, at, length, StandardCharsets.UTF_8);
      at += length;
      return s;
    }

    <E> E readCode(E[] table) {
      int code = readByte();
      if (code >= table.length) {
        throw new IllegalArgumentException("unknown code " + code + " for " + table.getClass().getComponentType().getSimpleName());
      }
      return table[code];
    }
  }
}
