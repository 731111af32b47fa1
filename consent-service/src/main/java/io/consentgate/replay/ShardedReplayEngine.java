package io.consentgate.replay;

import io.consentgate.contract.VerdictMapping;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.ledger.ConsentLedger;
import io.consentgate.ledger.LapseSchedule;
import io.consentgate.ledger.SortedKeySet;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.topology.TopologySettings;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * The direct engine on several threads: contacts are independent, so each shard keeps the
 * contacts whose id hashes to it, with its own {@link ConsentLedger} and lapse schedule, and
 * decides them in parallel. The output is the single-threaded engine's, byte for byte: the
 * records go out in batches, every shard runs the whole batch in order (applying only its own
 * contacts' events, and every lapse check), and the shards' verdicts are merged back into the
 * order one thread would have published them in.
 *
 * <p>That order: a record's verdict comes after everything of the records before it; a lapse
 * check comes before the record whose event time moved the clock, and within one check contacts
 * are lapsed by (lapse time, contact id), the order of the {@link LapseSchedule}'s keys. Each
 * verdict is tagged with its place in that order, which its shard alone can know (its position in
 * the batch, and for a lapse the schedule key it was due under), and the merge sorts by the tag.
 */
final class ShardedReplayEngine implements ReplayEngine {

  /** Records and clock moves per batch: large enough to keep the shards busy, small enough to stay in cache. */
  static final int BATCH = 4_096;
  /** Batches in flight before the replay waits for the oldest: bounds the memory of verdicts not yet written. */
  private static final int IN_FLIGHT = 4;

  /** One step of the history, in order: an accepted record's event, or a lapse check at a new clock. */
  private record Step(ConsentEvent event, Instant lapseCheckAt) {}

  /**
   * A verdict and its place in the single-threaded order.
   *
   * @param step its step's position in the batch
   * @param lapseKey for a lapse check's verdict, the schedule key the contact was due under; null for a record's
   */
  private record Tagged(int step, byte[] lapseKey, ConsentVerdict verdict) {}

  /**
   * What a shard made of a batch: its verdicts in order, up to a failure if one stopped it.
   *
   * @param failedAt the step it failed at; -1 when it ran the whole batch
   */
  private record ShardResult(List<Tagged> verdicts, int failedAt, RuntimeException failure) {}

  private final Sink sink;
  private final Shard[] shards;
  /** One thread per shard: a shard's batches must run one after the other, in order. */
  private final ExecutorService[] workers;
  private final long lapseCheckMillis;
  private long nextLapseCheck;
  private List<Step> batch = new ArrayList<>(BATCH);
  private final ArrayDeque<List<Future<ShardResult>>> inFlight = new ArrayDeque<>();
  /** Set once a shard failed: nothing after the failure is ever written, as one thread would have stopped there. */
  private boolean failed;

  ShardedReplayEngine(TopologySettings settings, Sink sink, int shardCount) {
    if (shardCount < 2) {
      throw new IllegalArgumentException("a sharded replay needs at least 2 shards, got " + shardCount);
    }
    this.sink = sink;
    this.shards = new Shard[shardCount];
    this.workers = new ExecutorService[shardCount];
    for (int i = 0; i < shardCount; i++) {
      shards[i] = new Shard(i, shardCount, settings);
      String name = "replay-shard-" + i;
      workers[i] = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true); // a replay that fails must not be kept alive by its shards
        return t;
      });
    }
    this.lapseCheckMillis = settings.lapseCheckInterval().toMillis();
    this.nextLapseCheck = lapseCheckMillis;
  }

  @Override
  public void accept(SpecificRecord record, ConsentEvent event, String refusal) {
    if (event == null) {
      sink.refused(refusal); // at once: the replay names the line being read
      return;
    }
    add(new Step(event, null));
  }

  /** The same schedule as the direct engine's: a check at most once per move, once the next point is reached. */
  @Override
  public void advanceClock(Instant from, Instant to) {
    long now = to.toEpochMilli();
    if (now >= nextLapseCheck) {
      add(new Step(null, to));
      nextLapseCheck += ((now - nextLapseCheck) / lapseCheckMillis + 1) * lapseCheckMillis;
    }
  }

  private void add(Step step) {
    batch.add(step);
    if (batch.size() == BATCH) {
      submit();
    }
  }

  private void submit() {
    List<Step> steps = batch;
    batch = new ArrayList<>(BATCH);
    List<Future<ShardResult>> results = new ArrayList<>(shards.length);
    for (int i = 0; i < shards.length; i++) {
      Shard shard = shards[i];
      results.add(workers[i].submit(() -> shard.run(steps)));
    }
    inFlight.add(results);
    if (inFlight.size() >= IN_FLIGHT) {
      deliverOldest();
    }
  }

  @Override
  public void flush() {
    if (failed) {
      return; // what came before the failure is written; what came after it never is
    }
    if (!batch.isEmpty()) {
      submit();
    }
    while (!inFlight.isEmpty()) {
      deliverOldest();
    }
  }

  /**
   * The oldest batch's verdicts, merged into the single-threaded order, to the sink. If a shard
   * failed, what one thread would have written before the failure is written, then the failure
   * is thrown; the later batches are never written.
   */
  private void deliverOldest() {
    List<Future<ShardResult>> results = inFlight.poll();
    List<ShardResult> perShard = new ArrayList<>(results.size());
    for (Future<ShardResult> result : results) {
      try {
        perShard.add(result.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed = true;
        throw new IllegalStateException("interrupted while waiting for the replay's shards", e);
      } catch (ExecutionException e) {
        failed = true;
        throw new IllegalStateException("a replay shard failed: " + e.getCause(), e.getCause());
      }
    }
    ShardResult first = null;
    for (ShardResult r : perShard) {
      if (r.failure() != null && (first == null || r.failedAt() < first.failedAt())) {
        first = r;
      }
    }
    List<List<Tagged>> verdicts = new ArrayList<>(perShard.size());
    for (ShardResult r : perShard) {
      if (first == null || r == first) {
        verdicts.add(r.verdicts());
      } else {
        int stop = first.failedAt();
        verdicts.add(r.verdicts().stream().filter(t -> t.step() < stop).toList());
      }
    }
    merge(verdicts, sink::verdict);
    if (first != null) {
      failed = true;
      throw new IllegalStateException("the replay failed at a record: " + first.failure(), first.failure());
    }
  }

  /** Each shard's list is in order already; a k-way merge of a few lists by their heads. */
  static void merge(List<List<Tagged>> perShard, Consumer<ConsentVerdict> out) {
    int[] next = new int[perShard.size()];
    while (true) {
      int best = -1;
      for (int s = 0; s < perShard.size(); s++) {
        if (next[s] < perShard.get(s).size()
            && (best < 0 || before(perShard.get(s).get(next[s]), perShard.get(best).get(next[best])))) {
          best = s;
        }
      }
      if (best < 0) {
        return;
      }
      out.accept(perShard.get(best).get(next[best]++).verdict());
    }
  }

  /**
   * Whether {@code a} comes before {@code b} of another shard. Two shards' verdicts never tie: a
   * record's step belongs to one contact, hence one shard; a lapse key holds its contact's id.
   */
  private static boolean before(Tagged a, Tagged b) {
    if (a.step() != b.step()) {
      return a.step() < b.step();
    }
    return Arrays.compareUnsigned(a.lapseKey(), b.lapseKey()) < 0;
  }

  /** Stops the shards, also mid-batch after a failure, so that they take no CPU from what runs next. */
  @Override
  public void close() {
    inFlight.forEach(results -> results.forEach(r -> r.cancel(true)));
    for (ExecutorService worker : workers) {
      worker.shutdownNow();
    }
    try {
      for (ExecutorService worker : workers) {
        worker.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The contacts whose id hashes to one shard, decided by one thread at a time. */
  private static final class Shard {
    private final int index;
    private final int count;
    private final ConsentLedger ledger;
    /** The schedule keys due in the lapse check being run, by contact: the tags of its verdicts. */
    private final Map<String, byte[]> dueKeys = new HashMap<>();
    private List<Tagged> out;
    private int step;
    private boolean inLapseCheck;

    Shard(int index, int count, TopologySettings settings) {
      this.index = index;
      this.count = count;
      this.ledger = new ConsentLedger(new ConsentPolicy(settings.policy()),
          new EncodedConsents(), new LapseSchedule(new RecordingKeys()),
          (contactId, verdict, version) -> out.add(tagged(contactId, VerdictMapping.toRecord(verdict, version))));
    }

    ShardResult run(List<Step> steps) {
      out = new ArrayList<>();
      try {
        for (step = 0; step < steps.size(); step++) {
          if (Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException("the replay was stopped");
          }
          Step s = steps.get(step);
          if (s.event() != null) {
            String contactId = s.event().contactId();
            if (Math.floorMod(contactId.hashCode(), count) == index) {
              ledger.apply(contactId, s.event());
            }
          } else {
            inLapseCheck = true;
            dueKeys.clear();
            ledger.checkLapses(s.lapseCheckAt());
            inLapseCheck = false;
          }
        }
      } catch (RuntimeException e) {
        return new ShardResult(out, step, e);
      }
      return new ShardResult(out, -1, null);
    }

    private Tagged tagged(String contactId, ConsentVerdict verdict) {
      byte[] lapseKey = null;
      if (inLapseCheck) {
        lapseKey = dueKeys.get(contactId);
        if (lapseKey == null) {
          // Only a contact the check found due publishes in it; anything else would be merged out of order.
          throw new IllegalStateException("a lapse check published for " + contactId + ", which it did not find due");
        }
      }
      return new Tagged(step, lapseKey, verdict);
    }

    /** The shard's schedule, remembering which key each contact of a lapse check was due under. */
    private final class RecordingKeys implements LapseSchedule.SortedKeys {
      private final SortedKeySet keys = new SortedKeySet();

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
        keys.forEachBelow(bound, key -> {
          dueKeys.putIfAbsent(LapseSchedule.contactIdOf(key), key);
          action.accept(key);
        });
      }
    }
  }
}
