package io.consentgate.client;

import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's view of the verdict topic and every rule of its answer, without Kafka: whoever reads
 * the topic feeds it records ({@link #apply}) and offsets ({@link #endOffsetsTaken},
 * {@link #positions}); senders ask it ({@link #check}). {@link ConsentClient} is that reader; tests
 * and benchmarks feed it directly.
 *
 * <p>Per contact it keeps the verdict with the highest (epoch, version). Feeding is for one thread
 * at a time; asking is for any number of threads, concurrently with feeding.
 */
public final class VerdictView {

  private static final Logger log = LoggerFactory.getLogger(VerdictView.class);

  /** What {@link #apply} did with a record. */
  public enum Outcome {
    /** A contact not held before. */
    NEW,
    /** Replaced the verdict held (ordered at or above it). */
    REPLACED,
    /** Ordered below the verdict held by (epoch, version): ignored and counted. */
    ORDERED_BELOW,
    /** A tombstone removed the contact. */
    REMOVED,
    /** A tombstone for a contact not held. */
    ABSENT
  }

  /**
   * @param clock what "now" is for {@link #check(String)}
   * @param staleAfter how old the newest reached end-offset snapshot may be before every answer is no
   * @param gateBehindAfter the same for the gate's committed input offsets; null: the gate is not
   *     watched, and answers fail open (a withdrawal the gate has not processed is not seen)
   * @param keepReasons keep each verdict's reason codes (more memory)
   */
  public record Settings(Clock clock, Duration staleAfter, Duration gateBehindAfter, boolean keepReasons) {
    public Settings {
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(staleAfter, "staleAfter");
      if (staleAfter.isNegative() || staleAfter.isZero()) {
        throw new IllegalArgumentException("staleAfter must be positive, got " + staleAfter);
      }
      if (gateBehindAfter != null && (gateBehindAfter.isNegative() || gateBehindAfter.isZero())) {
        throw new IllegalArgumentException("gateBehindAfter must be positive, got " + gateBehindAfter);
      }
    }

    /** As {@link ConsentClient} by default: the gate watched, so no answer is yes until it is fed the gate's offsets. */
    public static Settings defaults() {
      return new Settings(Clock.systemUTC(), ConsentClient.DEFAULT_STALE_AFTER, ConsentClient.DEFAULT_GATE_BEHIND_AFTER, false);
    }
  }

  private final Clock clock;
  private final long staleAfterMillis;
  private final long gateBehindAfterMillis;
  private final boolean gateWatched;
  private final VerdictTable table = new VerdictTable();
  private final Map<String, List<String>> reasons;
  private final List<VerdictListener> listeners = new CopyOnWriteArrayList<>();

  // The feeding thread's bookkeeping of the verdict topic; what readers need is published below.
  private final OffsetSnapshots viewSnapshots = new OffsetSnapshots();
  private final OffsetSnapshots gateSnapshots = new OffsetSnapshots();
  private final Object gateLock = new Object();

  private volatile long viewReachedAt = Long.MIN_VALUE;
  private volatile long gateReachedAt = Long.MIN_VALUE;
  /** The gate's current epoch; -1 until known (or when the gate is not watched). */
  private volatile long gateEpoch = -1;
  private volatile long lag;
  private volatile boolean closed;
  private volatile long applied;
  private volatile long orderedBelow;
  private volatile long unreadable;
  private volatile long listenerFailures;

  public VerdictView(Settings settings) {
    this.clock = settings.clock();
    this.staleAfterMillis = settings.staleAfter().toMillis();
    this.gateWatched = settings.gateBehindAfter() != null;
    this.gateBehindAfterMillis = gateWatched ? settings.gateBehindAfter().toMillis() : Long.MAX_VALUE;
    this.reasons = settings.keepReasons() ? new ConcurrentHashMap<>() : null;
  }

  public Clock clock() {
    return clock;
  }

  // ---------------------------------------------------------------- feeding

  /**
   * Applies one record of the verdict topic: {@code value} null is a tombstone, which removes the
   * contact. The contact is the record key, or the value's {@code contactId} when there is no key.
   */
  public Outcome apply(String key, ConsentVerdict value) {
    String contactId = key != null ? key : value == null ? null : value.getContactId();
    return contactId == null ? Outcome.ABSENT : apply(new VerdictTable.Key(contactId), value);
  }

  /**
   * Applies a batch of records in order, as {@link #apply(String, ConsentVerdict)} one by one would;
   * a record with an {@code unreadable[i]} reason is {@link #unreadable}. The slots of the whole
   * batch are read first, together, so that their memory misses overlap instead of each insert
   * waiting for its own: loading a large view goes faster.
   */
  public void applyAll(String[] keys, ConsentVerdict[] values, String[] unreadable, int n) {
    VerdictTable.Key[] ks = new VerdictTable.Key[n];
    for (int i = 0; i < n; i++) {
      String contactId = keys[i] != null ? keys[i] : values[i] == null ? null : values[i].getContactId();
      ks[i] = contactId == null ? null : new VerdictTable.Key(contactId);
    }
    table.touch(ks, n);
    for (int i = 0; i < n; i++) {
      if (unreadable != null && unreadable[i] != null) {
        unreadable(ks[i] == null ? null : ks[i].id, unreadable[i]);
      } else if (ks[i] != null) {
        apply(ks[i], values[i]);
      }
    }
  }

  private Outcome apply(VerdictTable.Key k, ConsentVerdict value) {
    String contactId = k.id;
    if (value == null) {
      return remove(k);
    }
    if (!contactId.equals(value.getContactId())) {
      // The gate always keys a verdict by its contact. A record that does not is not one to trust:
      // drop what is held for the key (no mail) rather than keep a verdict it may have replaced.
      unreadable(contactId, "key " + contactId + " differs from the verdict's contactId " + value.getContactId());
      return Outcome.REMOVED;
    }
    Decision decision = value.getDecision() == null ? Decision.DENY : value.getDecision();
    ConsentStatus status = value.getStatus() == null ? ConsentStatus.NO_CONSENT : value.getStatus();
    Instant validUntil = value.getValidUntil();
    Instant decidedAt = value.getDecidedAt();
    VerdictTable.PutResult r = table.put(k, decision, status, value.getOneToOneAllowed(),
        validUntil == null ? null : validUntil.toEpochMilli(), decidedAt == null ? 0 : decidedAt.toEpochMilli(),
        value.getEpoch(), value.getVersion());
    if (r == VerdictTable.PutResult.ORDERED_BELOW) {
      orderedBelow = orderedBelow + 1;
      return Outcome.ORDERED_BELOW;
    }
    applied = applied + 1;
    List<String> kept = null;
    if (reasons != null) {
      kept = value.getReasons() == null ? List.of() : List.copyOf(value.getReasons());
      reasons.put(contactId, kept);
    }
    if (!listeners.isEmpty()) {
      tell(contactId, new VerdictSummary(contactId, decision, status, value.getOneToOneAllowed(), validUntil != null,
          validUntil == null ? 0 : validUntil.toEpochMilli(), decidedAt == null ? 0 : decidedAt.toEpochMilli(),
          value.getEpoch(), value.getVersion(), kept));
    }
    return r == VerdictTable.PutResult.NEW ? Outcome.NEW : Outcome.REPLACED;
  }

  private Outcome remove(String contactId) {
    return remove(new VerdictTable.Key(contactId));
  }

  private Outcome remove(VerdictTable.Key k) {
    String contactId = k.id;
    boolean held = table.remove(k);
    if (reasons != null) {
      reasons.remove(contactId);
    }
    if (held) {
      tell(contactId, null);
    }
    return held ? Outcome.REMOVED : Outcome.ABSENT;
  }

  /**
   * A record for {@code contactId} that could not be read as a verdict: its contact's verdict is no
   * longer known, so it is dropped (no mail to it until the next readable verdict) and counted.
   */
  public void unreadable(String contactId, String why) {
    if (contactId != null) {
      remove(contactId);
    }
    unreadable = unreadable + 1;
    log.warn("a record of the verdict topic could not be read{}: {}", contactId == null ? "" : " for contact " + contactId, why);
  }

  private void tell(String contactId, VerdictSummary verdict) {
    for (VerdictListener l : listeners) {
      try {
        l.onVerdict(contactId, verdict);
      } catch (RuntimeException e) {
        listenerFailures = listenerFailures + 1;
        log.warn("a verdict listener failed for contact {}", contactId, e);
      }
    }
  }

  /** The verdict topic's end offsets, asked for at {@code takenAtMillis} (the clock read before asking). */
  public void endOffsetsTaken(long takenAtMillis, Map<TopicPartition, Long> ends) {
    viewSnapshots.taken(takenAtMillis, ends);
  }

  /** The reader's positions on the verdict topic, after it applied every record before them. */
  public void positions(Map<TopicPartition, Long> positions) {
    viewReachedAt = viewSnapshots.observe(positions);
    lag = viewSnapshots.lag(positions);
  }

  /** The gate's input topics' end offsets, asked for at {@code takenAtMillis}. */
  public void gateInputEndsTaken(long takenAtMillis, Map<TopicPartition, Long> ends) {
    synchronized (gateLock) {
      gateSnapshots.taken(takenAtMillis, ends);
    }
  }

  /**
   * The epoch the gate publishes in now. A contact whose latest verdict is from an older epoch has
   * not been re-published since the gate began re-deciding, and is answered {@link Reason#REPUBLISHING}.
   */
  public void gateEpoch(long epoch) {
    gateEpoch = epoch;
  }

  /** The offsets the gate's consumer group has committed on its input topics. */
  public void gateCommitted(Map<TopicPartition, Long> committed) {
    synchronized (gateLock) {
      gateReachedAt = gateSnapshots.observe(committed);
    }
  }

  public void addListener(VerdictListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(VerdictListener listener) {
    listeners.remove(listener);
  }

  /** From now on every answer is {@link Reason#CLOSED}. */
  public void close() {
    closed = true;
  }

  // ---------------------------------------------------------------- asking

  /** May marketing email go to {@code contactId} now (the view's clock)? */
  public Permission check(String contactId) {
    return checkAt(contactId, clock.millis());
  }

  /** May marketing email go to {@code contactId} at {@code now}? */
  public Permission check(String contactId, Instant now) {
    return checkAt(contactId, now.toEpochMilli());
  }

  Permission checkAt(String contactId, long nowMillis) {
    Objects.requireNonNull(contactId, "contactId");
    Reason blocking = blocking(nowMillis);
    VerdictSummary v = table.get(contactId, reasons == null ? null : reasons.get(contactId));
    return answer(contactId, v, blocking, gateEpoch, nowMillis);
  }

  private static Permission answer(String contactId, VerdictSummary v, Reason blocking, long gateEpoch, long nowMillis) {
    if (blocking != Reason.ALLOWED) {
      return Permission.of(contactId, blocking, v);
    }
    if (v == null) {
      return Permission.of(contactId, Reason.UNKNOWN_CONTACT, null);
    }
    if (v.epoch() < gateEpoch) {
      return Permission.of(contactId, Reason.REPUBLISHING, v);
    }
    if (v.decision() != Decision.ALLOW) {
      return Permission.of(contactId, Reason.DENIED, v);
    }
    if (!v.consented()) {
      return Permission.of(contactId, Reason.NOT_CONSENTED, v);
    }
    if (v.lapsedAt(nowMillis)) {
      return Permission.of(contactId, Reason.EXPIRED, v);
    }
    return Permission.of(contactId, Reason.ALLOWED, v);
  }

  /** {@link Reason#ALLOWED} when the view can answer at {@code nowMillis}, else the reason it cannot. */
  private Reason blocking(long nowMillis) {
    if (closed) {
      return Reason.CLOSED;
    }
    long reached = viewReachedAt;
    if (reached == Long.MIN_VALUE) {
      return Reason.NOT_READY;
    }
    if (nowMillis - reached > staleAfterMillis) {
      return Reason.STALE;
    }
    if (gateWatched) {
      long gate = gateReachedAt;
      if (gate == Long.MIN_VALUE || nowMillis - gate > gateBehindAfterMillis) {
        return Reason.GATE_BEHIND;
      }
    }
    return Reason.ALLOWED;
  }

  /** Splits a campaign list in one pass, every id answered as of the same instant. */
  public AudienceSplit filter(Collection<String> contactIds) {
    List<String> allowed = new ArrayList<>();
    List<Permission> denied = new ArrayList<>();
    filter(contactIds, clock.instant(), p -> allowed.add(p.contactId()), denied::add);
    return new AudienceSplit(allowed, denied);
  }

  /** Streams a campaign list of any length through, each answer to one of two sinks, all as of {@code now}. */
  public void filter(Iterable<String> contactIds, Instant now, Consumer<Permission> allowed, Consumer<Permission> denied) {
    long nowMillis = now.toEpochMilli();
    String[] batch = new String[BATCH];
    VerdictSummary[] found = new VerdictSummary[BATCH];
    long[] scratch = new long[BATCH * 3];
    int n = 0;
    for (String id : contactIds) {
      batch[n++] = Objects.requireNonNull(id, "contactId");
      if (n == BATCH) {
        answerBatch(batch, n, found, scratch, nowMillis, allowed, denied);
        n = 0;
      }
    }
    answerBatch(batch, n, found, scratch, nowMillis, allowed, denied);
  }

  /** Ids looked up together in {@link #filter}: enough for their memory misses to overlap. */
  private static final int BATCH = 32;

  private void answerBatch(String[] batch, int n, VerdictSummary[] found, long[] scratch, long nowMillis,
                           Consumer<Permission> allowed, Consumer<Permission> denied) {
    if (n == 0) {
      return;
    }
    table.getAll(batch, n, reasons == null ? null : reasons::get, found, scratch);
    Reason blocking = blocking(nowMillis);
    long epoch = gateEpoch;
    for (int k = 0; k < n; k++) {
      Permission p = answer(batch[k], found[k], blocking, epoch, nowMillis);
      (p.mayEmail() ? allowed : denied).accept(p);
    }
  }

  /** The reason codes of the verdict held, when the view keeps them. */
  public Optional<List<String>> reasons(String contactId) {
    return reasons == null ? Optional.empty() : Optional.ofNullable(reasons.get(contactId));
  }

  public long size() {
    return table.size();
  }

  /** Every contact id held (for tests and small views). */
  public List<String> contactIds() {
    return table.ids();
  }

  /** Heap bytes of the contact table's arrays. */
  public long tableBytes() {
    return table.arrayBytes();
  }

  public ClientStatus status() {
    return status(clock.millis());
  }

  ClientStatus status(long nowMillis) {
    Reason blocking = blocking(nowMillis);
    long reached = viewReachedAt;
    long gate = gateReachedAt;
    boolean ready = reached != Long.MIN_VALUE && !closed;
    boolean stale = ready && nowMillis - reached > staleAfterMillis;
    boolean gateBehind = gateWatched && (gate == Long.MIN_VALUE || nowMillis - gate > gateBehindAfterMillis);
    return new ClientStatus(blocking == Reason.ALLOWED, ready, stale, gateWatched, gateBehind,
        reached == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(reached)),
        gate == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(gate)),
        table.size(), lag, orderedBelow, unreadable);
  }

  long applied() {
    return applied;
  }

  long listenerFailures() {
    return listenerFailures;
  }
}
