package io.consentgate.client;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * End offsets seen at an instant, and whether a reader has since reached them. Comparing a reader's
 * position with end offsets fetched at the same moment flaps under continuous commits (the end
 * moves on while the reader catches up), and an empty poll proves nothing when the brokers are
 * gone. So: take a snapshot of the end offsets at T, keep it until the reader's offsets reach it,
 * and then know that everything committed before T has been read. Not thread-safe: one thread
 * takes and observes.
 */
final class OffsetSnapshots {

  /** Snapshots kept waiting; an older one is reached whenever a newer one is, so dropping the oldest loses nothing. */
  private static final int MAX_PENDING = 32;

  private record Snapshot(long takenAtMillis, Map<TopicPartition, Long> ends) {}

  private final Deque<Snapshot> pending = new ArrayDeque<>();
  private long reachedAtMillis = Long.MIN_VALUE;
  private Map<TopicPartition, Long> latestEnds = Map.of();

  /** End offsets {@code ends} seen at {@code takenAtMillis} (taken before asking for them). */
  void taken(long takenAtMillis, Map<TopicPartition, Long> ends) {
    Map<TopicPartition, Long> copy = Map.copyOf(ends);
    pending.addLast(new Snapshot(takenAtMillis, copy));
    latestEnds = copy;
    while (pending.size() > MAX_PENDING) {
      pending.removeFirst();
    }
  }

  /**
   * The reader's offsets now (its positions, or a group's committed offsets; an absent partition
   * counts as offset 0). Returns the instant of the newest snapshot reached so far, or
   * {@link Long#MIN_VALUE} if none has been.
   */
  long observe(Map<TopicPartition, Long> offsets) {
    Iterator<Snapshot> newestFirst = pending.descendingIterator();
    while (newestFirst.hasNext()) {
      Snapshot s = newestFirst.next();
      if (reached(s, offsets)) {
        reachedAtMillis = Math.max(reachedAtMillis, s.takenAtMillis());
        // this one and every older one are reached
        while (pending.removeFirst() != s) {
          // drop the older ones
        }
        break;
      }
    }
    return reachedAtMillis;
  }

  long reachedAtMillis() {
    return reachedAtMillis;
  }

  /** Records between {@code offsets} and the newest snapshot's end offsets, summed over partitions. */
  long lag(Map<TopicPartition, Long> offsets) {
    long lag = 0;
    for (Map.Entry<TopicPartition, Long> e : latestEnds.entrySet()) {
      lag += Math.max(0, e.getValue() - offsets.getOrDefault(e.getKey(), 0L));
    }
    return lag;
  }

  private static boolean reached(Snapshot s, Map<TopicPartition, Long> offsets) {
    for (Map.Entry<TopicPartition, Long> e : s.ends().entrySet()) {
      Long at = offsets.get(e.getKey());
      if ((at == null ? 0 : at) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
