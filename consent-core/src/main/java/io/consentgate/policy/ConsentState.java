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

  public static final ConsentState EMPTY = new ConsentState(null, new Evidence[0]);

  /** Proof is part of the slot so that a later unverifiable record never hides a verifiable one. */
  public record Slot(String brandId, EvidenceKind kind, boolean verifiable) {

    static Slot of(Evidence evidence) {
      return new Slot(evidence.brandId(), evidence.kind(), evidence.isVerifiable());
    }
  }

  private final Contact contact;
  /** The latest evidence per slot, sorted by slot: small (one entry per kind and brand seen), copied on write. */
  private final Evidence[] latest;
  /** The latest event time recorded; null when nothing is. Asked for several times per decision. */
  private final Instant latestEventTime;

  private ConsentState(Contact contact, Evidence[] latest) {
    this.contact = contact;
    this.latest = latest;
    Instant max = contact == null ? null : contact.createdAt();
    for (Evidence e : latest) {
      if (max == null || e.occurredAt().isAfter(max)) {
        max = e.occurredAt();
      }
    }
    this.latestEventTime = max;
  }

  /** Rebuilds a state from stored parts, applying the same precedence as {@link #with}. */
  public static ConsentState of(Contact contact, Collection<Evidence> evidence) {
    Evidence[] inSlotOrder = evidence.toArray(new Evidence[0]);
    if (inDistinctSlotOrder(inSlotOrder)) {
      // What the store holds: one piece per slot, in slot order. The gate decodes a state on every
      // event, so it is built at once rather than folded piece by piece (the same state).
      return new ConsentState(contact, inSlotOrder);
    }
    ConsentState state = contact == null ? EMPTY : EMPTY.with(contact);
    for (Evidence e : inSlotOrder) {
      state = state.with(e);
    }
    return state;
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
    return with((Evidence) event);
  }

  public ConsentState with(Contact other) {
    if (other == null || (contact != null && Contact.PRECEDENCE.compare(contact, other) >= 0)) {
      return this;
    }
    return new ConsentState(other, latest);
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
      return new ConsentState(contact, next);
    }
    int insert = -at - 1;
    Evidence[] next = new Evidence[latest.length + 1];
    System.arraycopy(latest, 0, next, 0, insert);
    next[insert] = evidence;
    System.arraycopy(latest, insert, next, insert + 1, latest.length - insert);
    return new ConsentState(contact, next);
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
    return merged;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsentState s && Objects.equals(contact, s.contact) && Arrays.equals(latest, s.latest);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hashCode(contact) + Arrays.hashCode(latest);
  }

  @Override
  public String toString() {
    return "ConsentState{contact=" + (contact == null ? "none" : contact.contactId())
        + ", evidence=" + evidence().stream().map(Evidence::evidenceId).toList() + "}";
  }
}
