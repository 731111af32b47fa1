package io.consentgate.policy;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One recorded action of a person. Only the parts that decide consent are kept: the proof's
 * reference makes a grant verifiable; the rest of the proof is for auditors and stays on the topic.
 */
public record Evidence(String evidenceId, String contactId, String brandId, EvidenceKind kind,
                       Instant occurredAt, String proofReference) implements ConsentEvent {

  /** Later wins; ties are broken on content so that merging never depends on arrival order. */
  static final Comparator<Evidence> PRECEDENCE = Comparator.comparing(Evidence::occurredAt)
      .thenComparing(Evidence::evidenceId)
      .thenComparing(Evidence::proofReference, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(Evidence::contactId)
      .thenComparing(Evidence::brandId)
      .thenComparing(Evidence::kind);

  public Evidence {
    Objects.requireNonNull(evidenceId, "evidenceId");
    Objects.requireNonNull(contactId, "contactId");
    Objects.requireNonNull(brandId, "brandId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(occurredAt, "occurredAt");
    if (proofReference != null && proofReference.isBlank()) {
      proofReference = null; // a blank reference proves nothing
    }
  }

  /** Principle 1: only an action recorded with a proof reference can grant consent. */
  public boolean isVerifiable() {
    return proofReference != null;
  }

  @Override
  public Instant eventTime() {
    return occurredAt;
  }
}
