package io.consentgate.policy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The rules of docs/policy.md as a pure function: the same state and {@code asOf} always give
 * the same verdict. No clock, no I/O, no arrival order.
 *
 * <p>{@link #decide} reads like the page's decision table: one named step per rule, tried in the
 * table's order, the first that applies giving the verdict. The evidence is sorted first, as the
 * page's "Which evidence counts" says, in {@link SortedEvidence}.
 */
public final class ConsentPolicy {

  private final PolicySettings settings;

  public ConsentPolicy(PolicySettings settings) {
    this.settings = settings;
  }

  public PolicySettings settings() {
    return settings;
  }

  /**
   * Decides for the state's contact at {@code asOf}.
   *
   * <p>{@code asOf} must not be earlier than the latest event recorded in the state: the state
   * keeps only the latest evidence of each kind, so an earlier record that a later one replaced
   * could have decided at an earlier time. To know the verdict as of an earlier moment, decide
   * over the history up to that moment (what {@code replay} does).
   *
   * @throws IllegalArgumentException when the state holds no contact record yet (there is no
   *     address to decide for; the gate keeps such evidence and decides when the contact arrives),
   *     or when {@code asOf} is before the latest recorded event
   */
  public Verdict decide(ConsentState state, Instant asOf) {
    return evaluate(state, asOf, true).build();
  }

  /**
   * The outcome {@link #decide} would give (decision, status, validUntil), without the reasons,
   * evidence ids and recommendations: what the gate compares with the last published verdict on
   * every event, building the full verdict only when it publishes one. Same preconditions.
   */
  public Outcome outcome(ConsentState state, Instant asOf) {
    return evaluate(state, asOf, false).outcome();
  }

  private Builder evaluate(ConsentState state, Instant asOf, boolean details) {
    Contact contact = state.contact()
        .orElseThrow(() -> new IllegalArgumentException("no contact record to decide for"));
    Instant latest = state.latestEventTimeOrNull(); // not null: the state has a contact
    if (asOf.isBefore(latest)) {
      throw new IllegalArgumentException("cannot decide contact " + contact.contactId() + " as of " + asOf
          + ": its latest recorded event is at " + latest);
    }
    Profile profile = settings.profileFor(contact.brandId());
    Builder verdict = new Builder(contact, asOf, profile, details);

    // docs/policy.md, "The decision": the rules in order; the first that applies gives the verdict.
    // Rules 1 and 2 look only at the address, so their verdicts carry no evidence notes.
    EmailAddress address = EmailAddress.parse(contact.email()).orElse(null);
    if (invalidAddress(address, verdict) || roleBasedAddress(address, verdict)) {
      return verdict;
    }
    // Rules 3 to 10 look at the contact's evidence, sorted first ("Which evidence counts"), and
    // rule 5 also at what other contacts with the same address recorded ("Suppression by address").
    SortedEvidence evidence = SortedEvidence.sort(contact, state, asOf, profile, verdict);
    if (undeliverable(evidence, verdict)
        || withdrawn(evidence, verdict)
        || suppressed(latestSuppression(contact, state), evidence, verdict)
        || explicitGrant(evidence, verdict)
        || implicitGrant(evidence, verdict)
        || expired(evidence, verdict)
        || pendingConfirmation(evidence, verdict)) {
      return verdict;
    }
    bySource(contact.source(), evidence, verdict);
    return verdict;
  }

  // The rules of the decision, in order. Each of rules 1 to 9 tells whether it applies and, if so,
  // writes the verdict's status and other fields (the table's columns); rule 10 is what is left.

  /** Rule 1: the address is not a valid address. One-to-one messages are denied too. */
  private static boolean invalidAddress(EmailAddress address, Builder verdict) {
    boolean applies = address == null;
    if (applies) {
      verdict.oneToOne(false).status(ConsentStatus.INVALID_ADDRESS);
    }
    return applies;
  }

  /** Rule 2: the (valid) address is role-based. */
  private boolean roleBasedAddress(EmailAddress address, Builder verdict) {
    boolean applies = settings.roleAddresses().isRoleBased(address);
    if (applies) {
      verdict.status(ConsentStatus.ROLE_BASED_ADDRESS);
    }
    return applies;
  }

  /** Rule 3: the contact's own address hard-bounced (a bounce with proof). Nothing but a new contact restores it. */
  private static boolean undeliverable(SortedEvidence evidence, Builder verdict) {
    boolean applies = evidence.latestBounce != null;
    if (applies) {
      verdict.oneToOne(false).status(ConsentStatus.UNDELIVERABLE).decidedBy(evidence.latestBounce);
    }
    return applies;
  }

  /**
   * Rule 5: another contact of the brand with the same address withdrew, complained or bounced,
   * and no explicit grant of this contact counts that occurred after it. A bounce elsewhere denies
   * one-to-one messages too: the address does not take mail.
   */
  private static boolean suppressed(Suppression latest, SortedEvidence evidence, Builder verdict) {
    boolean applies = latest != null && !evidence.explicitGrantAfter(latest.occurredAt());
    if (applies) {
      verdict.oneToOne(!latest.isBounce()).status(ConsentStatus.SUPPRESSED)
          .reason(latest.isBounce() ? ReasonCode.BOUNCED_ELSEWHERE : ReasonCode.WITHDRAWN_ELSEWHERE,
              latest.sourceContactId() + "/" + latest.evidenceId())
          .decidedBy(latest);
    }
    return applies;
  }

  /**
   * The latest suppression of the contact's current address delivered from another contact; null
   * when there is none. One kept for an address the contact no longer has does not apply.
   */
  private static Suppression latestSuppression(Contact contact, ConsentState state) {
    if (state.suppressionCount() == 0) {
      return null; // nearly every contact: no address key is computed
    }
    AddressKey key = AddressKey.of(contact).orElse(null);
    Suppression latest = null;
    for (int i = 0; i < state.suppressionCount(); i++) {
      Suppression s = state.suppressionAt(i);
      if (s.address().equals(key) && !s.sourceContactId().equals(contact.contactId())
          && (latest == null || Suppression.PRECEDENCE.compare(s, latest) > 0)) {
        latest = s;
      }
    }
    return latest;
  }

  /** Rule 4: a withdrawal exists and no explicit grant counts (none came after the latest withdrawal). */
  private static boolean withdrawn(SortedEvidence evidence, Builder verdict) {
    boolean applies = evidence.latestWithdrawal != null && evidence.countingExplicit.isEmpty();
    if (applies) {
      verdict.status(ConsentStatus.WITHDRAWN).decidedBy(evidence.latestWithdrawal);
    }
    return applies;
  }

  /** Rule 6: an explicit grant counts. */
  private static boolean explicitGrant(SortedEvidence evidence, Builder verdict) {
    boolean applies = !evidence.countingExplicit.isEmpty();
    if (applies) {
      verdict.status(ConsentStatus.CONSENTED_EXPLICIT).decidedBy(evidence.countingExplicit);
    }
    return applies;
  }

  /** Rule 7: an implicit grant is valid. Valid until the latest lapse among the valid grants, if all lapse. */
  private static boolean implicitGrant(SortedEvidence evidence, Builder verdict) {
    boolean applies = !evidence.validImplicit.isEmpty();
    if (applies) {
      verdict.status(ConsentStatus.CONSENTED_IMPLICIT).decidedBy(evidence.validImplicit)
          .validUntil(evidence.implicitValidUntil())
          .recommend(Recommendation.ASK_FOR_EXPLICIT_CONSENT);
    }
    return applies;
  }

  /** Rule 8: implicit grants exist, but every one has lapsed (two years passed, or membership ended). */
  private static boolean expired(SortedEvidence evidence, Builder verdict) {
    boolean applies = !evidence.lapsedImplicit.isEmpty();
    if (applies) {
      verdict.status(ConsentStatus.EXPIRED).decidedBy(evidence.lapsedImplicit);
    }
    return applies;
  }

  /**
   * Rule 9: a double opt-in request exists and nothing confirmed it; under strict, also a checkbox
   * or newsletter signup that awaits its confirmation.
   */
  private static boolean pendingConfirmation(SortedEvidence evidence, Builder verdict) {
    boolean applies = !evidence.pending.isEmpty();
    if (applies) {
      askForExplicitConsentIfImplicitSetAside(evidence, verdict);
      verdict.status(ConsentStatus.PENDING_CONFIRMATION).decidedBy(evidence.pending);
    }
    return applies;
  }

  /** Rule 10: none of the above applies; the contact's source gives the status. */
  private static void bySource(ContactSource source, SortedEvidence evidence, Builder verdict) {
    askForExplicitConsentIfImplicitSetAside(evidence, verdict);
    ConsentStatus fromSource = source.statusWithoutGrant();
    verdict.status(fromSource).reason(ReasonCode.SOURCE, source.name());
    if (fromSource != ConsentStatus.NO_CONSENT) {
      sourceRecommendation(source).ifPresent(verdict::recommend);
    }
  }

  /** Under strict, a contact decided by rule 9 or 10 whose implicit grant was set aside is advised to ask (first). */
  private static void askForExplicitConsentIfImplicitSetAside(SortedEvidence evidence, Builder verdict) {
    if (evidence.implicitSetAsideByProfile) {
      verdict.recommend(Recommendation.ASK_FOR_EXPLICIT_CONSENT);
    }
  }

  private static Optional<Recommendation> sourceRecommendation(ContactSource source) {
    return switch (source) {
      case EMPLOYER_LIST -> Optional.of(Recommendation.WRITE_ONE_TO_ONE_AND_USE_DOUBLE_OPT_IN);
      case MERGER_ACQUISITION -> Optional.of(Recommendation.NOTIFY_AND_ASK_TO_RECONFIRM);
      case MET_IN_PERSON, INBOUND_EMAIL -> Optional.of(Recommendation.POINT_TO_SIGNUP_FORM);
      default -> Optional.empty();
    };
  }

  /** Two calendar years in UTC: a grant at 2024-03-10T08:00Z is valid while asOf < 2026-03-10T08:00Z. */
  static Instant twoYearsAfter(Instant occurredAt) {
    // The date moves two years (29 February to 28 February, as LocalDate.plusYears does), the time
    // of day stays: the same instant as occurredAt.atOffset(UTC).plusYears(2), without building
    // an OffsetDateTime per implicit grant per decision.
    long seconds = occurredAt.getEpochSecond();
    long day = Math.floorDiv(seconds, SECONDS_PER_DAY);
    long secondOfDay = Math.floorMod(seconds, SECONDS_PER_DAY);
    long laterDay = LocalDate.ofEpochDay(day).plusYears(2).toEpochDay();
    return Instant.ofEpochSecond(laterDay * SECONDS_PER_DAY + secondOfDay, occurredAt.getNano());
  }

  private static final long SECONDS_PER_DAY = 86_400;

  /**
   * The contact's evidence sorted as docs/policy.md, "Which evidence counts", says: first what is
   * set aside, then each remaining grant classified. Every piece that does not count is noted in
   * the verdict's reasons, in the order of the state's evidence.
   */
  private static final class SortedEvidence {
    private static final Comparator<Evidence> BY_TIME = Evidence.PRECEDENCE;

    // What the rules ask about.
    Evidence latestBounce;
    Evidence latestWithdrawal;
    final List<Evidence> countingExplicit = new ArrayList<>();
    final List<Evidence> validImplicit = new ArrayList<>();
    final List<Evidence> lapsedImplicit = new ArrayList<>();
    /** Rule 9's evidence: the double opt-in requests, then the grants awaiting confirmation. */
    final List<Evidence> pending = new ArrayList<>();
    boolean implicitSetAsideByProfile;
    private boolean implicitForever;
    private Instant implicitLatestExpiry;

    // What the grants are classified against: the contact's own grants with proof, and the latest
    // time of a membership end and of a confirmation (a grant only asks whether one is at or after it).
    private final List<Evidence> grants = new ArrayList<>();
    private Instant latestMembershipEnd;
    private Instant latestConfirmation;

    static SortedEvidence sort(Contact contact, ConsentState state, Instant asOf, Profile profile, Builder verdict) {
      SortedEvidence sorted = new SortedEvidence();
      sorted.setAside(contact, state, verdict);
      sorted.classifyGrants(asOf, profile, verdict);
      return sorted;
    }

    /**
     * Sets aside another brand's evidence, verbal consent and grants without proof. Of the rest it
     * keeps the grants, the latest withdrawal, the latest membership end and confirmation, and the
     * double opt-in requests (the start of rule 9's evidence).
     */
    private void setAside(Contact contact, ConsentState state, Builder verdict) {
      for (int i = 0; i < state.evidenceCount(); i++) {
        Evidence e = state.evidenceAt(i);
        if (!e.brandId().equals(contact.brandId())) {
          verdict.reason(ReasonCode.OTHER_BRAND_EVIDENCE, e.evidenceId());
        } else {
          switch (e.kind().effect()) {
            case NEVER_COUNTS -> verdict.reason(ReasonCode.VERBAL_CONSENT_NOT_VERIFIABLE, e.evidenceId());
            // Withdrawals and endings need no proof: doubt about them must not let mail through.
            case WITHDRAWAL -> {
              if (latestWithdrawal == null || BY_TIME.compare(e, latestWithdrawal) > 0) {
                latestWithdrawal = e;
              }
            }
            // A bounce is the mail system's word, not the person's: it must be traceable to a message.
            case BOUNCE -> {
              if (!e.isVerifiable()) {
                verdict.reason(ReasonCode.UNVERIFIABLE_EVIDENCE, e.evidenceId());
              } else if (latestBounce == null || BY_TIME.compare(e, latestBounce) > 0) {
                latestBounce = e;
              }
            }
            case ENDS_MEMBERSHIP -> latestMembershipEnd = later(latestMembershipEnd, e.occurredAt());
            case PENDING -> pending.add(e);
            case EXPLICIT_GRANT, IMPLICIT_GRANT -> {
              if (!e.isVerifiable()) {
                verdict.reason(ReasonCode.UNVERIFIABLE_EVIDENCE, e.evidenceId());
              } else {
                grants.add(e);
                if (e.kind() == EvidenceKind.DOUBLE_OPT_IN_CONFIRMED) {
                  latestConfirmation = later(latestConfirmation, e.occurredAt());
                }
              }
            }
          }
        }
      }
    }

    /** Whether an explicit grant that counts occurred strictly after {@code time}. */
    boolean explicitGrantAfter(Instant time) {
      for (Evidence g : countingExplicit) {
        if (g.occurredAt().isAfter(time)) {
          return true;
        }
      }
      return false;
    }

    /** Classifies each remaining grant; the first of the five cases that fits decides. */
    private void classifyGrants(Instant asOf, Profile profile, Builder verdict) {
      for (Evidence g : grants) {
        if (latestWithdrawal != null && !g.occurredAt().isAfter(latestWithdrawal.occurredAt())) {
          // 1. made at or before the latest withdrawal
          verdict.reason(ReasonCode.REVOKED_BY_WITHDRAWAL, g.evidenceId());
        } else if (g.kind().effect() == EvidenceKind.Effect.EXPLICIT_GRANT) {
          // 2. explicit; under strict a checkbox or signup waits for its confirmation
          if (profile == Profile.STRICT && g.kind().needsConfirmationUnderStrict() && !atOrAfter(latestConfirmation, g)) {
            verdict.reason(ReasonCode.CONFIRMATION_REQUIRED_BY_PROFILE, g.evidenceId());
            pending.add(g);
          } else {
            countingExplicit.add(g);
          }
        } else if (latestWithdrawal != null) {
          // 3. implicit, after a withdrawal
          verdict.reason(ReasonCode.NOT_EXPLICIT_AFTER_WITHDRAWAL, g.evidenceId());
        } else if (profile == Profile.STRICT) {
          // 4. implicit, under strict
          verdict.reason(ReasonCode.IMPLICIT_NOT_ACCEPTED_BY_PROFILE, g.evidenceId());
          implicitSetAsideByProfile = true;
        } else {
          // 5. implicit, under optin: valid or lapsed
          classifyImplicit(g, asOf, verdict);
        }
      }
    }

    private static Instant later(Instant latest, Instant time) {
      return latest == null || time.isAfter(latest) ? time : latest;
    }

    /** Whether {@code latest} (of some kind of evidence; null when there is none) is at or after the grant. */
    private static boolean atOrAfter(Instant latest, Evidence grant) {
      return latest != null && !latest.isBefore(grant.occurredAt());
    }

    private void classifyImplicit(Evidence g, Instant asOf, Builder verdict) {
      switch (g.kind().validity()) {
        case TWO_YEARS -> {
          Instant until = twoYearsAfter(g.occurredAt());
          if (asOf.isBefore(until)) {
            validImplicit.add(g);
            if (implicitLatestExpiry == null || until.isAfter(implicitLatestExpiry)) {
              implicitLatestExpiry = until;
            }
          } else {
            verdict.reason(ReasonCode.GRANT_LAPSED, g.evidenceId());
            lapsedImplicit.add(g);
          }
        }
        case UNTIL_MEMBERSHIP_ENDED -> {
          // An end at the same instant as the start ends it: when in doubt, no consent.
          boolean ended = atOrAfter(latestMembershipEnd, g);
          if (ended) {
            verdict.reason(ReasonCode.MEMBERSHIP_ENDED, g.evidenceId());
            lapsedImplicit.add(g);
          } else {
            validImplicit.add(g);
            implicitForever = true;
          }
        }
        default -> {
          validImplicit.add(g);
          implicitForever = true;
        }
      }
    }

    /** The latest lapse among the valid implicit grants; null when one of them never lapses. */
    Instant implicitValidUntil() {
      return implicitForever ? null : implicitLatestExpiry;
    }
  }

  /**
   * Collects a verdict's parts; the decision always follows from the status. Without details it
   * keeps only what the outcome needs: the notes are strings built per evidence, most of a
   * decision's cost, and wasted whenever nothing is published.
   */
  private static final class Builder {
    private final Contact contact;
    private final Instant asOf;
    private final Profile profile;
    private final boolean details;
    private ConsentStatus status;
    private boolean oneToOne = true;
    private Instant validUntil;
    // Only a verdict with details fills these: an outcome leaves them null.
    private final List<String> reasons;
    private final List<String> evidenceIds;
    private final List<String> recommendations;

    Builder(Contact contact, Instant asOf, Profile profile, boolean details) {
      this.contact = contact;
      this.asOf = asOf;
      this.profile = profile;
      this.details = details;
      this.reasons = details ? new ArrayList<>() : null;
      this.evidenceIds = details ? new ArrayList<>() : null;
      this.recommendations = details ? new ArrayList<>() : null;
    }

    Builder status(ConsentStatus s) {
      this.status = s;
      return this;
    }

    Builder oneToOne(boolean allowed) {
      this.oneToOne = allowed;
      return this;
    }

    Builder validUntil(Instant until) {
      this.validUntil = until;
      return this;
    }

    /** A note; built only when the verdict's details are wanted (see {@link ReasonCode#about}). */
    Builder reason(ReasonCode code, String about) {
      if (details) {
        reasons.add(code.about(about));
      }
      return this;
    }

    Builder decidedBy(Evidence evidence) {
      if (details) {
        evidenceIds.add(evidence.evidenceId());
      }
      return this;
    }

    Builder decidedBy(Suppression suppression) {
      if (details) {
        evidenceIds.add(suppression.evidenceId());
      }
      return this;
    }

    Builder decidedBy(List<Evidence> evidence) {
      if (details) {
        for (Evidence e : evidence) {
          evidenceIds.add(e.evidenceId());
        }
      }
      return this;
    }

    Builder recommend(Recommendation r) {
      if (details && !recommendations.contains(r.name())) {
        recommendations.add(r.name());
      }
      return this;
    }

    Outcome outcome() {
      return new Outcome(status.decision(), status, validUntil);
    }

    Verdict build() {
      // The status first, then the notes; List.of takes one copy and Verdict's List.copyOf none.
      String[] all = new String[reasons.size() + 1];
      all[0] = status.name();
      for (int i = 0; i < reasons.size(); i++) {
        all[i + 1] = reasons.get(i);
      }
      List<String> allReasons = List.of(all);
      return new Verdict(contact.contactId(), contact.brandId(), contact.email(), status.decision(), status,
          oneToOne, validUntil, allReasons, evidenceIds, recommendations, asOf, profile.policyId());
    }
  }
}
