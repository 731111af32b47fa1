package io.consentgate.ledger;

import io.consentgate.policy.ConsentState;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Decision;
import io.consentgate.policy.Outcome;
import io.consentgate.policy.Verdict;
import java.time.Instant;

/**
 * One entry of the consent store: the contact's consent state and what the gate last published
 * for it ({@code null} until the first verdict).
 */
public record ContactConsent(String contactId, ConsentState state, Published published) {

  public static ContactConsent empty(String contactId) {
    return new ContactConsent(contactId, ConsentState.EMPTY, null);
  }

  /** The outcome of the last verdict sent, enough to publish only on change and to number verdicts. */
  public record Published(long version, Decision decision, ConsentStatus status, Instant validUntil, Instant decidedAt) {

    static Published of(Verdict verdict, long version) {
      return new Published(version, verdict.decision(), verdict.status(), verdict.validUntil(), verdict.decidedAt());
    }

    /** What a mail sender acts on: a new verdict is published only when one of these changes. */
    boolean sameOutcomeAs(Outcome outcome) {
      return decision == outcome.decision() && status == outcome.status()
          && java.util.Objects.equals(validUntil, outcome.validUntil());
    }
  }

  /**
   * The time to decide at: the latest event time recorded, but never earlier than a verdict
   * already published (a lapse noticed at a later moment must not be undone by an older record).
   */
  public Instant asOf() {
    Instant latestEvent = state.latestEventTimeOrNull();
    if (latestEvent == null) {
      latestEvent = Instant.EPOCH;
    }
    if (published != null && published.decidedAt().isAfter(latestEvent)) {
      return published.decidedAt();
    }
    return latestEvent;
  }
}
