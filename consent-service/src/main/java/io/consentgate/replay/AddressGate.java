package io.consentgate.replay;

import io.consentgate.ledger.AddressEntry;
import io.consentgate.ledger.AddressIndex;
import io.consentgate.ledger.ConsentLedger;
import io.consentgate.ledger.LapseSchedule;
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Suppression;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link ConsentLedger} wired to its suppression index ({@link AddressIndex}) as the live gate
 * wires them over topics, but synchronously: what the ledger tells the index (notices,
 * registrations) and what the index delivers back (suppressions of other contacts, its answers)
 * goes through one FIFO queue, drained to the end after each input record, before the next one.
 * Deterministic, and the same final verdicts as the topology, where these hops take their time:
 * the ledger never allows a contact before the index's answer, whatever the delay.
 *
 * <p>The index's entries are a plain map: small (the contacts of an address and their latest
 * notices), one per address, unlike the consent states, which are kept encoded ({@link EncodedConsents}).
 */
final class AddressGate {

  /** A contact record on its way to its address's index. */
  private record Registration(AddressKey address, Contact contact) {}

  private final EncodedConsents consents = new EncodedConsents();
  private final Map<AddressKey, AddressEntry> entries = new HashMap<>();
  /** In flight: {@link Suppression} notices and {@link Registration}s to the index, {@link ConsentEvent}s back. */
  private final ArrayDeque<Object> inFlight = new ArrayDeque<>();
  private final ConsentLedger ledger;
  private final AddressIndex index;

  AddressGate(ConsentPolicy policy, LapseSchedule lapses, ConsentLedger.Verdicts verdicts) {
    this.index = new AddressIndex(AddressIndex.Entries.in(entries), inFlight::add);
    this.ledger = new ConsentLedger(policy, consents, lapses, verdicts, new ConsentLedger.Notices() {
      @Override
      public void send(Suppression notice) {
        inFlight.add(notice);
      }

      @Override
      public void register(AddressKey address, Contact contact) {
        inFlight.add(new Registration(address, contact));
      }
    });
  }

  /** Records one input event, then everything it set in motion between the ledger and the index. */
  void apply(ConsentEvent event) {
    try {
      ledger.apply(event.contactId(), event);
      while (!inFlight.isEmpty()) {
        Object next = inFlight.poll();
        if (next instanceof Registration r) {
          index.register(r.address(), r.contact());
        } else if (next instanceof Suppression s && s.isNotice()) {
          index.suppress(s);
        } else {
          ConsentEvent delivered = (ConsentEvent) next;
          ledger.apply(delivered.contactId(), delivered);
        }
      }
    } finally {
      inFlight.clear(); // after a failure, nothing of that record may leak into the next one
    }
  }

  void checkLapses(Instant now) {
    ledger.checkLapses(now);
  }

  /** The consent states, for a sharded replay that moves contacts between shards. */
  EncodedConsents consents() {
    return consents;
  }

  /** The index's entries, for a sharded replay that moves addresses between shards. */
  Map<AddressKey, AddressEntry> entries() {
    return entries;
  }
}
