package io.consentgate.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Contacts ordered by when their published implicit consent lapses. Keys are the lapse time as a
 * sign-flipped big-endian long followed by the contact id, so byte order is time order and a lapse
 * check reads only the entries that are due, not the whole consent store.
 *
 * <p>A task lapses only contacts it owns. A gate that ran before records were re-routed to their
 * owner may hold a contact in another task too; that copy's verdicts would compete with the
 * owner's, so its index entry is dropped when due and nothing is published for it.
 */
final class LapseIndex implements ConsentLedger.LapseSchedule {

  private static final Logger LOG = LoggerFactory.getLogger(LapseIndex.class);
  private static final byte[] PRESENT = new byte[0];

  private final KeyValueStore<Bytes, byte[]> store;
  private final Predicate<String> owned;

  LapseIndex(KeyValueStore<Bytes, byte[]> store, Predicate<String> owned) {
    this.store = store;
    this.owned = owned;
  }

  @Override
  public void add(Instant lapsesAt, String contactId) {
    store.put(key(lapsesAt.toEpochMilli(), contactId), PRESENT);
  }

  @Override
  public void remove(Instant lapsesAt, String contactId) {
    store.delete(key(lapsesAt.toEpochMilli(), contactId));
  }

  @Override
  public List<String> dueAt(Instant now) {
    List<String> due = new ArrayList<>();
    List<Bytes> notOwned = new ArrayList<>(0);
    // The upper bound is the bare prefix of the next millisecond: every key of a time <= now sorts
    // below it, and no key equals it because a contact id is never empty.
    try (KeyValueIterator<Bytes, byte[]> it = store.range(null, prefix(now.toEpochMilli() + 1))) {
      while (it.hasNext()) {
        Bytes key = it.next().key;
        String contactId = new String(key.get(), Long.BYTES, key.get().length - Long.BYTES, StandardCharsets.UTF_8);
        if (owned.test(contactId)) {
          due.add(contactId);
        } else {
          notOwned.add(key);
        }
      }
    }
    for (Bytes key : notOwned) {
      store.delete(key);
    }
    if (!notOwned.isEmpty()) {
      LOG.warn("dropped {} lapse entries of contacts this task does not own (state from before re-routing); "
          + "nothing is published for them here. Re-decide from the inputs to merge such state (README).", notOwned.size());
    }
    return due;
  }

  static Bytes prefix(long millis) {
    return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(millis ^ Long.MIN_VALUE).array());
  }

  static Bytes key(long millis, String contactId) {
    byte[] id = contactId.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length).putLong(millis ^ Long.MIN_VALUE).put(id).array());
  }
}
