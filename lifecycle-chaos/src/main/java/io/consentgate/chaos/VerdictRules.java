package io.consentgate.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checker's three rules over the verdict topic as read {@code read_committed}, fed in offset
 * order per partition (a contact's verdicts are all in one partition, so in the order a reader
 * sees them):
 *
 * <ol>
 *   <li><b>Lost</b>: a contact's latest verdict, the highest (epoch, version), does not give the
 *       decision and status (and, for ALLOW, {@code validUntil}) that an offline replay of the
 *       whole input gives as of the check's moment T. An ALLOW whose {@code validUntil} is at or
 *       before T counts as DENY/EXPIRED, as senders must treat it (docs/senders.md, rule 4): the gate
 *       publishes a lapse only at its next lapse check. A contact with no verdict at all, or
 *       one the replay does not know, is lost too.</li>
 *   <li><b>Withdrawn but allowed</b>: an ALLOW verdict that comes after a verdict of the same
 *       contact showed a withdrawal (status WITHDRAWN, naming that withdrawal), unless an
 *       explicit grant of the contact's brand made after that withdrawal (event time) had been
 *       appended to the input before the ALLOW was appended to the verdict topic. Once a gate
 *       has shown a withdrawal it has read it, so nothing but such a grant can make it allow
 *       again; an ALLOW that comes later was written by a gate that had not read it (a second
 *       writer, a state that lost it), which is what a sender keeping the last record obeys.
 *       <p>The rule does not start at the withdrawal's acknowledgement: the gate decides
 *       asynchronously, so an ALLOW from an earlier grant may be appended after a withdrawal was
 *       acknowledged and before the gate read it. Those are counted as {@code stale-allows}, for
 *       information; a withdrawal that never shows is a lost one (rule 1).</li>
 *   <li><b>Suppressed but allowed</b> (rule 2 for suppression by address): an ALLOW of a contact
 *       whose address another contact's withdrawal or verified hard bounce had suppressed, with no
 *       explicit grant of its own made after that suppression and appended before the ALLOW. Only
 *       where the gate must have read the suppression first: (a) a verdict of the same contact had
 *       already shown it (status SUPPRESSED, naming it), or (b) a verdict of the suppressing
 *       contact had shown it (WITHDRAWN or UNDELIVERABLE, naming it: its notice to the address's
 *       index was committed in that transaction) before the suppressed contact's record was first
 *       appended to the input, so its registration reached the index after the notice. An ALLOW
 *       of a contact registered earlier, written before the suppression reached it, is a stale
 *       allow, as for withdrawals.</li>
 *   <li><b>Duplicated</b>: two verdicts of one contact with the same (epoch, version) and a
 *       different record (bytes of the value, or the writing application id). Identical ones are
 *       counted as {@code repeated}, for information.</li>
 * </ol>
 */
final class VerdictRules {

  /** A verdict as read, with where and when the broker appended it. */
  record Observed(String contactId, long epoch, long version, boolean allow, String status, Long validUntil,
                  List<String> evidenceIds, String writer, long appendedAt, int partition, long offset, long contentHash) {
    String describe() {
      return "epoch " + epoch + " v" + version + " " + (allow ? "ALLOW" : "DENY") + "/" + status
          + (validUntil == null ? "" : " until " + java.time.Instant.ofEpochMilli(validUntil)) + " by " + writer
          + " at partition " + partition + " offset " + offset;
    }
  }

  /** A final outcome, as the replay gives it. */
  record Outcome(boolean allow, String status, Long validUntil) {
    boolean sameAs(Outcome o) {
      return allow == o.allow && status.equals(o.status) && (!allow || Objects.equals(validUntil, o.validUntil));
    }

    @Override
    public String toString() {
      return (allow ? "ALLOW" : "DENY") + "/" + status + (validUntil == null ? "" : " until " + java.time.Instant.ofEpochMilli(validUntil));
    }
  }

  /** What the rules found. */
  record Findings(long records, long verdicts, long contacts, long lost, long lostWithdrawals, long duplicated, long withdrawnButAllowed,
                  long staleAllows, long repeated, List<String> examples, long suppressedButAllowed, long suppressed,
                  long lostSuppressions, long sharingAddresses) {}

  private static final int EXAMPLES = 8;

  private static final class Contact {
    Observed latest;
    long shownWithdrawal = Long.MIN_VALUE;
    long shownSuppression = Long.MIN_VALUE;
    /** ALLOWs of a contact that shares its address, kept for rule 4 (b), which needs every partition read. */
    List<Observed> allows;
    Map<Long, Long> hashByEpochVersion = new HashMap<>(4);
    Set<Long> flagged;
  }

  private final InputFacts facts;
  private final Map<String, Contact> contacts = new HashMap<>();
  private final List<String> lostExamples = new ArrayList<>();
  private final List<String> allowedExamples = new ArrayList<>();
  private final List<String> duplicateExamples = new ArrayList<>();
  private final List<String> suppressedExamples = new ArrayList<>();
  /** When a verdict of its own contact first showed a suppressing withdrawal or bounce, by evidence id. */
  private final Map<String, Long> noticeCommittedAt = new HashMap<>();
  private long suppressedButAllowed;
  private long verdicts;
  private long duplicated;
  private long withdrawnButAllowed;
  private long staleAllows;
  private long repeated;

  VerdictRules(InputFacts facts) {
    this.facts = facts;
  }

  void accept(Observed v) {
    verdicts++;
    Contact c = contacts.computeIfAbsent(v.contactId(), k -> new Contact());
    if (c.latest == null || v.epoch() > c.latest.epoch()
        || (v.epoch() == c.latest.epoch() && v.version() >= c.latest.version())) {
      c.latest = v;
    }
    long key = v.epoch() * 1_000_000_000L + v.version();
    Long before = c.hashByEpochVersion.putIfAbsent(key, v.contentHash());
    if (before != null) {
      if (before != v.contentHash()) {
        if (c.flagged == null) {
          c.flagged = new HashSet<>();
        }
        if (c.flagged.add(key)) {
          duplicated++;
          example(duplicateExamples, v.contactId() + ": two different verdicts in epoch " + v.epoch() + " version "
              + v.version() + ", the second " + v.describe());
        }
      } else {
        repeated++;
      }
    }
    if ("WITHDRAWN".equals(v.status())) {
      for (String id : v.evidenceIds()) {
        InputFacts.Fact w = facts.withdrawal(v.contactId(), id);
        if (w != null) {
          c.shownWithdrawal = Math.max(c.shownWithdrawal, w.occurredAt());
        }
      }
    }
    if ("WITHDRAWN".equals(v.status()) || "UNDELIVERABLE".equals(v.status())) {
      for (String id : v.evidenceIds()) {
        InputFacts.Fact f = "WITHDRAWN".equals(v.status()) ? facts.withdrawal(v.contactId(), id) : facts.bounce(v.contactId(), id);
        if (f != null) {
          noticeCommittedAt.merge(id, v.appendedAt(), Math::min);
        }
      }
    }
    if ("SUPPRESSED".equals(v.status())) {
      for (String id : v.evidenceIds()) {
        InputFacts.Fact s = facts.suppressionOf(v.contactId(), id);
        if (s != null) {
          c.shownSuppression = Math.max(c.shownSuppression, s.occurredAt());
        }
      }
    }
    if (v.allow() && c.shownSuppression != Long.MIN_VALUE
        && !facts.restoredBy(v.contactId(), c.shownSuppression, v.appendedAt())) {
      suppressedButAllowed++;
      example(suppressedExamples, v.contactId() + ": " + v.describe() + " after a verdict showed its address suppressed as of "
          + java.time.Instant.ofEpochMilli(c.shownSuppression) + ", with no explicit grant after it");
    } else if (v.allow() && facts.sharesAddress(v.contactId())) {
      if (c.allows == null) {
        c.allows = new ArrayList<>(2);
      }
      c.allows.add(v);
    }
    if (v.allow()) {
      if (c.shownWithdrawal != Long.MIN_VALUE && !facts.restoredBy(v.contactId(), c.shownWithdrawal, v.appendedAt())) {
        withdrawnButAllowed++;
        example(allowedExamples, v.contactId() + ": " + v.describe() + " after a verdict showed its withdrawal of "
            + java.time.Instant.ofEpochMilli(c.shownWithdrawal) + ", with no explicit grant after it");
      } else {
        for (InputFacts.Fact w : facts.withdrawals(v.contactId())) {
          if (w.appendedAt() < v.appendedAt() && !facts.restoredBy(v.contactId(), w.occurredAt(), v.appendedAt())) {
            staleAllows++;
            break;
          }
        }
      }
    }
  }

  /**
   * @param replayed each contact's final outcome in the offline replay
   * @param until the moment the replay decided as of (epoch millis)
   */
  Findings finish(Map<String, Outcome> replayed, long until) {
    for (var e : contacts.entrySet()) {
      if (e.getValue().allows != null) {
        committedSuppressionThenAllowed(e.getKey(), e.getValue().allows);
      }
    }
    long lost = 0;
    long lostWithdrawals = 0;
    long lostSuppressions = 0;
    long suppressed = 0;
    Set<String> all = new TreeSet<>(replayed.keySet());
    all.addAll(contacts.keySet());
    for (String contactId : all) {
      Outcome expected = withSuppression(contactId, replayed.get(contactId));
      if (expected != null && expected.status().equals("SUPPRESSED")) {
        suppressed++;
      }
      Contact c = contacts.get(contactId);
      Outcome live = c == null ? null : asSenderReadsIt(c.latest, until);
      if (expected != null && live != null && live.sameAs(expected)) {
        continue;
      }
      lost++;
      if (expected != null && expected.status().equals("WITHDRAWN") && live != null && live.allow()) {
        lostWithdrawals++;
      }
      if (expected != null && expected.status().equals("SUPPRESSED") && live != null && live.allow()) {
        lostSuppressions++;
      }
      example(lostExamples, contactId + ": latest verdict " + (c == null ? "none" : c.latest.describe())
          + (live != null && c.latest.allow() && !live.allow() ? " (lapsed by now)" : "") + "; the replay gives "
          + (expected == null ? "no verdict" : expected.toString()));
    }
    List<String> examples = new ArrayList<>();
    lostExamples.forEach(e -> examples.add("lost: " + e));
    allowedExamples.forEach(e -> examples.add("withdrawn-but-allowed: " + e));
    suppressedExamples.forEach(e -> examples.add("suppressed-but-allowed: " + e));
    duplicateExamples.forEach(e -> examples.add("duplicated: " + e));
    return new Findings(facts.records(), verdicts, all.size(), lost, lostWithdrawals, duplicated, withdrawnButAllowed, staleAllows, repeated,
        examples, suppressedButAllowed, suppressed, lostSuppressions, facts.contactsSharingAddresses());
  }

  /**
   * The replay's outcome with suppression by address (docs/policy.md, rule 5) applied on top, for a
   * replay that decides each contact alone: rules 1 to 4 (an invalid or role address, the
   * contact's own bounce or withdrawal) come first; otherwise the latest withdrawal or verified
   * bounce of another contact of its brand with its normalised address denies, unless an explicit
   * grant of its own that counts was made after it. A replay that already applies the rule gives
   * the same.
   */
  Outcome withSuppression(String contactId, Outcome replayed) {
    if (replayed == null || BEFORE_SUPPRESSION.contains(replayed.status())) {
      return replayed;
    }
    InputFacts.Fact latest = facts.latestSuppressionOf(contactId);
    if (latest == null || facts.explicitGrantCountsAfter(contactId, latest.occurredAt())) {
      return replayed;
    }
    return new Outcome(false, "SUPPRESSED", null);
  }

  private static final Set<String> BEFORE_SUPPRESSION = Set.of("INVALID_ADDRESS", "ROLE_BASED_ADDRESS", "UNDELIVERABLE",
      "WITHDRAWN");

  /** Rule 4 (b): an ALLOW of a contact first recorded after another's suppression of its address was committed. */
  private void committedSuppressionThenAllowed(String contactId, List<Observed> allows) {
    long registered = facts.firstRecordAppendedAt(contactId);
    List<InputFacts.Fact> committedBefore = new ArrayList<>();
    for (InputFacts.Fact s : facts.suppressionsOf(contactId)) {
      Long committed = noticeCommittedAt.get(s.evidenceId());
      if (committed != null && committed < registered) {
        committedBefore.add(s);
      }
    }
    for (Observed v : allows) {
      for (InputFacts.Fact s : committedBefore) {
        if (!facts.restoredBy(contactId, s.occurredAt(), v.appendedAt())) {
          suppressedButAllowed++;
          example(suppressedExamples, contactId + ": " + v.describe() + ", recorded after " + s.contactId() + "'s "
              + s.evidenceId() + " had been shown (committed), with no explicit grant after it");
          break;
        }
      }
    }
  }

  /** An ALLOW whose validUntil has passed by {@code until} is a DENY to a sender (docs/senders.md, rule 4). */
  static Outcome asSenderReadsIt(Observed v, long until) {
    if (v.allow() && v.validUntil() != null && v.validUntil() <= until) {
      return new Outcome(false, "EXPIRED", null);
    }
    return new Outcome(v.allow(), v.status(), v.validUntil());
  }

  private static void example(List<String> list, String what) {
    if (list.size() < EXAMPLES) {
      list.add(what);
    }
  }
}
