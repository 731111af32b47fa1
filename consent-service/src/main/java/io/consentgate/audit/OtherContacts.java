package io.consentgate.audit;

import io.consentgate.policy.AddressKey;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Evidence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code explain} keeps of the contacts other than the one it explains, while it reads a
 * history: per contact record its address's key (brand and normalised address) and times, and each
 * withdrawal, complaint or hard bounce, the records that may suppress another contact with the
 * same address (docs/policy.md, "Suppression by address"). A few dozen bytes per contact record;
 * the suppressing evidence is kept whole, to be shown.
 */
public final class OtherContacts {

  /** A contact record of another contact, reduced to what links it to an address. */
  record Link(String contactId, String email, AddressKey key, Instant eventTime, Instant appendedAt, String where) {}

  private final String contactId;
  private final Map<AddressKey, List<Link>> links = new HashMap<>();
  private final Map<String, List<Explanation.Entry>> suppressing = new HashMap<>();

  /** @param contactId the contact explained: its own records are not kept here */
  public OtherContacts(String contactId) {
    this.contactId = contactId;
  }

  /** Keeps what of {@code e} bears on suppression by address, if it is another contact's record the gate accepts. */
  public void add(Explanation.Entry e) {
    if (e.event() == null || e.event().contactId().equals(contactId)) {
      return;
    }
    if (e.event() instanceof Contact c) {
      AddressKey.of(c).ifPresent(key -> links.computeIfAbsent(key, k -> new ArrayList<>(2))
          .add(new Link(c.contactId(), c.email(), key, c.createdAt(), e.appendedAt(), e.where())));
    } else if (e.event() instanceof Evidence ev && ev.kind().suppressesAddress()) {
      suppressing.computeIfAbsent(ev.contactId(), k -> new ArrayList<>(1)).add(e);
    }
  }

  /** The other contacts' records with this key, in reading order. */
  List<Link> linked(AddressKey key) {
    return links.getOrDefault(key, List.of());
  }

  /** The contact's withdrawals, complaints and hard bounces, in reading order. */
  List<Explanation.Entry> suppressing(String otherContactId) {
    return suppressing.getOrDefault(otherContactId, List.of());
  }
}
