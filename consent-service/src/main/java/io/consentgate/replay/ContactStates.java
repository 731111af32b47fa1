package io.consentgate.replay;

import io.consentgate.ledger.ConsentLedger;
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.Suppression;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every contact's consent state folded from a history's events, without publishing anything: what
 * {@code replay --as-of} and {@code whatif} decide from. The state is a join of the events
 * (docs/policy.md, what the gate remembers), so it is the same whatever order they were read in,
 * and deciding it as of an instant is a pure function. A contact is decided with the suppressions
 * of the other contacts of its brand and address delivered, as the gate's index delivers them.
 */
public final class ContactStates {

  private final Map<String, ConsentState> states = new HashMap<>();
  private Instant latestEventTime;
  /** The states of the contacts that suppressions by address reach; computed once asked, forgotten on apply. */
  private Map<String, ConsentState> suppressed;

  public void apply(ConsentEvent event) {
    suppressed = null;
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
    ConsentState state = decidableState(contactId);
    Instant latest = state.latestEventTime().orElse(asOf);
    return policy.decide(state, latest.isAfter(asOf) ? latest : asOf);
  }

  /** The contact's state with the suppressions by address of the other contacts delivered: what it is decided on. */
  public ConsentState decidableState(String contactId) {
    if (suppressed == null) {
      suppressed = suppressedByAddress(this, decidable());
    }
    return suppressed.getOrDefault(contactId, state(contactId));
  }

  /**
   * The states of the contacts that share their brand and address (as normalised) with another
   * contact that withdrew, complained or hard-bounced, each with those suppressions delivered, as
   * the gate's address index delivers them; the other contacts' states are not in the map.
   *
   * <p>A state holds only its contact's latest record, so a contact is grouped under its current
   * address; the gate's index also remembers the addresses a contact had before.
   */
  private static Map<String, ConsentState> suppressedByAddress(ContactStates states, List<String> contactIds) {
    Map<AddressKey, List<String>> byAddress = new HashMap<>();
    Map<String, AddressKey> addressOf = new HashMap<>();
    for (String contactId : contactIds) {
      Contact contact = states.state(contactId).contact().orElseThrow();
      AddressKey.of(contact).ifPresent(key -> {
        byAddress.computeIfAbsent(key, k -> new ArrayList<>(1)).add(contactId);
        addressOf.put(contactId, key);
      });
    }
    Map<String, ConsentState> suppressed = new HashMap<>();
    for (Map.Entry<AddressKey, List<String>> group : byAddress.entrySet()) {
      if (group.getValue().size() < 2) {
        continue; // nearly every address: one contact, nothing to deliver
      }
      List<Suppression> notices = new ArrayList<>();
      for (String contactId : group.getValue()) {
        ConsentState state = states.state(contactId);
        Contact contact = state.contact().orElseThrow();
        for (Evidence e : state.evidence()) {
          if (ConsentLedger.suppressesOthers(e, contact)) {
            notices.add(Suppression.notice(group.getKey(), e));
          }
        }
      }
      if (notices.isEmpty()) {
        continue;
      }
      for (String contactId : group.getValue()) {
        ConsentState state = states.state(contactId);
        for (Suppression notice : notices) {
          if (!notice.sourceContactId().equals(contactId)) {
            state = state.with(notice.deliveredTo(contactId));
          }
        }
        suppressed.put(contactId, state);
      }
    }
    return suppressed;
  }
}
