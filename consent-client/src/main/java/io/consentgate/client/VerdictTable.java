package io.consentgate.client;

import io.consentgate.events.ConsentStatus;
import io.consentgate.events.Decision;
import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * Every contact's latest verdict, in as little memory as a decision allows: 40 bytes a slot, no
 * object per contact for ids of the form {@code c-<UUID>}.
 *
 * <p>256 segments, each an open-addressing table with linear probing in one {@code long[]}, five
 * longs a slot: the key's two halves, a meta word (decision, status, one-to-one, flags, epoch and
 * version packed), {@code validUntil} and {@code decidedAt} in epoch milliseconds. A slot is one or
 * two cache lines, so a lookup costs about one memory access. Segments grow one at a time (load
 * at most 0.8), so growing never holds two copies of the whole table. Removal shifts back (no
 * tombstones).
 *
 * <p>One writer (the client's poller) and any number of readers: a writer holds the segment's
 * write lock; a reader reads optimistically and retries if the segment changed meanwhile.
 */
final class VerdictTable {

  static final int SEGMENT_BITS = 8;
  private static final int SEGMENTS = 1 << SEGMENT_BITS;
  private static final int STRIDE = 5;
  private static final int HI = 0;
  private static final int LO = 1;
  private static final int META = 2;
  private static final int VALID_UNTIL = 3;
  private static final int DECIDED_AT = 4;
  private static final int MIN_CAPACITY = 16;

  // The meta word, from the top: occupied, generic key, wide rank, one-to-one, has validUntil,
  // decision (2 bits), status (4 bits), epoch (13 bits), version (40 bits). Never 0 when occupied.
  private static final long OCCUPIED = 1L << 63;
  private static final long GENERIC = 1L << 62;
  private static final long WIDE = 1L << 61;
  private static final long ONE_TO_ONE = 1L << 60;
  private static final long HAS_VALID_UNTIL = 1L << 59;
  private static final int DECISION_SHIFT = 57;
  private static final int STATUS_SHIFT = 53;
  private static final int EPOCH_SHIFT = 40;
  private static final long EPOCH_LIMIT = 1L << 13;
  private static final long VERSION_LIMIT = 1L << 40;

  private static final Decision[] DECISIONS = Decision.values();
  private static final ConsentStatus[] STATUSES = ConsentStatus.values();

  static {
    if (DECISIONS.length > 4 || STATUSES.length > 16) {
      throw new ExceptionInInitializerError("the verdict enums outgrew their bits in VerdictTable's meta word");
    }
  }

  /** What {@link #put} did. */
  enum PutResult { NEW, REPLACED, ORDERED_BELOW }

  private static final class Segment {
    final StampedLock lock = new StampedLock();
    long[] slots = new long[MIN_CAPACITY * STRIDE];
    /** The bytes of generic (not UUID-form) keys, by slot; null until the segment holds one. */
    byte[][] genericKeys;
    /** (epoch, version) pairs too large for the meta word, indexed by the meta word's version field. */
    long[] wide;
    int wideSize;
    int size;

    int capacity() {
      return slots.length / STRIDE;
    }
  }

  private final Segment[] segments = new Segment[SEGMENTS];
  private volatile long size;

  VerdictTable() {
    for (int i = 0; i < SEGMENTS; i++) {
      segments[i] = new Segment();
    }
  }

  long size() {
    return size;
  }

  /** A contact id as the table looks it up: parsed once per operation. */
  static final class Key {
    final String id;
    final boolean uuid;
    final long hi;
    final long lo;
    final byte[] bytes;
    final long hash;

    Key(String id) {
      this.id = id;
      byte[] b = ContactKey.uuidCandidate(id);
      long w1 = -1;
      long w2 = -1;
      long w3 = -1;
      long w4 = -1;
      if (ContactKey.hasUuidShape(b)) {
        w1 = ContactKey.word1(b);
        w2 = ContactKey.word2(b);
        w3 = ContactKey.word3(b);
        w4 = ContactKey.word4(b);
      }
      this.uuid = (w1 | w2 | w3 | w4) >= 0;
      if (uuid) {
        hi = (w1 << 32) | w2;
        lo = (w3 << 32) | w4;
        bytes = null;
        hash = ContactKey.hash(hi, lo);
      } else {
        bytes = ContactKey.bytes(id);
        hash = ContactKey.hash(bytes);
        hi = 0;
        lo = hash;
      }
    }
  }

  private Segment segment(long hash) {
    return segments[(int) (hash >>> (64 - SEGMENT_BITS))];
  }

  /** The slot holding {@code key} in {@code s}, or -1-(the empty slot where it would go). */
  private static int find(Segment s, long[] slots, Key key) {
    int mask = slots.length / STRIDE - 1;
    int i = (int) key.hash & mask;
    for (int probes = 0; probes <= mask; probes++) {
      int base = i * STRIDE;
      long meta = slots[base + META];
      if (meta == 0) {
        return -1 - i;
      }
      if (key.uuid) {
        if ((meta & GENERIC) == 0 && slots[base + HI] == key.hi && slots[base + LO] == key.lo) {
          return i;
        }
      } else if ((meta & GENERIC) != 0 && slots[base + LO] == key.lo) {
        byte[][] generic = s.genericKeys;
        if (generic != null && i < generic.length && Arrays.equals(generic[i], key.bytes)) {
          return i;
        }
      }
      i = (i + 1) & mask;
    }
    return Integer.MIN_VALUE; // only seen by a reader of a segment changing under it
  }

  /**
   * The verdict held for {@code id}, or null; {@code reasons} are attached as given. The path every
   * {@code check} takes: an id of the UUID form is parsed into locals and looked up without any
   * object but its Latin-1 bytes.
   */
  VerdictSummary get(String id, java.util.List<String> reasons) {
    byte[] b = ContactKey.uuidCandidate(id);
    if (ContactKey.hasUuidShape(b)) {
      long w1 = ContactKey.word1(b);
      long w2 = ContactKey.word2(b);
      long w3 = ContactKey.word3(b);
      long w4 = ContactKey.word4(b);
      if ((w1 | w2 | w3 | w4) >= 0) {
        return getUuid(id, (w1 << 32) | w2, (w3 << 32) | w4, reasons);
      }
    }
    return get(new Key(id), reasons);
  }

  /** Keeps the home-slot reads of {@link #getAll} from being optimized away. */
  @SuppressWarnings("unused")
  private static volatile long touched;

  /**
   * The verdicts held for {@code ids[0..n)} into {@code out}, as {@link #get(String, java.util.List)}
   * gives them. For a batch, every id is parsed first and every home slot read next, in a tight loop,
   * so their memory misses overlap instead of waiting one after another: a list of random ids of a
   * view far larger than the CPU's caches goes several times faster than one check at a time.
   */
  void getAll(String[] ids, int n, java.util.function.Function<String, java.util.List<String>> reasons, VerdictSummary[] out,
              long[] scratch) {
    long touch = 0;
    for (int k = 0; k < n; k++) {
      byte[] b = ContactKey.uuidCandidate(ids[k]);
      long hi = -1;
      long lo = -1;
      boolean uuid = false;
      if (ContactKey.hasUuidShape(b)) {
        long w1 = ContactKey.word1(b);
        long w2 = ContactKey.word2(b);
        long w3 = ContactKey.word3(b);
        long w4 = ContactKey.word4(b);
        uuid = (w1 | w2 | w3 | w4) >= 0;
        hi = (w1 << 32) | w2;
        lo = (w3 << 32) | w4;
      }
      scratch[k * 3] = uuid ? hi : 0;
      scratch[k * 3 + 1] = uuid ? lo : 0;
      scratch[k * 3 + 2] = uuid ? ContactKey.hash(hi, lo) : 0;
      out[k] = null;
      if (!uuid) {
        scratch[k * 3 + 2] = Long.MIN_VALUE; // marks a generic id: looked up the slow way below
      }
    }
    for (int k = 0; k < n; k++) {
      long hash = scratch[k * 3 + 2];
      if (hash != Long.MIN_VALUE) {
        long[] slots = segment(hash).slots;
        int i = (int) hash & (slots.length / STRIDE - 1);
        touch += slots[i * STRIDE] + slots[i * STRIDE + STRIDE - 1]; // both cache lines a slot may span
      }
    }
    touched = touch;
    for (int k = 0; k < n; k++) {
      long hash = scratch[k * 3 + 2];
      String id = ids[k];
      java.util.List<String> r = reasons == null ? null : reasons.apply(id);
      out[k] = hash == Long.MIN_VALUE ? get(new Key(id), r) : getUuid(id, scratch[k * 3], scratch[k * 3 + 1], r);
    }
  }

  /** Reads the home slots of {@code keys[0..n)} (nulls skipped) in one tight loop, so their memory misses overlap. */
  void touch(Key[] keys, int n) {
    long touch = 0;
    for (int k = 0; k < n; k++) {
      if (keys[k] != null) {
        long[] slots = segment(keys[k].hash).slots;
        int i = (int) keys[k].hash & (slots.length / STRIDE - 1);
        touch += slots[i * STRIDE] + slots[i * STRIDE + STRIDE - 1];
      }
    }
    touched = touch;
  }

  private VerdictSummary getUuid(String id, long hi, long lo, java.util.List<String> reasons) {
    long hash = ContactKey.hash(hi, lo);
    Segment s = segment(hash);
    long stamp = s.lock.tryOptimisticRead();
    if (stamp != 0) {
      try {
        long[] slots = s.slots;
        int i = findUuid(slots, hi, lo, hash);
        VerdictSummary v = i < 0 ? null : summary(s, slots, i, id, reasons);
        if (s.lock.validate(stamp)) {
          return v;
        }
      } catch (RuntimeException e) {
        if (s.lock.validate(stamp)) {
          throw e;
        }
      }
    }
    stamp = s.lock.readLock();
    try {
      long[] slots = s.slots;
      int i = findUuid(slots, hi, lo, hash);
      return i < 0 ? null : summary(s, slots, i, id, reasons);
    } finally {
      s.lock.unlockRead(stamp);
    }
  }

  private static int findUuid(long[] slots, long hi, long lo, long hash) {
    int mask = slots.length / STRIDE - 1;
    int i = (int) hash & mask;
    for (int probes = 0; probes <= mask; probes++) {
      int base = i * STRIDE;
      long meta = slots[base + META];
      if (meta == 0) {
        return -1;
      }
      if (slots[base + HI] == hi && slots[base + LO] == lo && (meta & GENERIC) == 0) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** The verdict held for {@code key}, or null; {@code reasons} are attached as given. */
  VerdictSummary get(Key key, java.util.List<String> reasons) {
    Segment s = segment(key.hash);
    long stamp = s.lock.tryOptimisticRead();
    if (stamp != 0) {
      try {
        VerdictSummary v = read(s, key, reasons);
        if (s.lock.validate(stamp)) {
          return v;
        }
      } catch (RuntimeException e) {
        if (s.lock.validate(stamp)) {
          throw e;
        }
        // a read of a segment being changed: read again under the lock
      }
    }
    stamp = s.lock.readLock();
    try {
      return read(s, key, reasons);
    } finally {
      s.lock.unlockRead(stamp);
    }
  }

  private static VerdictSummary read(Segment s, Key key, java.util.List<String> reasons) {
    long[] slots = s.slots;
    int i = find(s, slots, key);
    return i < 0 ? null : summary(s, slots, i, key.id, reasons);
  }

  private static VerdictSummary summary(Segment s, long[] slots, int i, String id, java.util.List<String> reasons) {
    int base = i * STRIDE;
    long meta = slots[base + META];
    long epoch;
    long version;
    if ((meta & WIDE) != 0) {
      int w = (int) (meta & (VERSION_LIMIT - 1)) * 2;
      long[] wide = s.wide;
      epoch = wide[w];
      version = wide[w + 1];
    } else {
      epoch = (meta >>> EPOCH_SHIFT) & (EPOCH_LIMIT - 1);
      version = meta & (VERSION_LIMIT - 1);
    }
    return new VerdictSummary(id, DECISIONS[(int) (meta >>> DECISION_SHIFT) & 3], STATUSES[(int) (meta >>> STATUS_SHIFT) & 15],
        (meta & ONE_TO_ONE) != 0, (meta & HAS_VALID_UNTIL) != 0, slots[base + VALID_UNTIL], slots[base + DECIDED_AT],
        epoch, version, reasons);
  }

  /**
   * Keeps the verdict unless the one held is ordered above it by (epoch, version); an equal one
   * replaces it (the later record wins, as compaction keeps it). Writer thread only.
   */
  PutResult put(Key key, Decision decision, ConsentStatus status, boolean oneToOne, Long validUntil, long decidedAt,
                long epoch, long version) {
    Segment s = segment(key.hash);
    int i = find(s, s.slots, key);
    if (i >= 0) {
      int base = i * STRIDE;
      long meta = s.slots[base + META];
      long heldEpoch;
      long heldVersion;
      if ((meta & WIDE) != 0) {
        int w = (int) (meta & (VERSION_LIMIT - 1)) * 2;
        heldEpoch = s.wide[w];
        heldVersion = s.wide[w + 1];
      } else {
        heldEpoch = (meta >>> EPOCH_SHIFT) & (EPOCH_LIMIT - 1);
        heldVersion = meta & (VERSION_LIMIT - 1);
      }
      if (heldEpoch > epoch || (heldEpoch == epoch && heldVersion > version)) {
        return PutResult.ORDERED_BELOW;
      }
      long stamp = s.lock.writeLock();
      try {
        write(s, i, key, decision, status, oneToOne, validUntil, decidedAt, epoch, version,
            (meta & WIDE) != 0 ? (int) (meta & (VERSION_LIMIT - 1)) : -1);
      } finally {
        s.lock.unlockWrite(stamp);
      }
      return PutResult.REPLACED;
    }
    long stamp = s.lock.writeLock();
    try {
      if ((s.size + 1) * 5L > s.capacity() * 4L) {
        grow(s);
        i = find(s, s.slots, key);
      }
      write(s, -1 - i, key, decision, status, oneToOne, validUntil, decidedAt, epoch, version, -1);
      s.size++;
    } finally {
      s.lock.unlockWrite(stamp);
    }
    size = size + 1; // one writer
    return PutResult.NEW;
  }

  private static void write(Segment s, int i, Key key, Decision decision, ConsentStatus status, boolean oneToOne,
                            Long validUntil, long decidedAt, long epoch, long version, int wideIndex) {
    long meta = OCCUPIED | ((long) decision.ordinal() << DECISION_SHIFT) | ((long) status.ordinal() << STATUS_SHIFT);
    if (oneToOne) {
      meta |= ONE_TO_ONE;
    }
    if (validUntil != null) {
      meta |= HAS_VALID_UNTIL;
    }
    if (epoch >= 0 && epoch < EPOCH_LIMIT && version >= 0 && version < VERSION_LIMIT) {
      meta |= (epoch << EPOCH_SHIFT) | version;
    } else {
      if (wideIndex < 0) {
        if (s.wide == null) {
          s.wide = new long[8];
        } else if (s.wideSize * 2 + 2 > s.wide.length) {
          s.wide = Arrays.copyOf(s.wide, s.wide.length * 2);
        }
        wideIndex = s.wideSize++;
      }
      s.wide[wideIndex * 2] = epoch;
      s.wide[wideIndex * 2 + 1] = version;
      meta |= WIDE | wideIndex;
    }
    int base = i * STRIDE;
    long[] slots = s.slots;
    if (key.uuid) {
      slots[base + HI] = key.hi;
      slots[base + LO] = key.lo;
      if (s.genericKeys != null) {
        s.genericKeys[i] = null;
      }
    } else {
      meta |= GENERIC;
      slots[base + HI] = 0;
      slots[base + LO] = key.lo;
      if (s.genericKeys == null) {
        s.genericKeys = new byte[s.capacity()][];
      }
      s.genericKeys[i] = key.bytes;
    }
    slots[base + VALID_UNTIL] = validUntil == null ? 0 : validUntil;
    slots[base + DECIDED_AT] = decidedAt;
    slots[base + META] = meta;
  }

  private static long storedHash(long[] slots, int base) {
    return (slots[base + META] & GENERIC) != 0 ? slots[base + LO] : ContactKey.hash(slots[base + HI], slots[base + LO]);
  }

  /** Doubles the segment; the caller holds its write lock. */
  private static void grow(Segment s) {
    long[] old = s.slots;
    byte[][] oldGeneric = s.genericKeys;
    int capacity = old.length / STRIDE * 2;
    long[] slots = new long[capacity * STRIDE];
    byte[][] generic = oldGeneric == null ? null : new byte[capacity][];
    int mask = capacity - 1;
    for (int j = 0; j < old.length / STRIDE; j++) {
      int from = j * STRIDE;
      if (old[from + META] == 0) {
        continue;
      }
      int i = (int) storedHash(old, from) & mask;
      while (slots[i * STRIDE + META] != 0) {
        i = (i + 1) & mask;
      }
      System.arraycopy(old, from, slots, i * STRIDE, STRIDE);
      if (generic != null) {
        generic[i] = oldGeneric[j];
      }
    }
    s.slots = slots;
    s.genericKeys = generic;
  }

  /** Removes {@code key}; true if it was held. Writer thread only. */
  boolean remove(Key key) {
    Segment s = segment(key.hash);
    int i = find(s, s.slots, key);
    if (i < 0) {
      return false;
    }
    long stamp = s.lock.writeLock();
    try {
      long[] slots = s.slots;
      byte[][] generic = s.genericKeys;
      int mask = s.capacity() - 1;
      int hole = i;
      int j = i;
      while (true) {
        j = (j + 1) & mask;
        int base = j * STRIDE;
        if (slots[base + META] == 0) {
          break;
        }
        int home = (int) storedHash(slots, base) & mask;
        // The entry at j may move back to the hole unless its home lies cyclically in (hole, j].
        boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
        if (!stays) {
          System.arraycopy(slots, base, slots, hole * STRIDE, STRIDE);
          if (generic != null) {
            generic[hole] = generic[j];
          }
          hole = j;
        }
      }
      Arrays.fill(slots, hole * STRIDE, hole * STRIDE + STRIDE, 0L);
      if (generic != null) {
        generic[hole] = null;
      }
      s.size--;
    } finally {
      s.lock.unlockWrite(stamp);
    }
    size = size - 1;
    return true;
  }

  /** Every contact id held, for tests and small views; not a snapshot of one instant. */
  java.util.List<String> ids() {
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (Segment s : segments) {
      long stamp = s.lock.readLock();
      try {
        for (int i = 0; i < s.capacity(); i++) {
          int base = i * STRIDE;
          long meta = s.slots[base + META];
          if (meta != 0) {
            ids.add((meta & GENERIC) != 0 ? new String(s.genericKeys[i], java.nio.charset.StandardCharsets.UTF_8)
                : ContactKey.uuidForm(s.slots[base + HI], s.slots[base + LO]));
          }
        }
      } finally {
        s.lock.unlockRead(stamp);
      }
    }
    return ids;
  }

  /** Heap bytes of the table's arrays (for the bench and the contacts gauge's neighbours). */
  long arrayBytes() {
    long bytes = 0;
    for (Segment s : segments) {
      bytes += 16 + (long) s.slots.length * 8;
      if (s.genericKeys != null) {
        bytes += 16 + (long) s.genericKeys.length * 4;
        for (byte[] k : s.genericKeys) {
          bytes += k == null ? 0 : 16 + k.length;
        }
      }
      if (s.wide != null) {
        bytes += 16 + (long) s.wide.length * 8;
      }
    }
    return bytes;
  }
}
