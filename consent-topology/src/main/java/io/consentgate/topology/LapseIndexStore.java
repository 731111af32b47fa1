package io.consentgate.topology;

import io.consentgate.ledger.LapseSchedule;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The lapse schedule's keys in the {@code consent-lapse-index} store. RocksDB orders keys by
 * unsigned bytes, as the schedule needs, so a lapse check reads only the entries that are due.
 */
final class LapseIndexStore implements LapseSchedule.SortedKeys {

  private static final byte[] PRESENT = new byte[0];

  private final KeyValueStore<Bytes, byte[]> store;

  LapseIndexStore(KeyValueStore<Bytes, byte[]> store) {
    this.store = store;
  }

  @Override
  public void add(byte[] key) {
    store.put(Bytes.wrap(key), PRESENT);
  }

  @Override
  public void remove(byte[] key) {
    store.delete(Bytes.wrap(key));
  }

  @Override
  public void forEachBelow(byte[] bound, Consumer<byte[]> action) {
    try (KeyValueIterator<Bytes, byte[]> it = store.range(null, Bytes.wrap(bound))) {
      while (it.hasNext()) {
        byte[] key = it.next().key.get();
        if (Bytes.BYTES_LEXICO_COMPARATOR.compare(key, bound) < 0) { // range() includes the upper bound
          action.accept(key);
        }
      }
    }
  }
}
