package io.consentgate.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The policy's answer for one contact at one point in event time ({@code decidedAt}). */
public record Verdict(String contactId, String brandId, String email, Decision decision, ConsentStatus status,
                      boolean oneToOneAllowed, Instant validUntil, List<String> reasons, List<String> evidenceIds,
                      List<String> recommendations, Instant decidedAt, String policy) {

  public Verdict {
    reasons = List.copyOf(reasons);
    evidenceIds = List.copyOf(evidenceIds);
    recommendations = List.copyOf(recommendations);
  }

  /** What a mail sender acts on: a new verdict is published only when one of these changes. */
  public boolean sameOutcomeAs(Verdict other) {
    return other != null && decision == other.decision && status == other.status
        && Objects.equals(validUntil, other.validUntil);
  }
}
