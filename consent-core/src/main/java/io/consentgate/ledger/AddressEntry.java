package io.consentgate.ledger;

import io.consentgate.policy.Suppression;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the suppression index keeps for one brand and address: the contacts known to have it, and
 * the latest notice of each of them per class (withdrawal or bounce). Immutable; both lists sorted.
 */
public record AddressEntry(List<String> contactIds, List<Suppression> notices) {

  public static final AddressEntry EMPTY = new AddressEntry(List.of(), List.of());

  public AddressEntry {
    contactIds = List.copyOf(contactIds);
    notices = List.copyOf(notices);
  }

  /** This entry with {@code contactId} indexed; this entry itself when it already is. */
  AddressEntry withContact(String contactId) {
    int at = Collections.binarySearch(contactIds, contactId);
    if (at >= 0) {
      return this;
    }
    List<String> next = new ArrayList<>(contactIds);
    next.add(-at - 1, contactId);
    return new AddressEntry(next, notices);
  }

  /** This entry with {@code notice} kept, or this entry itself when it keeps a later one of that contact and class. */
  AddressEntry withNotice(Suppression notice) {
    List<Suppression> next = new ArrayList<>(notices);
    for (int i = 0; i < next.size(); i++) {
      Suppression kept = next.get(i);
      int slot = compareSlots(kept, notice);
      if (slot == 0) {
        if (!laterThan(notice, kept)) {
          return this;
        }
        next.set(i, notice);
        return new AddressEntry(contactIds, next);
      }
      if (slot > 0) {
        next.add(i, notice);
        return new AddressEntry(contactIds, next);
      }
    }
    next.add(notice);
    return new AddressEntry(contactIds, next);
  }

  private static int compareSlots(Suppression a, Suppression b) {
    int c = a.sourceContactId().compareTo(b.sourceContactId());
    return c != 0 ? c : Boolean.compare(a.isBounce(), b.isBounce());
  }

  private static boolean laterThan(Suppression a, Suppression b) {
    int c = a.occurredAt().compareTo(b.occurredAt());
    if (c == 0) {
      c = a.evidenceId().compareTo(b.evidenceId());
    }
    if (c == 0) {
      c = a.kind().compareTo(b.kind());
    }
    return c > 0;
  }
}
