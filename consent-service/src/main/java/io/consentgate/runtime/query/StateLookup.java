package io.consentgate.runtime.query;

import io.consentgate.ledger.ContactConsent;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a contact's state lives, and what this instance holds of it: the consent store behind the
 * query API, small enough to fake in a unit test ({@link StreamsStateLookup} is the real one).
 */
public interface StateLookup {

  /**
   * The instances that hold the contact's partition now: its active task's and its standbys'.
   * Empty while Kafka Streams has no metadata for it (starting, rebalancing, stopping).
   */
  Optional<Owners> owners(String contactId);

  /**
   * This instance's copy of the contact, read committed.
   *
   * @param partition the contact's partition, as {@link #owners} gave it
   * @param standbyAllowed false: only from this instance's active, running task; true: also from a
   *     standby copy, which says so and how far it is behind
   */
  Read read(String contactId, int partition, boolean standbyAllowed);

  /** @param partition the input (and store) partition that owns the contact */
  record Owners(HostInfo active, Set<HostInfo> standbys, int partition) {
    public Owners {
      standbys = Set.copyOf(standbys);
    }
  }

  /** Which copy answered: the active task's ({@link #ACTIVE}), or a standby's and how many offsets it is behind. */
  record Copy(boolean standby, long lag) {
    public static final Copy ACTIVE = new Copy(false, 0);
  }

  /** What this instance's store says about a contact. */
  sealed interface Read permits Found, Missing, Unavailable {}

  /** The store holds an entry for the contact (maybe only evidence, no contact record yet). */
  record Found(ContactConsent consent, Copy copy) implements Read {}

  /** The store holds nothing for the contact. */
  record Missing(Copy copy) implements Read {}

  /** This instance cannot answer for the contact now; {@code reason} says why (restoring, moving). */
  record Unavailable(String reason) implements Read {}
}
