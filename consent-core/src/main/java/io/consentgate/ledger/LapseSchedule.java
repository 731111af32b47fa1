package io.consentgate.ledger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/**
 * Contacts ordered by when their published implicit consent lapses. Keys are the lapse time as a
 * sign-flipped big-endian long followed by the contact id's UTF-8 bytes, so unsigned byte order
 * is time order (ties by contact id) and a lapse check reads only the entries that are due. The
 * live gate keeps the keys in a Kafka Streams store, the offline replay in a sorted set: one
 * schedule, so both lapse the same contacts in the same order.
 *
 * <p>Only contacts the schedule's owner owns are lapsed. A gate that ran before records were
 * re-routed to their owner may hold a contact in another task too; that copy's verdicts would
 * compete with the owner's, so its entry is dropped when due and nothing is published for it.
 */
public final class LapseSchedule {

  /** Where the keys are kept: any set ordered by unsigned byte order. */
  public interface SortedKeys {
    void add(byte[] key);

    void remove(byte[] key);

    /** Calls {@code action} for every key that sorts strictly below {@code bound}, in order. */
    void forEachBelow(byte[] bound, Consumer<byte[]> action);
  }

  private final SortedKeys keys;
  private final Predicate<String> owned;
  private final IntConsumer droppedNotOwned;

  /** A schedule that owns every contact (the offline replay). */
  public LapseSchedule(SortedKeys keys) {
    this(keys, contactId -> true, dropped -> { });
  }

  /**
   * @param owned whether a contact belongs to this schedule's owner
   * @param droppedNotOwned told how many due entries of other owners' contacts were dropped
   */
  public LapseSchedule(SortedKeys keys, Predicate<String> owned, IntConsumer droppedNotOwned) {
    this.keys = keys;
    this.owned = owned;
    this.droppedNotOwned = droppedNotOwned;
  }

  void add(Instant lapsesAt, String contactId) {
    keys.add(key(lapsesAt.toEpochMilli(), contactId));
  }

  void remove(Instant lapsesAt, String contactId) {
    keys.remove(key(lapsesAt.toEpochMilli(), contactId));
  }

  /** Contacts whose consent lapses at or before {@code now}, earliest first (ties by contact id). */
  List<String> dueAt(Instant now) {
    List<String> due = new ArrayList<>();
    List<byte[]> notOwned = new ArrayList<>(0);
    // The bound is the bare prefix of the next millisecond: every key of a time <= now sorts below
    // it, and no key equals it because a contact id is never empty.
    keys.forEachBelow(prefix(now.toEpochMilli() + 1), key -> {
      String contactId = contactIdOf(key);
      if (owned.test(contactId)) {
        due.add(contactId);
      } else {
        notOwned.add(key);
      }
    });
    notOwned.forEach(keys::remove);
    if (!notOwned.isEmpty()) {
      droppedNotOwned.accept(notOwned.size());
    }
    return due;
  }

  /** The contact id a schedule key holds. */
  public static String contactIdOf(byte[] key) {
    return new String(key, Long.BYTES, key.length - Long.BYTES, StandardCharsets.UTF_8);
  }

  static byte[] prefix(long millis) {
    byte[] prefix = new byte[Long.BYTES];
    writeTime(prefix, millis);
    return prefix;
  }

  static byte[] key(long millis, String contactId) {
    byte[] id = contactId.getBytes(StandardCharsets.UTF_8);
    byte[] key = new byte[Long.BYTES + id.length];
    writeTime(key, millis);
    System.arraycopy(id, 0, key, Long.BYTES, id.length);
    return key;
  }

  /**
   * The sign-flipped time, big-endian, at the start of {@code key}. Written byte by byte: through a
   * heap ByteBuffer this took an eighth of a replay's deciding thread (JFR).
   */
  private static void writeTime(byte[] key, long millis) {
    long flipped = millis ^ Long.MIN_VALUE;
    for (int i = 0; i < Long.BYTES; i++) {
      key[i] = (byte) (flipped >>> (56 - 8 * i));
    }
  }
}
