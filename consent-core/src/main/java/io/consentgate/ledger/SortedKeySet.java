package io.consentgate.ledger;

import java.util.Arrays;
import java.util.TreeSet;
import java.util.function.Consumer;

/** {@link LapseSchedule.SortedKeys} in memory, in the same unsigned byte order as a RocksDB store. */
public final class SortedKeySet implements LapseSchedule.SortedKeys {

  private final TreeSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);

  @Override
  public void add(byte[] key) {
    keys.add(key);
  }

  @Override
  public void remove(byte[] key) {
    keys.remove(key);
  }

  @Override
  public void forEachBelow(byte[] bound, Consumer<byte[]> action) {
    keys.headSet(bound).forEach(action);
  }
}
