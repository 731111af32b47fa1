package io.consentgate.policy;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  public static final ConsentState EMPTY = new ConsentState(null, Map.of());

  /** Proof is part of the slot so that a later unverifiable record never hides a verifiable one. */
  public record Slot(String brandId, EvidenceKind kind, boolean verifiable) {
    static final Comparator<Slot> ORDER = Comparator.comparing(Slot::brandId)
        .thenComparing(Slot::kind)
        .thenComparing(Slot::verifiable);

    static Slot of(Evidence evidence) {
      return new Slot(evidence.brandId(), evidence.kind(), evidence.isVerifiable());
    }
  }

  private final Contact contact;
  private final Map<Slot, Evidence> latest;
  /** {@link #evidence()} in slot order, computed once: every decision walks it. */
  private List<Evidence> ordered;

  private ConsentState(Contact contact, Map<Slot, Evidence> latest) {
    this.contact = contact;
    this.latest = latest;
  }

  /** Rebuilds a state from stored parts, applying the same precedence as {@link #with}. */
  public static ConsentState of(Contact contact, Collection<Evidence> evidence) {
    Map<Slot, Evidence> latest = new HashMap<>(Math.max(4, evidence.size() * 2));
    for (Evidence e : evidence) {
      latest.merge(Slot.of(e), e, (a, b) -> Evidence.PRECEDENCE.compare(a, b) >= 0 ? a : b);
    }
    return new ConsentState(contact, Collections.unmodifiableMap(latest));
  }

  public Optional<Contact> contact() {
    return Optional.ofNullable(contact);
  }

  /** The kept evidence in a stable order (brand, kind, proof), so output never depends on hashing. */
  public List<Evidence> evidence() {
    List<Evidence> result = ordered;
    if (result == null) {
      result = latest.entrySet().stream()
          .sorted(Map.Entry.comparingByKey(Slot.ORDER))
          .map(Map.Entry::getValue)
          .toList();
      ordered = result; // benign race: every thread computes the same immutable list
    }
    return result;
  }

  public int evidenceCount() {
    return latest.size();
  }

  /** The latest event time among everything recorded, or empty when nothing is. */
  public Optional<Instant> latestEventTime() {
    Instant max = contact == null ? null : contact.createdAt();
    for (Evidence e : latest.values()) {
      if (max == null || e.occurredAt().isAfter(max)) {
        max = e.occurredAt();
      }
    }
    return Optional.ofNullable(max);
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
    Evidence kept = latest.get(slot);
    if (kept != null && Evidence.PRECEDENCE.compare(kept, evidence) >= 0) {
      return this;
    }
    Map<Slot, Evidence> next = new HashMap<>(latest);
    next.put(slot, evidence);
    return new ConsentState(contact, Collections.unmodifiableMap(next));
  }

  public ConsentState merge(ConsentState other) {
    ConsentState merged = with(other.contact);
    for (Evidence e : other.latest.values()) {
      merged = merged.with(e);
    }
    return merged;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsentState s && Objects.equals(contact, s.contact) && latest.equals(s.latest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(contact, latest);
  }

  @Override
  public String toString() {
    return "ConsentState{contact=" + (contact == null ? "none" : contact.contactId())
        + ", evidence=" + evidence().stream().map(Evidence::evidenceId).toList() + "}";
  }
}
