package io.consentgate.policy;

import java.time.Instant;
import java.util.List;

/** The policy's answer for one contact at one point in event time ({@code decidedAt}). */
public record Verdict(String contactId, String brandId, String email, Decision decision, ConsentStatus status,
                      boolean oneToOneAllowed, Instant validUntil, List<String> reasons, List<String> evidenceIds,
                      List<String> recommendations, Instant decidedAt, String policy) {

  public Verdict {
    reasons = List.copyOf(reasons);
    evidenceIds = List.copyOf(evidenceIds);
    recommendations = List.copyOf(recommendations);
  }
}
