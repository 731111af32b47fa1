package io.consentgate.ledger;

import io.consentgate.policy.AddressKey;
import io.consentgate.policy.AddressRegistered;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Suppression;
import java.util.function.Consumer;

/**
 * Suppression by address (docs/policy.md): per brand and normalised address, which contacts have
 * it and what each of them withdrew, complained about or bounced. The topology runs it in the
 * task that owns the address, behind a topic keyed by address; the offline replay over a map.
 *
 * <p>Every contact record is registered here, and its contact is never allowed before the index's
 * answer ({@link AddressRegistered}) reaches it. The answer is delivered after every suppression
 * the address already has, so a contact created after a suppression is decided with it from its
 * first ALLOW-able moment on, and never allowed in between.
 */
public final class AddressIndex {

  /** Where the entries are kept. */
  public interface Entries {
    AddressEntry get(AddressKey address);

    void put(AddressKey address, AddressEntry entry);

    /** Entries kept in a map (the offline replay, tests). */
    static Entries in(java.util.Map<AddressKey, AddressEntry> map) {
      return of(map::get, map::put);
    }

    /** Entries kept by the two functions given, e.g. a store's get and put. */
    static Entries of(java.util.function.Function<AddressKey, AddressEntry> get,
                      java.util.function.BiConsumer<AddressKey, AddressEntry> put) {
      return new Entries() {
        @Override
        public AddressEntry get(AddressKey address) {
          return get.apply(address);
        }

        @Override
        public void put(AddressKey address, AddressEntry entry) {
          put.accept(address, entry);
        }
      };
    }
  }

  private final Entries entries;
  /** Receives each event for a contact, to be applied by that contact's ledger, in order. */
  private final Consumer<ConsentEvent> deliveries;

  public AddressIndex(Entries entries, Consumer<ConsentEvent> deliveries) {
    this.entries = entries;
    this.deliveries = deliveries;
  }

  /** Indexes the contact under {@code address}, then delivers the suppressions of the others and the index's answer. */
  public void register(AddressKey address, Contact contact) {
    AddressEntry entry = entryOf(address);
    AddressEntry updated = entry.withContact(contact.contactId());
    if (updated != entry) {
      entries.put(address, updated);
    }
    for (Suppression notice : updated.notices()) {
      if (!notice.sourceContactId().equals(contact.contactId())) {
        deliveries.accept(notice.deliveredTo(contact.contactId()));
      }
    }
    deliveries.accept(AddressRegistered.of(contact));
  }

  /** Keeps a contact's notice and, when it is news, delivers it to every other contact of the address. */
  public void suppress(Suppression notice) {
    AddressEntry entry = entryOf(notice.address());
    // The notice's contact is indexed too: its record reached its ledger through here, but a
    // record moved under another address since may come back, and must then meet this notice.
    AddressEntry indexed = entry.withContact(notice.sourceContactId());
    AddressEntry updated = indexed.withNotice(notice);
    if (updated != entry) {
      entries.put(notice.address(), updated);
    }
    if (updated == indexed) {
      return; // a duplicate, or older than what the index keeps for that contact: nothing new
    }
    for (String contactId : updated.contactIds()) {
      if (!contactId.equals(notice.sourceContactId())) {
        deliveries.accept(notice.deliveredTo(contactId));
      }
    }
  }

  private AddressEntry entryOf(AddressKey address) {
    AddressEntry entry = entries.get(address);
    return entry == null ? AddressEntry.EMPTY : entry;
  }
}
