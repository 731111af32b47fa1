package io.consentgate.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Contacts ordered by when their published implicit consent lapses. Keys are the lapse time as a
 * sign-flipped big-endian long followed by the contact id, so byte order is time order and a lapse
 * check reads only the entries that are due, not the whole consent store.
 */
final class LapseIndex implements ConsentLedger.LapseSchedule {

  private static final byte[] PRESENT = new byte[0];

  private final KeyValueStore<Bytes, byte[]> store;

  LapseIndex(KeyValueStore<Bytes, byte[]> store) {
    this.store = store;
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
    // The upper bound is the bare prefix of the next millisecond: every key of a time <= now sorts
    // below it, and no key equals it because a contact id is never empty.
    try (KeyValueIterator<Bytes, byte[]> it = store.range(null, prefix(now.toEpochMilli() + 1))) {
      while (it.hasNext()) {
        byte[] key = it.next().key.get();
        due.add(new String(key, Long.BYTES, key.length - Long.BYTES, StandardCharsets.UTF_8));
      }
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
