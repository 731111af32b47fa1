package io.consentgate.runtime.query;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.state.HostInfo;

/** A store lookup for tests: who owns each contact, and what the active and standby copies here say. */
final class FakeLookup implements StateLookup {

  final Map<String, Owners> owners = new HashMap<>();
  final Map<String, Read> active = new HashMap<>();
  final Map<String, Read> standby = new HashMap<>();
  final AtomicInteger standbyReads = new AtomicInteger();

  FakeLookup own(String contactId, HostInfo activeHost, HostInfo... standbys) {
    owners.put(contactId, new Owners(activeHost, Set.of(standbys), Math.floorMod(contactId.hashCode(), 4)));
    return this;
  }

  @Override
  public Optional<Owners> owners(String contactId) {
    return Optional.ofNullable(owners.get(contactId));
  }

  @Override
  public Read read(String contactId, int partition, boolean standbyAllowed) {
    if (standbyAllowed) {
      standbyReads.incrementAndGet();
      return standby.getOrDefault(contactId, new Missing(new Copy(true, 1)));
    }
    return active.getOrDefault(contactId, new Missing(Copy.ACTIVE));
  }
}
