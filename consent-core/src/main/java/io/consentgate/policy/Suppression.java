package io.consentgate.policy;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * A withdrawal, complaint or hard bounce recorded for one contact, as it bears on the other
 * contacts of its brand with the same address (docs/policy.md, "Suppression by address").
 *
 * <p>It travels twice: from the contact that recorded the evidence to the address's index
 * ({@code contactId} is then the recording contact itself: a notice), and from the index to each
 * other contact of the address ({@code contactId} is the contact it is delivered to). A contact
 * keeps the latest one per address and class (withdrawal or bounce) in its state.
 *
 * @param contactId the contact this is about or for (see above)
 * @param address the brand and normalised address it suppresses
 * @param sourceContactId the contact that recorded the evidence
 * @param evidenceId the evidence that suppresses
 * @param kind its kind: a withdrawal or {@link EvidenceKind#HARD_BOUNCE}
 * @param occurredAt when it occurred (event time)
 */
public record Suppression(String contactId, AddressKey address, String sourceContactId, String evidenceId,
                          EvidenceKind kind, Instant occurredAt) implements ConsentEvent {

  /** Later wins; ties are broken on content so that keeping the latest never depends on arrival order. */
  static final Comparator<Suppression> PRECEDENCE = Comparator.comparing(Suppression::occurredAt)
      .thenComparing(Suppression::sourceContactId)
      .thenComparing(Suppression::evidenceId)
      .thenComparing(Suppression::kind);

  public Suppression {
    Objects.requireNonNull(contactId, "contactId");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(sourceContactId, "sourceContactId");
    Objects.requireNonNull(evidenceId, "evidenceId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(occurredAt, "occurredAt");
    if (!kind.suppressesAddress()) {
      throw new IllegalArgumentException(kind + " does not suppress an address");
    }
  }

  /** The notice a contact sends its address's index about its own evidence. */
  public static Suppression notice(AddressKey address, Evidence evidence) {
    return new Suppression(evidence.contactId(), address, evidence.contactId(), evidence.evidenceId(), evidence.kind(),
        evidence.occurredAt());
  }

  /** The same suppression, delivered to {@code otherContactId}. */
  public Suppression deliveredTo(String otherContactId) {
    return new Suppression(otherContactId, address, sourceContactId, evidenceId, kind, occurredAt);
  }

  /** Whether this is a contact's notice about its own evidence rather than one delivered from elsewhere. */
  public boolean isNotice() {
    return contactId.equals(sourceContactId);
  }

  /** A hard bounce rather than a withdrawal or complaint. */
  public boolean isBounce() {
    return kind == EvidenceKind.HARD_BOUNCE;
  }

  @Override
  public Instant eventTime() {
    return occurredAt;
  }
}
