package io.consentgate.audit;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.Proof;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;

/**
 * The bitemporal audit of one contact at one instant T ({@code explain}): side by side,
 * <ol>
 *   <li><b>what the gate said</b> at T: its latest verdict for the contact appended to the audit
 *       topic by T;</li>
 *   <li><b>what the records appended by T decide</b> as of T: only the records whose append time
 *       is at or before T, what the gate could have known then;</li>
 *   <li><b>what held at T</b> in the light of everything known now: every record whose event time
 *       is at or before T, however late it arrived.</li>
 * </ol>
 * and the contact's timeline: every record, with its event time and append time, and what became
 * of it in views 2 and 3 (it decided, counted, was ignored and why, was superseded, was not yet
 * there). The decisions are the policy's own, over the same state the gate keeps; nothing here
 * guesses: a view that the history cannot answer says so.
 */
public final class Explanation {

  /** One record of the contact, as read from a file or a topic. */
  public record Entry(String where, SpecificRecord record, ConsentEvent event, String refusal, Instant appendedAt) {
    public Entry {
      Objects.requireNonNull(record, "record");
    }

    /** The record's own time: createdAt or occurredAt (null when it has none, a record the gate refuses). */
    public Instant eventTime() {
      if (record instanceof ContactCreated c) {
        return c.getCreatedAt();
      }
      return ((ConsentEvidence) record).getOccurredAt();
    }

    boolean isContact() {
      return record instanceof ContactCreated;
    }
  }

  /** What became of a record in one view. */
  public enum RoleKind {
    /** Among the evidence the verdict rests on ({@code evidenceIds}), or the contact record when the address or source decided. */
    DECIDES,
    /** Part of the state the decision looked at, without deciding it. */
    COUNTED,
    /** Set aside, for the reason {@code code} in the verdict's reasons ({@code CODE:evidenceId}). */
    IGNORED,
    /** Replaced by a later record of the same kind, brand and proof (the gate keeps the latest). */
    SUPERSEDED,
    /** The same record again; it changes nothing. */
    DUPLICATE,
    /** Kept, waiting for the contact record, which this view does not have. */
    KEPT,
    /** Not looked at: the rule that decided looks only at the address. */
    NOT_CONSIDERED,
    /** The gate refuses the record (it dead-letters it). */
    REFUSED,
    /** Appended after T: not known at T. */
    NOT_YET_APPENDED,
    /** Happened after T. */
    AFTER_T
  }

  /**
   * What became of a record in one view; {@code code}: the reason code for {@link RoleKind#IGNORED},
   * the record that replaced it for {@link RoleKind#SUPERSEDED}.
   */
  public record Role(RoleKind kind, String code, String detail) {
    String label() {
      return switch (kind) {
        case IGNORED -> "ignored: " + code;
        case SUPERSEDED -> "superseded by " + code;
        case DUPLICATE -> "duplicate of " + detail;
        default -> kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      };
    }
  }

  /**
   * One of the two views decided here. {@code answered} false: the history cannot answer it
   * ({@code note} says why). {@code verdict} null: no contact record yet.
   */
  public record View(String question, boolean answered, String note, Instant asOf, int records, Verdict verdict,
                     Rules.Rule rule, List<Role> roles) {}

  /** A verdict the gate wrote to the audit topic. */
  public record Utterance(ConsentVerdict verdict, Instant appendedAt, String writer, String where) {}

  /**
   * What the gate said: its verdicts for the contact in the audit topic, in the order written; or
   * why that is not known ({@code answered} false).
   */
  public record Said(boolean answered, String note, String topic, List<Utterance> trail) {
    public static Said unknown(String note) {
      return new Said(false, note, null, List.of());
    }

    /** The latest verdict appended at or before {@code at}, if any. */
    Optional<Utterance> at(Instant at) {
      Utterance latest = null;
      for (Utterance u : trail) {
        if (u.appendedAt() != null && !u.appendedAt().isAfter(at)) {
          latest = u;
        }
      }
      return Optional.ofNullable(latest);
    }
  }

  public static final String SAID = "what the gate said at T";
  public static final String KNOWN = "what the records appended by T decide as of T";
  public static final String HELD = "what held at T in the light of everything known now";

  private final String contactId;
  private final Instant at;
  private final String source;
  private final Said said;
  private final List<Entry> timeline;
  private final View known;
  private final View held;

  private Explanation(String contactId, Instant at, String source, Said said, List<Entry> timeline, View known, View held) {
    this.contactId = contactId;
    this.at = at;
    this.source = source;
    this.said = said;
    this.timeline = timeline;
    this.known = known;
    this.held = held;
  }

  /**
   * @param entries every record of the contact known now (its key, or its contactId, is the contact's)
   * @param source what was read, for the reader of the explanation
   */
  public static Explanation explain(String contactId, Instant at, List<Entry> entries, ConsentPolicy policy, Said said,
                                    String source) {
    List<Entry> timeline = new ArrayList<>(entries);
    timeline.sort(Comparator.comparing(Entry::eventTime, Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(Entry::appendedAt, Comparator.nullsLast(Comparator.naturalOrder())));
    long withoutAppendTime = timeline.stream().filter(e -> e.appendedAt() == null).count();
    View known;
    if (withoutAppendTime > 0) {
      known = new View(KNOWN, false, withoutAppendTime + " of the contact's " + timeline.size() + " records carry no "
          + "append time (appendedAt), so this history cannot tell what was known at T; export the history from the "
          + "topics (export), or ask them directly (--from-kafka)", null, 0, null, null, List.of());
    } else {
      known = view(KNOWN, timeline, e -> !e.appendedAt().isAfter(at), RoleKind.NOT_YET_APPENDED, at, policy);
    }
    View held = view(HELD, timeline, e -> e.eventTime() != null && !e.eventTime().isAfter(at), RoleKind.AFTER_T, at, policy);
    return new Explanation(contactId, at, source, said, List.copyOf(timeline), known, held);
  }

  private static View view(String question, List<Entry> timeline, Predicate<Entry> inView, RoleKind outside, Instant at,
                           ConsentPolicy policy) {
    ConsentState state = ConsentState.EMPTY;
    int records = 0;
    for (Entry e : timeline) {
      if (inView.test(e)) {
        records++;
        if (e.event() != null) {
          state = state.with(e.event());
        }
      }
    }
    Verdict verdict = null;
    Instant asOf = at;
    String note = null;
    if (state.contact().isPresent()) {
      Instant latest = state.latestEventTime().orElse(at);
      if (latest.isAfter(at)) {
        asOf = latest; // the policy decides only forward; a record appended by T may carry a later event time
        note = "decided as of " + asOf + ", the latest event time among these records, which is after T";
      }
      verdict = policy.decide(state, asOf);
    } else {
      note = records == 0 ? "no contact yet: none of the contact's records " + (outside == RoleKind.NOT_YET_APPENDED
          ? "had been appended by T" : "had happened by T")
          : "no contact yet: its contact record " + (outside == RoleKind.NOT_YET_APPENDED ? "had not been appended by T"
          : "had not happened by T") + "; the evidence is kept and counts once it is there";
    }
    Rules.Rule rule = verdict == null ? null : Rules.of(verdict.status(), state.contact().get().source().name());
    List<Role> roles = new ArrayList<>(timeline.size());
    Map<ConsentEvent, String> firstSeen = new HashMap<>();
    for (Entry e : timeline) {
      roles.add(inView.test(e) ? role(e, state, verdict, firstSeen, timeline)
          : new Role(outside, null, outside == RoleKind.NOT_YET_APPENDED ? "appended at " + e.appendedAt()
              : e.eventTime() == null ? "no event time" : "happened at " + e.eventTime()));
    }
    return new View(question, true, note, asOf, records, verdict, rule, List.copyOf(roles));
  }

  private static Role role(Entry e, ConsentState state, Verdict verdict, Map<ConsentEvent, String> firstSeen, List<Entry> timeline) {
    if (e.event() == null) {
      return new Role(RoleKind.REFUSED, null, e.refusal());
    }
    String earlier = firstSeen.putIfAbsent(e.event(), e.where());
    if (e.event() instanceof Contact c) {
      Contact kept = state.contact().orElseThrow();
      if (!kept.equals(c)) {
        return new Role(RoleKind.SUPERSEDED, "contact@" + kept.createdAt(),
            "a later contact record for the same id (created " + kept.createdAt() + ") replaced it");
      }
      if (earlier != null) {
        return new Role(RoleKind.DUPLICATE, null, earlier);
      }
      boolean addressOrSource = verdict.status() == ConsentStatus.INVALID_ADDRESS
          || verdict.status() == ConsentStatus.ROLE_BASED_ADDRESS || Rules.of(verdict.status(), null).number() == 8;
      return new Role(addressOrSource ? RoleKind.DECIDES : RoleKind.COUNTED, null, null);
    }
    Evidence evidence = (Evidence) e.event();
    Evidence kept = state.evidence().stream().filter(k -> k.brandId().equals(evidence.brandId())
        && k.kind() == evidence.kind() && k.isVerifiable() == evidence.isVerifiable()).findFirst().orElseThrow();
    if (!kept.equals(evidence)) {
      return new Role(RoleKind.SUPERSEDED, kept.evidenceId(), "a later record of the same kind, brand and proof ("
          + kept.evidenceId() + ", " + kept.occurredAt() + ") replaced it: the gate keeps the latest");
    }
    if (earlier != null) {
      return new Role(RoleKind.DUPLICATE, null, earlier);
    }
    if (verdict == null) {
      return new Role(RoleKind.KEPT, null, null);
    }
    if (verdict.status() == ConsentStatus.INVALID_ADDRESS || verdict.status() == ConsentStatus.ROLE_BASED_ADDRESS) {
      return new Role(RoleKind.NOT_CONSIDERED, null, null);
    }
    String suffix = ":" + evidence.evidenceId();
    for (String reason : verdict.reasons()) {
      if (reason.endsWith(suffix) && reason.length() > suffix.length()) {
        String code = reason.substring(0, reason.length() - suffix.length());
        return new Role(RoleKind.IGNORED, code, Rules.meaning(code));
      }
    }
    return new Role(verdict.evidenceIds().contains(evidence.evidenceId()) ? RoleKind.DECIDES : RoleKind.COUNTED, null, null);
  }

  public String contactId() {
    return contactId;
  }

  public Instant at() {
    return at;
  }

  public String source() {
    return source;
  }

  public Said said() {
    return said;
  }

  /** The gate's verdict in force at T, if it is known and there was one. */
  public Optional<Utterance> saidAtT() {
    return said.answered() ? said.at(at) : Optional.empty();
  }

  public List<Entry> timeline() {
    return timeline;
  }

  public View knownByT() {
    return known;
  }

  public View heldAtT() {
    return held;
  }

  /** How a record reads in a timeline: {@code ev-1 CHECKBOX_OPT_IN acme, proof form-1} or {@code contact acme ann@… OWN_CHANNEL}. */
  static String describe(Entry e) {
    if (e.record() instanceof ContactCreated c) {
      return "contact " + c.getBrandId() + " " + c.getEmail() + " " + c.getSource();
    }
    ConsentEvidence ev = (ConsentEvidence) e.record();
    Proof p = ev.getProof();
    return ev.getEvidenceId() + " " + ev.getKind() + " " + ev.getBrandId() + ", "
        + (p == null || p.getReference() == null || p.getReference().isBlank() ? "no proof" : "proof " + p.getReference());
  }
}
