package io.consentgate.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Notices an input partition on which the gate makes no progress: records are waiting, yet the
 * committed offset has not moved for longer than the stall timeout. A record that keeps killing
 * its stream thread looks exactly like that (each new thread starts again from the same commit),
 * as does a thread that hangs. Time is passed in, so the rule is tested without waiting.
 */
final class ProgressWatch {

  /**
   * What a task reports for one input partition: the next offset to commit and the highest offset
   * fetched; -1 when not known yet.
   */
  record Offsets(long committed, long fetched) {
    boolean inputWaiting() {
      return fetched >= 0 && fetched >= committed;
    }
  }

  /** A partition with input waiting and no commit since {@code since}. */
  record Stall(String partition, Instant since, Offsets offsets) {
    Duration length(Instant now) {
      return Duration.between(since, now);
    }
  }

  private record Waiting(long committed, Instant since) {}

  private final Duration stallTimeout;
  private final Map<String, Waiting> waiting = new HashMap<>();

  ProgressWatch(Duration stallTimeout) {
    this.stallTimeout = stallTimeout;
  }

  Duration stallTimeout() {
    return stallTimeout;
  }

  /** The partitions stalled for longer than the timeout, given what the tasks report now. */
  synchronized List<Stall> observe(Map<String, Offsets> partitions, Instant now) {
    waiting.keySet().retainAll(partitions.keySet()); // a partition no longer assigned here is not ours to judge
    List<Stall> stalls = new ArrayList<>();
    partitions.forEach((partition, offsets) -> {
      if (!offsets.inputWaiting()) {
        waiting.remove(partition);
        return;
      }
      Waiting w = waiting.get(partition);
      if (w == null || w.committed() != offsets.committed()) {
        waiting.put(partition, new Waiting(offsets.committed(), now)); // progress, or input that just arrived
        return;
      }
      if (Duration.between(w.since(), now).compareTo(stallTimeout) > 0) {
        stalls.add(new Stall(partition, w.since(), offsets));
      }
    });
    stalls.sort((a, b) -> a.partition().compareTo(b.partition()));
    return stalls;
  }
}
