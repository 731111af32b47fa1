package io.consentgate.replay;

import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.Verdict;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every contact's consent state folded from a history's events, without publishing anything: what
 * {@code replay --as-of} and {@code whatif} decide from. The state is a join of the events
 * (docs/policy.md, what the gate remembers), so it is the same whatever order they were read in,
 * and deciding it as of an instant is a pure function.
 */
public final class ContactStates {

  private final Map<String, ConsentState> states = new HashMap<>();
  private Instant latestEventTime;

  public void apply(ConsentEvent event) {
    states.merge(event.contactId(), ConsentState.EMPTY.with(event), (kept, fresh) -> kept.with(event));
    if (latestEventTime == null || event.eventTime().isAfter(latestEventTime)) {
      latestEventTime = event.eventTime();
    }
  }

  /** The latest event time applied (the replay's clock at the end), or null when nothing was. */
  public Instant latestEventTime() {
    return latestEventTime;
  }

  /** The contacts that have a contact record, in id order: those that can be decided. */
  public List<String> decidable() {
    return states.entrySet().stream().filter(e -> e.getValue().contact().isPresent()).map(Map.Entry::getKey).sorted().toList();
  }

  public ConsentState state(String contactId) {
    return states.getOrDefault(contactId, ConsentState.EMPTY);
  }

  /**
   * The contact's verdict as of {@code asOf}, or as of its latest event if that is later (an event
   * after {@code asOf} can only be here if the caller let it in).
   */
  public Verdict decide(ConsentPolicy policy, String contactId, Instant asOf) {
    ConsentState state = state(contactId);
    Instant latest = state.latestEventTime().orElse(asOf);
    return policy.decide(state, latest.isAfter(asOf) ? latest : asOf);
  }
}
