package io.consentgate.replay;

import io.consentgate.contract.VerdictMapping;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.ledger.AddressEntry;
import io.consentgate.ledger.ContactConsent;
import io.consentgate.ledger.LapseSchedule;
import io.consentgate.ledger.SortedKeySet;
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.AddressRegistered;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.Contact;
import io.consentgate.topology.TopologySettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * The direct engine on several threads: each shard keeps some of the contacts, with its own
 * {@link AddressGate} (ledger, suppression index and lapse schedule), and decides them in
 * parallel. The output is the single-threaded engine's, byte for byte: the records go out in
 * batches, every shard runs the whole batch in order (applying the events routed to it, and every
 * lapse check), and the shards' verdicts are merged back into the order one thread would have
 * published them in.
 *
 * <p>Where a contact goes. Contacts are independent except through their addresses: a withdrawal
 * suppresses the other contacts of its brand and address, so contacts that share an address, now
 * or ever, must be decided in one shard, with the address's index entry. The engine routes each
 * record on the replay's thread, before any shard sees it ({@link #route}): a contact goes where
 * its address already is, an address where its first contact is, and a contact never seen goes
 * by the hash of its id (so does evidence whose contact record never arrives). When a contact
 * record links two groups living in different shards (a contact whose evidence came first, or
 * whose address changed, meeting an address another shard holds), the engine waits for the
 * shards to finish what they were given, moves the contact's whole group (its contacts' states
 * and lapse entries, its addresses' index entries) to the address's shard, and goes on. That wait
 * is rare in real histories; the output never depends on where a contact was decided.
 *
 * <p>The order. A record's verdicts come after everything of the records before it, in the order
 * its shard published them (the record's own contact, then the others of its address: all in one
 * shard); a lapse check comes before the record whose event time moved the clock, and within one
 * check contacts are lapsed by (lapse time, contact id), the order of the {@link LapseSchedule}'s
 * keys. Each verdict is tagged with its place in that order, which its shard alone can know (its
 * position in the batch, and for a lapse the schedule key it was due under), and the merge sorts
 * by the tag.
 */
final class ShardedReplayEngine implements ReplayEngine {

  /** Records and clock moves per batch: large enough to keep the shards busy, small enough to stay in cache. */
  static final int BATCH = 4_096;
  /** Batches in flight before the replay waits for the oldest: bounds the memory of verdicts not yet written. */
  private static final int IN_FLIGHT = 4;

  /**
   * One step of the history, in order: an accepted record's event, or a lapse check at a new clock.
   *
   * @param shard the shard that applies the event (every shard runs every lapse check)
   */
  private record Step(ConsentEvent event, Instant lapseCheckAt, int shard) {}

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
  /** The shard of every contact routed so far. */
  private final Map<String, Integer> contactShards = new HashMap<>();
  /** The shard of every address whose contact records were routed so far. */
  private final Map<AddressKey, Integer> addressShards = new HashMap<>();
  /** Groups moved between shards so far: each one a wait for the shards. */
  private long moves;

  ShardedReplayEngine(TopologySettings settings, Sink sink, int shardCount) {
    if (shardCount < 2) {
      throw new IllegalArgumentException("a sharded replay needs at least 2 shards, got " + shardCount);
    }
    this.sink = sink;
    this.shards = new Shard[shardCount];
    this.workers = new ExecutorService[shardCount];
    for (int i = 0; i < shardCount; i++) {
      shards[i] = new Shard(i, settings);
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
    add(new Step(event, null, route(event)));
  }

  /**
   * The shard that applies {@code event}: its contact's, once known; for a contact record, that of
   * its address if another contact had it already; for a contact never seen, that of its id's
   * hash. A contact record whose contact and address are in different shards first moves the
   * contact's group to the address's shard.
   */
  private int route(ConsentEvent event) {
    String contactId = event.contactId();
    Integer contactShard = contactShards.get(contactId);
    AddressKey address = event instanceof Contact c ? AddressKey.of(c).orElse(null) : null;
    Integer addressShard = address == null ? null : addressShards.get(address);
    int shard;
    if (addressShard != null) {
      shard = addressShard;
      if (contactShard == null) {
        contactShards.put(contactId, shard);
      } else if (contactShard != shard) {
        move(contactId, contactShard, shard);
      }
    } else {
      shard = contactShard != null ? contactShard : Math.floorMod(contactId.hashCode(), shards.length);
      if (contactShard == null) {
        contactShards.put(contactId, shard);
      }
      if (address != null) {
        addressShards.put(address, shard);
      }
    }
    return shard;
  }

  /**
   * Moves the group of {@code contactId} (every contact and address linked to it through the
   * index, as shard {@code from} holds them) to shard {@code to}, once the shards have finished
   * everything before: they are idle while it moves, and the next batch they are given sees it
   * moved.
   */
  private void move(String contactId, int from, int to) {
    if (!batch.isEmpty()) {
      submit();
    }
    while (!inFlight.isEmpty()) {
      deliverOldest();
    }
    shards[from].moveGroup(contactId, shards[to], movedContact -> contactShards.put(movedContact, to),
        movedAddress -> addressShards.put(movedAddress, to));
    moves++;
  }

  /** How many groups were moved between shards (each one a wait): for tests and measurements. */
  long moves() {
    return moves;
  }

  /** The same schedule as the direct engine's: a check at most once per move, once the next point is reached. */
  @Override
  public void advanceClock(Instant from, Instant to) {
    long now = to.toEpochMilli();
    if (now >= nextLapseCheck) {
      add(new Step(null, to, -1));
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
   * record's step is routed to one shard (its verdicts, of its contact and of the others of its
   * address, are all that shard's); a lapse key holds its contact's id.
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

  /** The contacts routed to one shard, decided by one thread at a time. */
  private static final class Shard {
    private final int index;
    private final AddressGate gate;
    private final RecordingKeys lapseKeys = new RecordingKeys();
    /** The schedule keys due in the lapse check being run, by contact: the tags of its verdicts. */
    private final Map<String, byte[]> dueKeys = new HashMap<>();
    private List<Tagged> out;
    private int step;
    private boolean inLapseCheck;

    Shard(int index, TopologySettings settings) {
      this.index = index;
      this.gate = new AddressGate(new ConsentPolicy(settings.policy()), new LapseSchedule(lapseKeys),
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
            if (s.shard() == index) {
              gate.apply(s.event());
            }
          } else {
            inLapseCheck = true;
            dueKeys.clear();
            gate.checkLapses(s.lapseCheckAt());
            inLapseCheck = false;
          }
        }
      } catch (RuntimeException e) {
        return new ShardResult(out, step, e);
      }
      return new ShardResult(out, -1, null);
    }

    /**
     * Moves the group of {@code contactId} to {@code to}: the contacts and addresses reachable from
     * it through the index (an address's entry names its contacts; a contact's state names every
     * address the index answered it for, and its current one). Only while no shard runs.
     */
    void moveGroup(String contactId, Shard to, Consumer<String> movedContact, Consumer<AddressKey> movedAddress) {
      ArrayDeque<String> pending = new ArrayDeque<>(List.of(contactId));
      Set<String> contacts = new HashSet<>(pending);
      Set<AddressKey> addresses = new HashSet<>();
      while (!pending.isEmpty()) {
        String next = pending.poll();
        ContactConsent consent = gate.consents().get(next);
        if (consent == null) {
          continue;
        }
        List<AddressKey> linked = new ArrayList<>();
        consent.state().contact().flatMap(AddressKey::of).ifPresent(linked::add);
        for (AddressRegistered r : consent.state().registered()) {
          AddressKey.of(r.brandId(), r.email()).ifPresent(linked::add);
        }
        for (AddressKey address : linked) {
          AddressEntry entry = addresses.add(address) ? gate.entries().get(address) : null;
          if (entry != null) {
            for (String other : entry.contactIds()) {
              if (contacts.add(other)) {
                pending.add(other);
              }
            }
          }
        }
      }
      for (String contact : contacts) {
        ContactConsent consent = gate.consents().get(contact);
        byte[] encoded = gate.consents().remove(contact);
        if (encoded != null) {
          to.gate.consents().putEncoded(contact, encoded);
          ContactConsent.Published published = consent.published();
          if (published != null && published.validUntil() != null) {
            byte[] key = lapseKey(published.validUntil(), contact);
            lapseKeys.remove(key);
            to.lapseKeys.add(key);
          }
        }
        movedContact.accept(contact);
      }
      for (AddressKey address : addresses) {
        AddressEntry entry = gate.entries().remove(address);
        if (entry != null) {
          to.gate.entries().put(address, entry);
        }
        movedAddress.accept(address);
      }
    }

    /** {@link LapseSchedule}'s key: the sign-flipped lapse time, big-endian, then the contact id in UTF-8. */
    private static byte[] lapseKey(Instant lapsesAt, String contactId) {
      byte[] id = contactId.getBytes(StandardCharsets.UTF_8);
      byte[] key = new byte[Long.BYTES + id.length];
      long flipped = lapsesAt.toEpochMilli() ^ Long.MIN_VALUE;
      for (int i = 0; i < Long.BYTES; i++) {
        key[i] = (byte) (flipped >>> (56 - 8 * i));
      }
      System.arraycopy(id, 0, key, Long.BYTES, id.length);
      return key;
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
