package io.consentgate.audit;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.Proof;
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.ReasonCode;
import io.consentgate.policy.Suppression;
import io.consentgate.policy.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
 *
 * <p>That state includes what other contacts recorded (docs/policy.md, "Suppression by address"):
 * the withdrawals, complaints and hard bounces of every other contact with a contact record for the
 * same brand and address (as normalised) as this contact's, each in a view when it and that contact
 * record are, as the suppressions the gate's address index delivers. They are listed apart
 * ({@link #elsewhere()}), each with what became of it in each view, and a view decided by one of
 * them names it ({@link View#suppressedBy()}).
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
    /** Not looked at: the rule that decided looks only at the address (or, elsewhere, why it does not bear on this contact). */
    NOT_CONSIDERED,
    /** Another contact's suppression lifted by an explicit grant of this contact after it ({@code code}: the grant). */
    LIFTED,
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
        case LIFTED -> "lifted by " + code;
        case DUPLICATE -> "duplicate of " + detail;
        default -> kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      };
    }
  }

  /**
   * One of the two views decided here. {@code answered} false: the history cannot answer it
   * ({@code note} says why). {@code verdict} null: no contact record yet.
   *
   * @param roles what became of each record of {@link #timeline()}, in its order
   * @param elsewhereRoles what became of each of {@link #elsewhere()}, in its order
   * @param suppressedBy the other contact's record that suppressed this one (rule 5); null unless SUPPRESSED
   */
  public record View(String question, boolean answered, String note, Instant asOf, int records, Verdict verdict,
                     Rules.Rule rule, List<Role> roles, List<Role> elsewhereRoles, Elsewhere suppressedBy) {}

  /**
   * A withdrawal, complaint or hard bounce of another contact that has a contact record for the
   * brand and address (as normalised) of one of this contact's records: it may suppress this one.
   *
   * @param contactId the other contact
   * @param email the address of that contact's (latest) record with this contact's address, as written there
   * @param entry the record itself
   */
  public record Elsewhere(String contactId, String email, Entry entry) {
    Evidence evidence() {
      return (Evidence) entry.event();
    }

    /** How the verdict's reasons name it: {@code contactId/evidenceId}. */
    String reference() {
      return contactId + "/" + evidence().evidenceId();
    }
  }

  /** Which records a view holds, by their event time and append time. */
  private interface Window {
    boolean holds(Instant eventTime, Instant appendedAt);

    default boolean holds(Entry e) {
      return holds(e.eventTime(), e.appendedAt());
    }
  }

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
  private final List<Elsewhere> elsewhere;
  private final View known;
  private final View held;

  private Explanation(String contactId, Instant at, String source, Said said, List<Entry> timeline,
                      List<Elsewhere> elsewhere, View known, View held) {
    this.contactId = contactId;
    this.at = at;
    this.source = source;
    this.said = said;
    this.timeline = timeline;
    this.elsewhere = elsewhere;
    this.known = known;
    this.held = held;
  }

  /**
   * An explanation from the contact's own records only, as if no other contact shared its address.
   *
   * @param entries every record of the contact known now (its key, or its contactId, is the contact's)
   * @param source what was read, for the reader of the explanation
   */
  public static Explanation explain(String contactId, Instant at, List<Entry> entries, ConsentPolicy policy, Said said,
                                    String source) {
    return explain(contactId, at, entries, new OtherContacts(contactId), policy, said, source);
  }

  /**
   * @param entries every record of the contact known now (its key, or its contactId, is the contact's)
   * @param others what the other contacts of the history recorded that bears on suppression by address
   * @param source what was read, for the reader of the explanation
   */
  public static Explanation explain(String contactId, Instant at, List<Entry> entries, OtherContacts others,
                                    ConsentPolicy policy, Said said, String source) {
    List<Entry> timeline = new ArrayList<>(entries);
    timeline.sort(Comparator.comparing(Entry::eventTime, Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(Entry::appendedAt, Comparator.nullsLast(Comparator.naturalOrder())));
    Map<String, List<OtherContacts.Link>> links = linkedContacts(timeline, others);
    List<Elsewhere> elsewhere = elsewhere(links, others);
    long withoutAppendTime = timeline.stream().filter(e -> e.appendedAt() == null).count();
    long othersWithoutAppendTime = elsewhere.stream().filter(x -> x.entry().appendedAt() == null).count()
        + links.values().stream().flatMap(List::stream).filter(l -> l.appendedAt() == null).count();
    View known;
    if (withoutAppendTime + othersWithoutAppendTime > 0) {
      known = new View(KNOWN, false, (withoutAppendTime > 0 ? withoutAppendTime + " of the contact's " + timeline.size()
          + " records carry" : othersWithoutAppendTime + " records of other contacts with its address carry")
          + " no append time (appendedAt), so this history cannot tell what was known at T; export the history from the "
          + "topics (export), or ask them directly (--from-kafka)", null, 0, null, null, List.of(), List.of(), null);
    } else {
      known = view(KNOWN, contactId, timeline, elsewhere, links, (event, appended) -> !appended.isAfter(at),
          RoleKind.NOT_YET_APPENDED, at, policy);
    }
    View held = view(HELD, contactId, timeline, elsewhere, links, (event, appended) -> event != null && !event.isAfter(at),
        RoleKind.AFTER_T, at, policy);
    return new Explanation(contactId, at, source, said, List.copyOf(timeline), List.copyOf(elsewhere), known, held);
  }

  /** The other contacts with a record for the brand and address of one of this contact's records, by id: those records. */
  private static Map<String, List<OtherContacts.Link>> linkedContacts(List<Entry> timeline, OtherContacts others) {
    Set<AddressKey> keys = new TreeSet<>();
    for (Entry e : timeline) {
      if (e.event() instanceof Contact c) {
        AddressKey.of(c).ifPresent(keys::add);
      }
    }
    Map<String, List<OtherContacts.Link>> links = new TreeMap<>();
    for (AddressKey key : keys) {
      for (OtherContacts.Link link : others.linked(key)) {
        links.computeIfAbsent(link.contactId(), k -> new ArrayList<>()).add(link);
      }
    }
    return links;
  }

  /** Their withdrawals, complaints and hard bounces, each once, by event time. */
  private static List<Elsewhere> elsewhere(Map<String, List<OtherContacts.Link>> links, OtherContacts others) {
    List<Elsewhere> lines = new ArrayList<>();
    links.forEach((other, records) -> {
      OtherContacts.Link latest = records.stream().max(Comparator.comparing(OtherContacts.Link::eventTime)).orElseThrow();
      Set<ConsentEvent> seen = new java.util.HashSet<>();
      for (Entry e : others.suppressing(other)) {
        if (seen.add(e.event())) {
          lines.add(new Elsewhere(other, latest.email(), e));
        }
      }
    });
    lines.sort(Comparator.comparing((Elsewhere x) -> x.entry().eventTime())
        .thenComparing(x -> x.entry().appendedAt(), Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(Elsewhere::reference));
    return lines;
  }

  private static View view(String question, String contactId, List<Entry> timeline, List<Elsewhere> elsewhere,
                           Map<String, List<OtherContacts.Link>> links, Window window, RoleKind outside, Instant at,
                           ConsentPolicy policy) {
    ConsentState state = ConsentState.EMPTY;
    int records = 0;
    for (Entry e : timeline) {
      if (window.holds(e)) {
        records++;
        if (e.event() != null) {
          state = state.with(e.event());
        }
      }
    }
    // Suppression by address: what the address's index would have delivered to this contact, in this view.
    Contact contact = state.contact().orElse(null);
    AddressKey key = contact == null ? null : AddressKey.of(contact).orElse(null);
    Role[] elsewhereRoles = new Role[elsewhere.size()];
    Suppression[] folded = new Suppression[elsewhere.size()];
    for (int i = 0; i < elsewhere.size(); i++) {
      Elsewhere x = elsewhere.get(i);
      Evidence ev = x.evidence();
      if (!window.holds(x.entry())) {
        elsewhereRoles[i] = outsideRole(x.entry(), outside);
      } else if (contact == null) {
        elsewhereRoles[i] = new Role(RoleKind.NOT_CONSIDERED, null, "no contact record of " + contactId + " in this view");
      } else if (key == null) {
        elsewhereRoles[i] = new Role(RoleKind.NOT_CONSIDERED, null, "the address of " + contactId
            + " is not a valid address: there is no address to suppress by");
      } else if (links.get(x.contactId()).stream().noneMatch(l -> l.key().equals(key))) {
        elsewhereRoles[i] = new Role(RoleKind.NOT_CONSIDERED, null, "the address of " + contactId
            + " in this view is not the one " + x.contactId() + " has");
      } else if (links.get(x.contactId()).stream().noneMatch(l -> l.key().equals(key)
          && window.holds(l.eventTime(), l.appendedAt()))) {
        elsewhereRoles[i] = new Role(RoleKind.NOT_CONSIDERED, null, "the contact record of " + x.contactId()
            + " with this address " + (outside == RoleKind.NOT_YET_APPENDED ? "had not been appended by T"
            : "had not happened by T"));
      } else if (!ev.brandId().equals(contact.brandId())) {
        elsewhereRoles[i] = new Role(RoleKind.IGNORED, ReasonCode.OTHER_BRAND_EVIDENCE.name(),
            Rules.meaning(ReasonCode.OTHER_BRAND_EVIDENCE.name()));
      } else if (ev.kind() == EvidenceKind.HARD_BOUNCE && !ev.isVerifiable()) {
        elsewhereRoles[i] = new Role(RoleKind.IGNORED, ReasonCode.UNVERIFIABLE_EVIDENCE.name(),
            Rules.meaning(ReasonCode.UNVERIFIABLE_EVIDENCE.name()));
      } else {
        folded[i] = new Suppression(contactId, key, x.contactId(), ev.evidenceId(), ev.kind(), ev.occurredAt());
        state = state.with(folded[i]);
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
      roles.add(window.holds(e) ? role(e, state, verdict, firstSeen, timeline) : outsideRole(e, outside));
    }
    Elsewhere suppressedBy = null;
    for (int i = 0; i < elsewhere.size(); i++) {
      if (folded[i] != null) {
        elsewhereRoles[i] = elsewhereRole(elsewhere.get(i), folded[i], state, verdict);
        if (elsewhereRoles[i].kind() == RoleKind.DECIDES) {
          suppressedBy = elsewhere.get(i);
        }
      }
    }
    return new View(question, true, note, asOf, records, verdict, rule, List.copyOf(roles), List.of(elsewhereRoles),
        suppressedBy);
  }

  private static Role outsideRole(Entry e, RoleKind outside) {
    return new Role(outside, null, outside == RoleKind.NOT_YET_APPENDED ? "appended at " + e.appendedAt()
        : e.eventTime() == null ? "no event time" : "happened at " + e.eventTime());
  }

  /** What became of another contact's suppression delivered to this one in a view. */
  private static Role elsewhereRole(Elsewhere x, Suppression s, ConsentState state, Verdict verdict) {
    Suppression kept = null;
    for (Suppression k : state.suppressions()) {
      if (k.address().equals(s.address()) && k.isBounce() == s.isBounce()) {
        kept = k;
      }
    }
    if (!s.equals(kept)) {
      return new Role(RoleKind.SUPERSEDED, kept.sourceContactId() + "/" + kept.evidenceId(), "a later "
          + (s.isBounce() ? "hard bounce" : "withdrawal") + " of the address (" + kept.sourceContactId() + "'s "
          + kept.evidenceId() + ", " + kept.occurredAt() + ") replaced it: the gate keeps the latest");
    }
    switch (verdict.status()) {
      case INVALID_ADDRESS, ROLE_BASED_ADDRESS -> {
        return new Role(RoleKind.NOT_CONSIDERED, null, null);
      }
      case UNDELIVERABLE, WITHDRAWN -> {
        return new Role(RoleKind.COUNTED, null, "rule " + Rules.of(verdict.status(), null).number() + " decided first");
      }
      case SUPPRESSED -> {
        String named = (s.isBounce() ? ReasonCode.BOUNCED_ELSEWHERE : ReasonCode.WITHDRAWN_ELSEWHERE).about(x.reference());
        if (verdict.reasons().contains(named)) {
          return new Role(RoleKind.DECIDES, null, null);
        }
        String decides = verdict.reasons().stream().filter(r -> r.startsWith(ReasonCode.WITHDRAWN_ELSEWHERE.name() + ":")
            || r.startsWith(ReasonCode.BOUNCED_ELSEWHERE.name() + ":")).findFirst().map(r -> r.substring(r.indexOf(':') + 1))
            .orElse("?");
        return new Role(RoleKind.SUPERSEDED, decides, "a later suppression of the address (" + decides + ") decides");
      }
      default -> {
        // Rule 5 did not apply: an explicit grant of this contact that counts came after every suppression.
        for (Evidence e : state.evidence()) {
          if (verdict.evidenceIds().contains(e.evidenceId()) && e.occurredAt().isAfter(s.occurredAt())) {
            return new Role(RoleKind.LIFTED, e.evidenceId(), "an explicit grant of this contact after it ("
                + e.evidenceId() + ", " + e.occurredAt() + ") lifts it");
          }
        }
        return new Role(RoleKind.COUNTED, null, null);
      }
    }
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
          || verdict.status() == ConsentStatus.ROLE_BASED_ADDRESS || Rules.of(verdict.status(), null).number() == Rules.BY_SOURCE;
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

  /**
   * The withdrawals, complaints and hard bounces of other contacts with this contact's brand and
   * address (as normalised), by event time: what may suppress it. Empty for nearly every contact.
   */
  public List<Elsewhere> elsewhere() {
    return elsewhere;
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
