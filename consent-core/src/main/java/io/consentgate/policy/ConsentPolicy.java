package io.consentgate.policy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The rules of docs/policy.md as a pure function: the same state and {@code asOf} always give
 * the same verdict. No clock, no I/O, no arrival order.
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
    Contact contact = state.contact()
        .orElseThrow(() -> new IllegalArgumentException("no contact record to decide for"));
    Instant latest = state.latestEventTime().orElseThrow();
    if (asOf.isBefore(latest)) {
      throw new IllegalArgumentException("cannot decide contact " + contact.contactId() + " as of " + asOf
          + ": its latest recorded event is at " + latest);
    }
    Profile profile = settings.profileFor(contact.brandId());
    Builder verdict = new Builder(contact, asOf, profile);

    // Rule 1
    Optional<EmailAddress> address = EmailAddress.parse(contact.email());
    if (address.isEmpty()) {
      return verdict.oneToOne(false).status(ConsentStatus.INVALID_ADDRESS).build();
    }
    // Rule 2
    if (settings.roleAddresses().isRoleBased(address.get())) {
      return verdict.status(ConsentStatus.ROLE_BASED_ADDRESS).build();
    }

    Evaluation ev = new Evaluation(contact, state.evidence(), asOf, profile, verdict);

    // Rule 3
    if (ev.latestWithdrawal != null && ev.countingExplicit.isEmpty()) {
      return verdict.status(ConsentStatus.WITHDRAWN).decidedBy(List.of(ev.latestWithdrawal)).build();
    }
    // Rule 4
    if (!ev.countingExplicit.isEmpty()) {
      return verdict.status(ConsentStatus.CONSENTED_EXPLICIT).decidedBy(ev.countingExplicit).build();
    }
    // Rule 5
    if (!ev.validImplicit.isEmpty()) {
      return verdict.status(ConsentStatus.CONSENTED_IMPLICIT).decidedBy(ev.validImplicit)
          .validUntil(ev.implicitValidUntil())
          .recommend(Recommendation.ASK_FOR_EXPLICIT_CONSENT).build();
    }
    if (ev.implicitSetAsideByProfile) {
      verdict.recommend(Recommendation.ASK_FOR_EXPLICIT_CONSENT);
    }
    // Rule 6
    if (!ev.lapsedImplicit.isEmpty()) {
      return verdict.status(ConsentStatus.EXPIRED).decidedBy(ev.lapsedImplicit).build();
    }
    // Rule 7
    if (!ev.pending.isEmpty()) {
      return verdict.status(ConsentStatus.PENDING_CONFIRMATION).decidedBy(ev.pending).build();
    }
    // Rule 8
    ConsentStatus fromSource = contact.source().statusWithoutGrant();
    verdict.status(fromSource).reason(ReasonCode.SOURCE.about(contact.source().name()));
    if (fromSource != ConsentStatus.NO_CONSENT) {
      sourceRecommendation(contact.source()).ifPresent(verdict::recommend);
    }
    return verdict.build();
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
    return occurredAt.atOffset(ZoneOffset.UTC).plusYears(2).toInstant();
  }

  /** Sorts the contact's evidence into what counts and what does not, noting why in reasons. */
  private static final class Evaluation {
    private static final Comparator<Evidence> BY_TIME = Evidence.PRECEDENCE;

    Evidence latestWithdrawal;
    final List<Evidence> countingExplicit = new ArrayList<>();
    final List<Evidence> validImplicit = new ArrayList<>();
    final List<Evidence> lapsedImplicit = new ArrayList<>();
    final List<Evidence> pending = new ArrayList<>();
    boolean implicitSetAsideByProfile;
    private boolean implicitForever;
    private Instant implicitLatestExpiry;

    Evaluation(Contact contact, List<Evidence> all, Instant asOf, Profile profile, Builder verdict) {
      List<Evidence> grants = new ArrayList<>();
      List<Evidence> membershipEnds = new ArrayList<>();
      List<Evidence> confirmations = new ArrayList<>();
      List<Evidence> requests = new ArrayList<>();
      for (Evidence e : all) {
        if (!e.brandId().equals(contact.brandId())) {
          verdict.reason(ReasonCode.OTHER_BRAND_EVIDENCE.about(e.evidenceId()));
        } else {
          switch (e.kind().effect()) {
            case NEVER_COUNTS -> verdict.reason(ReasonCode.VERBAL_CONSENT_NOT_VERIFIABLE.about(e.evidenceId()));
            // Withdrawals and endings need no proof: doubt about them must not let mail through.
            case WITHDRAWAL -> {
              if (latestWithdrawal == null || BY_TIME.compare(e, latestWithdrawal) > 0) {
                latestWithdrawal = e;
              }
            }
            case ENDS_MEMBERSHIP -> membershipEnds.add(e);
            case PENDING -> requests.add(e);
            case EXPLICIT_GRANT, IMPLICIT_GRANT -> {
              if (!e.isVerifiable()) {
                verdict.reason(ReasonCode.UNVERIFIABLE_EVIDENCE.about(e.evidenceId()));
              } else {
                grants.add(e);
                if (e.kind() == EvidenceKind.DOUBLE_OPT_IN_CONFIRMED) {
                  confirmations.add(e);
                }
              }
            }
          }
        }
      }

      for (Evidence g : grants) {
        if (latestWithdrawal != null && !g.occurredAt().isAfter(latestWithdrawal.occurredAt())) {
          verdict.reason(ReasonCode.REVOKED_BY_WITHDRAWAL.about(g.evidenceId()));
        } else if (g.kind().effect() == EvidenceKind.Effect.EXPLICIT_GRANT) {
          if (profile == Profile.STRICT && g.kind().needsConfirmationUnderStrict() && !confirmedAtOrAfter(g, confirmations)) {
            verdict.reason(ReasonCode.CONFIRMATION_REQUIRED_BY_PROFILE.about(g.evidenceId()));
            pending.add(g);
          } else {
            countingExplicit.add(g);
          }
        } else if (latestWithdrawal != null) {
          verdict.reason(ReasonCode.NOT_EXPLICIT_AFTER_WITHDRAWAL.about(g.evidenceId()));
        } else if (profile == Profile.STRICT) {
          verdict.reason(ReasonCode.IMPLICIT_NOT_ACCEPTED_BY_PROFILE.about(g.evidenceId()));
          implicitSetAsideByProfile = true;
        } else {
          classifyImplicit(g, asOf, membershipEnds, verdict);
        }
      }
      pending.addAll(0, requests);
    }

    private static boolean confirmedAtOrAfter(Evidence grant, List<Evidence> confirmations) {
      return anyAtOrAfter(confirmations, grant.occurredAt());
    }

    /** Whether any of the evidence happened at or after {@code time}. */
    private static boolean anyAtOrAfter(List<Evidence> evidence, Instant time) {
      for (Evidence e : evidence) {
        if (!e.occurredAt().isBefore(time)) {
          return true;
        }
      }
      return false;
    }

    private void classifyImplicit(Evidence g, Instant asOf, List<Evidence> membershipEnds, Builder verdict) {
      switch (g.kind().validity()) {
        case TWO_YEARS -> {
          Instant until = twoYearsAfter(g.occurredAt());
          if (asOf.isBefore(until)) {
            validImplicit.add(g);
            if (implicitLatestExpiry == null || until.isAfter(implicitLatestExpiry)) {
              implicitLatestExpiry = until;
            }
          } else {
            verdict.reason(ReasonCode.GRANT_LAPSED.about(g.evidenceId()));
            lapsedImplicit.add(g);
          }
        }
        case UNTIL_MEMBERSHIP_ENDED -> {
          // An end at the same instant as the start ends it: when in doubt, no consent.
          boolean ended = anyAtOrAfter(membershipEnds, g.occurredAt());
          if (ended) {
            verdict.reason(ReasonCode.MEMBERSHIP_ENDED.about(g.evidenceId()));
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

    Instant implicitValidUntil() {
      return implicitForever ? null : implicitLatestExpiry;
    }
  }

  /** Collects a verdict's parts; the decision always follows from the status. */
  private static final class Builder {
    private final Contact contact;
    private final Instant asOf;
    private final Profile profile;
    private ConsentStatus status;
    private boolean oneToOne = true;
    private Instant validUntil;
    private final List<String> reasons = new ArrayList<>();
    private final List<String> evidenceIds = new ArrayList<>();
    private final List<String> recommendations = new ArrayList<>();

    Builder(Contact contact, Instant asOf, Profile profile) {
      this.contact = contact;
      this.asOf = asOf;
      this.profile = profile;
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

    Builder reason(String reason) {
      reasons.add(reason);
      return this;
    }

    Builder decidedBy(List<Evidence> evidence) {
      for (Evidence e : evidence) {
        evidenceIds.add(e.evidenceId());
      }
      return this;
    }

    Builder recommend(Recommendation r) {
      if (!recommendations.contains(r.name())) {
        recommendations.add(r.name());
      }
      return this;
    }

    Verdict build() {
      List<String> allReasons = new ArrayList<>(reasons.size() + 1);
      allReasons.add(status.name());
      allReasons.addAll(reasons);
      return new Verdict(contact.contactId(), contact.brandId(), contact.email(), status.decision(), status,
          oneToOne, validUntil, allReasons, evidenceIds, recommendations, asOf, profile.policyId());
    }
  }
}
