package io.consentgate.policy;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the policy needs to know about one contact: what its contact record says and the
 * latest evidence of each kind, per brand, with and without proof.
 *
 * <p>Keeping only the latest evidence per slot loses nothing the rules ask about (each rule looks
 * at the latest withdrawal, the latest grant of a kind, the latest membership end...), keeps the
 * state bounded however long the history grows, and makes {@link #merge} a join: commutative,
 * associative and idempotent. That is what makes decisions independent of arrival order and of
 * duplicates. Immutable.
 */
public final class ConsentState {

  private static final Suppression[] NO_SUPPRESSIONS = new Suppression[0];

  private static final AddressRegistered[] NONE_REGISTERED = new AddressRegistered[0];

  public static final ConsentState EMPTY = new ConsentState(null, new Evidence[0], NO_SUPPRESSIONS, NONE_REGISTERED);

  /** Proof is part of the slot so that a later unverifiable record never hides a verifiable one. */
  public record Slot(String brandId, EvidenceKind kind, boolean verifiable) {

    static Slot of(Evidence evidence) {
      return new Slot(evidence.brandId(), evidence.kind(), evidence.isVerifiable());
    }
  }

  private final Contact contact;
  /** The latest evidence per slot, sorted by slot: small (one entry per kind and brand seen), copied on write. */
  private final Evidence[] latest;
  /**
   * The latest suppression delivered from other contacts per address and class (withdrawal or
   * bounce), sorted so: one address in nearly every state, two while a contact's address changed.
   */
  private final Suppression[] suppressions;
  /**
   * The suppression index's answers, one per brand and address the contact has had (nearly always
   * one), in brand and address order. Bookkeeping, not a fact about consent: no event time of theirs counts.
   */
  private final AddressRegistered[] registered;
  /** The latest event time recorded; null when nothing is. Asked for several times per decision. */
  private final Instant latestEventTime;

  private ConsentState(Contact contact, Evidence[] latest, Suppression[] suppressions, AddressRegistered[] registered) {
    this.contact = contact;
    this.latest = latest;
    this.suppressions = suppressions;
    this.registered = registered;
    Instant max = contact == null ? null : contact.createdAt();
    for (Evidence e : latest) {
      if (max == null || e.occurredAt().isAfter(max)) {
        max = e.occurredAt();
      }
    }
    for (Suppression s : suppressions) {
      if (max == null || s.occurredAt().isAfter(max)) {
        max = s.occurredAt();
      }
    }
    this.latestEventTime = max;
  }

  /** Rebuilds a state from stored parts, applying the same precedence as {@link #with}. */
  public static ConsentState of(Contact contact, Collection<Evidence> evidence) {
    return of(contact, evidence, java.util.List.of(), java.util.List.of());
  }

  /** Rebuilds a state from all its stored parts, applying the same precedence as {@link #with}. */
  public static ConsentState of(Contact contact, Collection<Evidence> evidence, Collection<Suppression> suppressions,
                                Collection<AddressRegistered> registered) {
    Evidence[] inSlotOrder = evidence.toArray(new Evidence[0]);
    Suppression[] suppressionsInSlotOrder = suppressions.isEmpty() ? NO_SUPPRESSIONS : suppressions.toArray(new Suppression[0]);
    AddressRegistered[] registeredInOrder = registered.isEmpty() ? NONE_REGISTERED : registered.toArray(new AddressRegistered[0]);
    if (inDistinctSlotOrder(inSlotOrder) && inDistinctSlotOrder(suppressionsInSlotOrder)
        && inDistinctOrder(registeredInOrder)) {
      // What the store holds: one piece per slot, in slot order. The gate decodes a state on every
      // event, so it is built at once rather than folded piece by piece (the same state).
      return new ConsentState(contact, inSlotOrder, suppressionsInSlotOrder, registeredInOrder);
    }
    ConsentState state = contact == null ? EMPTY : EMPTY.with(contact);
    for (Evidence e : inSlotOrder) {
      state = state.with(e);
    }
    for (Suppression s : suppressionsInSlotOrder) {
      state = state.with(s);
    }
    for (AddressRegistered r : registeredInOrder) {
      state = state.with(r);
    }
    return state;
  }

  private static boolean inDistinctOrder(AddressRegistered[] registered) {
    for (int i = 0; i < registered.length; i++) {
      if (registered[i] == null || (i > 0 && compare(registered[i - 1], registered[i]) >= 0)) {
        return false;
      }
    }
    return true;
  }

  private static boolean inDistinctSlotOrder(Suppression[] suppressions) {
    for (int i = 0; i < suppressions.length; i++) {
      if (suppressions[i] == null || (i > 0 && compare(suppressions[i - 1], suppressions[i]) >= 0)) {
        return false;
      }
    }
    return true;
  }

  private static boolean inDistinctSlotOrder(Evidence[] evidence) {
    for (int i = 0; i < evidence.length; i++) {
      if (evidence[i] == null || (i > 0 && compare(evidence[i - 1], evidence[i]) >= 0)) {
        return false;
      }
    }
    return true;
  }

  public Optional<Contact> contact() {
    return Optional.ofNullable(contact);
  }

  /** The kept evidence in a stable order (brand, kind, proof), so output never depends on hashing. */
  public List<Evidence> evidence() {
    return Collections.unmodifiableList(Arrays.asList(latest));
  }

  public int evidenceCount() {
    return latest.length;
  }

  /** The kept evidence at {@code index} of {@link #evidence()}: a loop per event without a list view or an iterator. */
  public Evidence evidenceAt(int index) {
    return latest[index];
  }

  /** The suppressions delivered from other contacts, the latest per address and class, in a stable order. */
  public List<Suppression> suppressions() {
    return Collections.unmodifiableList(Arrays.asList(suppressions));
  }

  public int suppressionCount() {
    return suppressions.length;
  }

  public Suppression suppressionAt(int index) {
    return suppressions[index];
  }

  /** The suppression index's answers kept, in brand and address order. */
  public List<AddressRegistered> registered() {
    return Collections.unmodifiableList(Arrays.asList(registered));
  }

  /**
   * Whether the contact may be allowed as far as suppression by address goes: its record is here,
   * and its address is not one the index can hold (not a valid address) or the index has answered
   * for it. Until then every suppression of the address may not have reached this contact yet.
   */
  public boolean addressRegistered() {
    if (contact == null) {
      return false;
    }
    for (AddressRegistered r : registered) {
      if (r.registers(contact)) {
        return true;
      }
    }
    return !AddressKey.indexes(contact.email());
  }

  /** The latest event time among everything recorded, or empty when nothing is. */
  public Optional<Instant> latestEventTime() {
    return Optional.ofNullable(latestEventTime);
  }

  /** {@link #latestEventTime()} for the policy and the ledger, without an Optional per call; null when nothing is recorded. */
  public Instant latestEventTimeOrNull() {
    return latestEventTime;
  }

  public ConsentState with(ConsentEvent event) {
    if (event instanceof Contact c) {
      return with(c);
    }
    if (event instanceof Evidence e) {
      return with(e);
    }
    if (event instanceof AddressRegistered r) {
      return with(r);
    }
    return with((Suppression) event);
  }

  public ConsentState with(Contact other) {
    if (other == null || (contact != null && Contact.PRECEDENCE.compare(contact, other) >= 0)) {
      return this;
    }
    return new ConsentState(other, latest, suppressions, registered);
  }

  public ConsentState with(Evidence evidence) {
    Slot slot = Slot.of(evidence);
    int at = slotIndex(slot);
    if (at >= 0) {
      if (Evidence.PRECEDENCE.compare(latest[at], evidence) >= 0) {
        return this;
      }
      Evidence[] next = latest.clone();
      next[at] = evidence;
      return new ConsentState(contact, next, suppressions, registered);
    }
    int insert = -at - 1;
    Evidence[] next = new Evidence[latest.length + 1];
    System.arraycopy(latest, 0, next, 0, insert);
    next[insert] = evidence;
    System.arraycopy(latest, insert, next, insert + 1, latest.length - insert);
    return new ConsentState(contact, next, suppressions, registered);
  }

  /**
   * Records a suppression delivered from another contact, keeping the latest per address and class.
   * A contact's own notice is not a suppression of it (its own evidence decides it) and changes nothing.
   */
  public ConsentState with(Suppression suppression) {
    if (suppression.isNotice()) {
      return this;
    }
    int at = -1;
    int insert = suppressions.length;
    for (int i = 0; i < suppressions.length; i++) {
      int c = compare(suppressions[i], suppression);
      if (c == 0) {
        at = i;
        break;
      }
      if (c > 0) {
        insert = i;
        break;
      }
    }
    if (at >= 0) {
      if (Suppression.PRECEDENCE.compare(suppressions[at], suppression) >= 0) {
        return this;
      }
      Suppression[] next = suppressions.clone();
      next[at] = suppression;
      return new ConsentState(contact, latest, next, registered);
    }
    Suppression[] next = new Suppression[suppressions.length + 1];
    System.arraycopy(suppressions, 0, next, 0, insert);
    next[insert] = suppression;
    System.arraycopy(suppressions, insert, next, insert + 1, suppressions.length - insert);
    return new ConsentState(contact, latest, next, registered);
  }

  /** Records an answer of the suppression index; one for a brand and address already answered changes nothing. */
  public ConsentState with(AddressRegistered answer) {
    int insert = registered.length;
    for (int i = 0; i < registered.length; i++) {
      int c = compare(registered[i], answer);
      if (c == 0) {
        if (!answer.createdAt().isBefore(registered[i].createdAt())) {
          return this;
        }
        AddressRegistered[] next = registered.clone();
        next[i] = answer; // the earliest answer is kept, so that the state never depends on arrival order
        return new ConsentState(contact, latest, suppressions, next);
      }
      if (c > 0) {
        insert = i;
        break;
      }
    }
    AddressRegistered[] next = new AddressRegistered[registered.length + 1];
    System.arraycopy(registered, 0, next, 0, insert);
    next[insert] = answer;
    System.arraycopy(registered, insert, next, insert + 1, registered.length - insert);
    return new ConsentState(contact, latest, suppressions, next);
  }

  /** Brand then address order; 0 for answers about the same brand and address (whatever the record's time). */
  private static int compare(AddressRegistered a, AddressRegistered b) {
    int c = a.brandId().compareTo(b.brandId());
    return c != 0 ? c : a.email().compareTo(b.email());
  }

  /** Slot order of two suppressions (address, then withdrawal before bounce); 0 when they share a slot. */
  private static int compare(Suppression a, Suppression b) {
    int c = a.address().compareTo(b.address());
    return c != 0 ? c : Boolean.compare(a.isBounce(), b.isBounce());
  }

  /** Slot order of two pieces of evidence; 0 when they share a slot. */
  private static int compare(Evidence a, Evidence b) {
    return compare(a, b.brandId(), b.kind(), b.isVerifiable());
  }

  private static int compare(Evidence e, Slot slot) {
    return compare(e, slot.brandId(), slot.kind(), slot.verifiable());
  }

  /** Slot order (brand, then kind, then unverifiable before verifiable), without building the evidence's slot. */
  private static int compare(Evidence e, String brandId, EvidenceKind kind, boolean verifiable) {
    int c = e.brandId().compareTo(brandId);
    if (c == 0) {
      c = e.kind().compareTo(kind);
    }
    return c != 0 ? c : Boolean.compare(e.isVerifiable(), verifiable);
  }

  /** Binary search by slot: the index of the slot's evidence, or (-(insertion point) - 1). */
  private int slotIndex(Slot slot) {
    int low = 0;
    int high = latest.length - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int c = compare(latest[mid], slot);
      if (c < 0) {
        low = mid + 1;
      } else if (c > 0) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -(low + 1);
  }

  public ConsentState merge(ConsentState other) {
    ConsentState merged = with(other.contact);
    for (Evidence e : other.latest) {
      merged = merged.with(e);
    }
    for (Suppression s : other.suppressions) {
      merged = merged.with(s);
    }
    for (AddressRegistered r : other.registered) {
      merged = merged.with(r);
    }
    return merged;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsentState s && Objects.equals(contact, s.contact) && Arrays.equals(latest, s.latest)
        && Arrays.equals(suppressions, s.suppressions) && Arrays.equals(registered, s.registered);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * Objects.hashCode(contact) + Arrays.hashCode(latest)) + Arrays.hashCode(suppressions))
        + Arrays.hashCode(registered);
  }

  @Override
  public String toString() {
    return "ConsentState{contact=" + (contact == null ? "none" : contact.contactId())
        + ", evidence=" + evidence().stream().map(Evidence::evidenceId).toList()
        + (suppressions.length == 0 ? "" : ", suppressions=" + suppressions().stream()
            .map(x -> x.sourceContactId() + "/" + x.evidenceId()).toList()) + "}";
  }
}
