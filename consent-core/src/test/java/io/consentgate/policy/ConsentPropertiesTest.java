package io.consentgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Principle 6 and the verdict invariants as properties over random contact histories, for both
 * profiles. A history is one or two contact records for one contact id plus up to 25 evidence
 * records whose ids come from a small pool; a repeated id is always the identical record.
 */
class ConsentPropertiesTest {

  private static final String CONTACT_ID = "c-1";
  private static final String OWN = "acme";
  private static final String OTHER = "globex";

  /** Few instants over ~5 years, so ties happen, and pairs exactly two calendar years apart. */
  private static final List<Instant> INSTANTS = List.of(
      Instant.parse("2021-01-01T00:00:00Z"),
      Instant.parse("2021-06-15T12:00:00Z"),
      Instant.parse("2022-03-01T00:00:00Z"),
      Instant.parse("2023-01-01T00:00:00Z"),
      Instant.parse("2023-06-15T12:00:00Z"),
      Instant.parse("2024-02-29T12:00:00Z"),
      Instant.parse("2024-09-01T00:00:00Z"),
      Instant.parse("2025-06-15T12:00:00Z"),
      Instant.parse("2026-02-28T12:00:00Z"));

  private static final List<String> EMAILS = List.of(
      "ann@example.org", "bob.smith+news@mail.example.com", "carol@example.xn--p1ai",
      "Info@example.org", "sales+promo@example.org",
      "not-an-address", "ann@example", "ann@@example.org");

  private static final RoleAddresses ROLES = RoleAddresses.defaults();

  private static final Map<Profile, ConsentPolicy> POLICIES = new EnumMap<>(Profile.class);

  static {
    for (Profile p : Profile.values()) {
      POLICIES.put(p, new ConsentPolicy(new PolicySettings(p, Map.of(), ROLES)));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Generators

  private record EvidenceTemplate(EvidenceKind kind, String brand, int proofMode, Instant occurredAt) {
    Evidence withId(int id) {
      String proof = switch (proofMode) {
        case 0 -> null;
        case 1 -> " ";
        default -> "ref-" + id;
      };
      return new Evidence("e" + id, CONTACT_ID, brand, kind, occurredAt, proof);
    }
  }

  @Provide
  Arbitrary<List<ConsentEvent>> histories() {
    Arbitrary<Contact> contact = Combinators.combine(
            Arbitraries.of(ContactSource.class), Arbitraries.of(EMAILS), Arbitraries.of(INSTANTS))
        .as((source, email, createdAt) -> new Contact(CONTACT_ID, OWN, email, source, createdAt));
    Arbitrary<EvidenceTemplate> template = Combinators.combine(
            Arbitraries.of(EvidenceKind.class),
            Arbitraries.of(OWN, OWN, OWN, OTHER),
            Arbitraries.integers().between(0, 4), // mostly with proof
            Arbitraries.of(INSTANTS))
        .as(EvidenceTemplate::new);
    // A "sibling" repeats the previous template's brand, kind and proof at its own instant, so that
    // one slot often holds several records (ties, earlier and later ones).
    Arbitrary<EvidenceTemplate> maybeSibling = Combinators.combine(template, Arbitraries.integers().between(0, 9))
        .as((t, dice) -> dice < 3 ? new EvidenceTemplate(null, t.brand(), t.proofMode(), t.occurredAt()) : t);
    Arbitrary<List<Evidence>> evidence = maybeSibling.list().ofMinSize(1).ofMaxSize(10).flatMap(pool -> {
      List<Evidence> records = new ArrayList<>();
      EvidenceTemplate previous = null;
      for (int i = 0; i < pool.size(); i++) {
        EvidenceTemplate t = pool.get(i);
        if (t.kind() == null) {
          t = previous == null
              ? new EvidenceTemplate(EvidenceKind.PURCHASE, t.brand(), t.proofMode(), t.occurredAt())
              : new EvidenceTemplate(previous.kind(), previous.brand(), previous.proofMode(), t.occurredAt());
        }
        records.add(t.withId(i));
        previous = t;
      }
      // pick with repetition: a repeated id is the identical record
      return Arbitraries.of(records).list().ofMinSize(0).ofMaxSize(25);
    });
    return Combinators.combine(contact.list().ofMinSize(1).ofMaxSize(2), evidence).as((contacts, picked) -> {
      List<ConsentEvent> history = new ArrayList<>(contacts);
      history.addAll(picked);
      return history;
    });
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Combinators.combine(Arbitraries.of(INSTANTS), Arbitraries.of(-1L, 0L, 0L, 1L))
        .as((t, millis) -> t.plusMillis(millis));
  }

  @Property(tries = 100)
  @Label("an asOf before the latest recorded event is refused, never answered from a compacted state")
  void refusesAsOfBeforeTheLatestEvent(@ForAll("histories") List<ConsentEvent> history, @ForAll Profile profile) {
    ConsentState state = fold(history);
    Instant before = latest(state).minusMillis(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> POLICIES.get(profile).decide(state, before))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latest recorded event");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Shifts a drawn instant to lie at or after the state's latest event (by up to ~5 years). */
  private static Instant atOrAfterLatest(ConsentState state, Instant drawn) {
    Instant earliest = INSTANTS.get(0).minusMillis(1);
    return latest(state).plus(java.time.Duration.between(earliest, drawn).abs());
  }

  private static ConsentState fold(List<? extends ConsentEvent> events) {
    ConsentState s = ConsentState.EMPTY;
    for (ConsentEvent e : events) {
      s = s.with(e);
    }
    return s;
  }

  private static <T> List<T> shuffled(List<T> list, long seed) {
    List<T> copy = new ArrayList<>(list);
    Collections.shuffle(copy, new Random(seed));
    return copy;
  }

  private static Instant latest(ConsentState s) {
    return s.latestEventTime().orElseThrow();
  }

  // ---------------------------------------------------------------------------------------------
  // Principle 6: event time, not arrival time

  @Property(tries = 300)
  @Label("any permutation of the history yields the same state and the same verdict")
  void permutationDoesNotMatter(@ForAll("histories") List<ConsentEvent> history, @ForAll long seed,
                                @ForAll Profile profile) {
    ConsentState a = fold(history);
    ConsentState b = fold(shuffled(history, seed));
    assertThat(b).isEqualTo(a);
    Instant asOf = latest(a);
    assertThat(latest(b)).isEqualTo(asOf);
    ConsentPolicy policy = POLICIES.get(profile);
    assertThat(policy.decide(b, asOf)).isEqualTo(policy.decide(a, asOf));
  }

  @Property(tries = 500)
  @Label("the outcome alone is exactly the full verdict's decision, status and validUntil")
  void outcomeIsTheVerdictsOutcome(@ForAll("histories") List<ConsentEvent> history, @ForAll("instants") Instant later,
                                   @ForAll Profile profile) {
    ConsentState state = fold(history);
    Instant asOf = latest(state).isAfter(later) ? latest(state) : later;
    ConsentPolicy policy = POLICIES.get(profile);
    Verdict verdict = policy.decide(state, asOf);
    assertThat(policy.outcome(state, asOf))
        .isEqualTo(new Outcome(verdict.decision(), verdict.status(), verdict.validUntil()));
  }

  @Property(tries = 300)
  @Label("duplicated records change nothing")
  void duplicatesDoNotMatter(@ForAll("histories") List<ConsentEvent> history, @ForAll long seed,
                             @ForAll Profile profile) {
    Random random = new Random(seed);
    List<ConsentEvent> withDuplicates = new ArrayList<>(history);
    int extra = 1 + random.nextInt(10);
    for (int i = 0; i < extra; i++) {
      ConsentEvent dup = history.get(random.nextInt(history.size()));
      withDuplicates.add(random.nextInt(withDuplicates.size() + 1), dup);
    }
    ConsentState a = fold(history);
    ConsentState b = fold(withDuplicates);
    assertThat(b).isEqualTo(a);
    Instant asOf = latest(a);
    ConsentPolicy policy = POLICIES.get(profile);
    assertThat(policy.decide(b, asOf)).isEqualTo(policy.decide(a, asOf));
  }

  @Property(tries = 300)
  @Label("merge is commutative, associative and idempotent, and merging singletons equals folding")
  void mergeIsAJoin(@ForAll("histories") List<ConsentEvent> history, @ForAll long seed) {
    Random random = new Random(seed);
    List<List<ConsentEvent>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (ConsentEvent e : history) {
      parts.get(random.nextInt(3)).add(e);
    }
    ConsentState a = fold(parts.get(0));
    ConsentState b = fold(parts.get(1));
    ConsentState c = fold(parts.get(2));

    assertThat(a.merge(b)).isEqualTo(b.merge(a));
    assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
    assertThat(a.merge(a)).isEqualTo(a);
    assertThat(a.merge(b).merge(b)).isEqualTo(a.merge(b));
    assertThat(a.merge(ConsentState.EMPTY)).isEqualTo(a);
    assertThat(ConsentState.EMPTY.merge(a)).isEqualTo(a);

    ConsentState merged = ConsentState.EMPTY;
    for (ConsentEvent e : shuffled(history, seed + 1)) {
      merged = merged.merge(ConsentState.EMPTY.with(e));
    }
    assertThat(merged).isEqualTo(fold(history));
    assertThat(a.merge(b).merge(c)).isEqualTo(fold(history));
  }

  @Property(tries = 300)
  @Label("a state rebuilt from its stored parts, in any order, is the folded state")
  void rebuiltFromPartsIsTheFoldedState(@ForAll("histories") List<ConsentEvent> history, @ForAll long seed,
                                        @ForAll Profile profile) {
    ConsentState folded = fold(history);
    Contact contact = folded.contact().orElseThrow();
    ConsentState inSlotOrder = ConsentState.of(contact, folded.evidence());
    ConsentState shuffled = ConsentState.of(contact, shuffled(folded.evidence(), seed));
    // Pieces that share a slot: the later one must still win when rebuilding.
    List<Evidence> withSuperseded = new ArrayList<>(shuffled(folded.evidence(), seed));
    history.stream().filter(e -> e instanceof Evidence).map(e -> (Evidence) e).forEach(withSuperseded::add);
    ConsentState withOlderPieces = ConsentState.of(contact, withSuperseded);
    for (ConsentState rebuilt : List.of(inSlotOrder, shuffled, withOlderPieces)) {
      assertThat(rebuilt).isEqualTo(folded);
      assertThat(rebuilt.evidence()).containsExactlyElementsOf(folded.evidence());
      assertThat(rebuilt.latestEventTime()).isEqualTo(folded.latestEventTime());
      Instant asOf = latest(folded);
      assertThat(POLICIES.get(profile).decide(rebuilt, asOf)).isEqualTo(POLICIES.get(profile).decide(folded, asOf));
    }
  }

  @Property(tries = 300)
  @Label("a state decided after every record decides as a fresh one")
  void decidingAlongTheWayChangesNothing(@ForAll("histories") List<ConsentEvent> history, @ForAll long seed,
                                         @ForAll Profile profile) {
    ConsentPolicy policy = POLICIES.get(profile);
    List<ConsentEvent> order = shuffled(history, seed);
    ConsentState carried = ConsentState.EMPTY;
    for (int i = 0; i < order.size(); i++) {
      carried = carried.with(order.get(i));
      ConsentState fresh = fold(order.subList(0, i + 1));
      if (carried.contact().isPresent()) {
        Instant asOf = latest(carried);
        assertThat(latest(fresh)).isEqualTo(asOf);
        assertThat(policy.decide(carried, asOf)).isEqualTo(policy.decide(fresh, asOf));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Verdict invariants

  @Property(tries = 300)
  @Label("verdict invariants: decision follows status, ALLOW only for valid personal addresses, ...")
  void verdictInvariants(@ForAll("histories") List<ConsentEvent> history, @ForAll("instants") Instant later,
                         @ForAll Profile profile) {
    ConsentState state = fold(history);
    Instant asOf = atOrAfterLatest(state, later);
    Contact contact = state.contact().orElseThrow();
    Verdict v = POLICIES.get(profile).decide(state, asOf);

    assertThat(v.decision()).isEqualTo(v.status().decision());
    assertThat(v.reasons()).first().isEqualTo(v.status().name());
    assertThat(v.decidedAt()).isEqualTo(asOf);
    assertThat(v.policy()).isEqualTo(profile.policyId());
    assertThat(v.contactId()).isEqualTo(contact.contactId());
    assertThat(v.brandId()).isEqualTo(contact.brandId());
    assertThat(v.email()).isEqualTo(contact.email());

    Optional<EmailAddress> address = EmailAddress.parse(contact.email());
    if (v.decision() == Decision.ALLOW) {
      assertThat(address).isPresent();
      assertThat(ROLES.isRoleBased(address.get())).isFalse();
      assertThat(v.status()).isIn(ConsentStatus.CONSENTED_EXPLICIT, ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.evidenceIds()).isNotEmpty();
    }
    assertThat(v.oneToOneAllowed())
        .isEqualTo(v.status() != ConsentStatus.INVALID_ADDRESS && v.status() != ConsentStatus.UNDELIVERABLE);
    assertThat(v.status() == ConsentStatus.INVALID_ADDRESS).isEqualTo(address.isEmpty());
    if (v.validUntil() != null) {
      assertThat(v.status()).isEqualTo(ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(v.validUntil()).isAfter(asOf);
    }
    if (profile == Profile.STRICT) {
      assertThat(v.status()).isNotEqualTo(ConsentStatus.CONSENTED_IMPLICIT);
    }

    // every id that decided it is own-brand evidence of the history that has occurred by asOf
    Set<String> countable = history.stream()
        .filter(e -> e instanceof Evidence)
        .map(e -> (Evidence) e)
        .filter(e -> e.brandId().equals(contact.brandId()) && !e.occurredAt().isAfter(asOf))
        .map(Evidence::evidenceId)
        .collect(Collectors.toSet());
    assertThat(countable).containsAll(v.evidenceIds());
  }

  // ---------------------------------------------------------------------------------------------
  // The rules of docs/policy.md evaluated directly on the full history

  @Property(tries = 2000)
  @Label("an address is role-based exactly when its lower-cased mailbox name is on the list")
  void roleBasedIsListMembershipOfTheMailboxName(@ForAll("localParts") String localPart) {
    RoleAddresses roles = RoleAddresses.defaults();
    EmailAddress address = EmailAddress.parse(localPart + "@example.org").orElse(null);
    if (address != null) {
      assertThat(roles.isRoleBased(address)).as(localPart).isEqualTo(roles.names().contains(address.mailboxName()));
    }
  }

  /** Role names and near misses: random case, a +tag, a character more or less, or any short local part. */
  @Provide
  Arbitrary<String> localParts() {
    Arbitrary<String> name = Arbitraries.of(List.copyOf(new java.util.TreeSet<>(RoleAddresses.defaults().names())));
    Arbitrary<String> recased = name.flatMap(n -> Arbitraries.longs().map(bits -> {
      StringBuilder b = new StringBuilder(n);
      for (int i = 0; i < b.length(); i++) {
        if ((bits >>> (i % 64) & 1) == 1) {
          b.setCharAt(i, Character.toUpperCase(b.charAt(i)));
        }
      }
      return b.toString();
    }));
    Arbitrary<String> tagged = Combinators.combine(recased, Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(4))
        .as((n, tag) -> n + "+" + tag);
    Arbitrary<String> nearMiss = Combinators.combine(recased, Arbitraries.strings().withCharRange('a', 'z').ofLength(1),
        Arbitraries.of(true, false)).as((n, c, longer) -> longer ? n + c : n.substring(0, n.length() - 1));
    Arbitrary<String> any = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzINFOSALE.+-_").ofMinLength(1).ofMaxLength(12);
    return Arbitraries.oneOf(recased, tagged, nearMiss, any);
  }

  @Property(tries = 2000)
  @Label("two years after is two calendar years in UTC, to the nanosecond, leap days and times before 1970 included")
  void twoYearsAfterIsTwoCalendarYearsInUtc(@ForAll("anyInstants") Instant occurredAt) {
    assertThat(ConsentPolicy.twoYearsAfter(occurredAt)).isEqualTo(occurredAt.atOffset(ZoneOffset.UTC).plusYears(2).toInstant());
  }

  @Provide
  Arbitrary<Instant> anyInstants() {
    Arbitrary<Instant> leapDays = Arbitraries.of(1904, 1968, 2000, 2024, 2096).flatMap(year ->
        Arbitraries.longs().between(0, 86_399_999_999_999L).map(nanoOfDay ->
            Instant.parse(year + "-02-29T00:00:00Z").plusNanos(nanoOfDay)));
    Arbitrary<Instant> anywhere = Combinators.combine(
        Arbitraries.longs().between(Instant.parse("1800-01-01T00:00:00Z").getEpochSecond(),
            Instant.parse("2100-12-31T23:59:59Z").getEpochSecond()),
        Arbitraries.integers().between(0, 999_999_999)).as(Instant::ofEpochSecond);
    return Arbitraries.oneOf(leapDays, anywhere);
  }

  @Property(tries = 300)
  @Label("at the latest event time, the verdict is what the rules say about the full history")
  void matchesRulesAtLatestEventTime(@ForAll("histories") List<ConsentEvent> history, @ForAll Profile profile) {
    ConsentState state = fold(history);
    Instant asOf = latest(state);
    Verdict v = POLICIES.get(profile).decide(state, asOf);
    Expected expected = Expected.of(state.contact().orElseThrow(), history, asOf, profile);
    assertThat(v.status()).as("status, verdict reasons %s", v.reasons()).isEqualTo(expected.status());
    assertThat(v.validUntil()).isEqualTo(expected.validUntil());
  }

  @Property(tries = 300)
  @Label("at any asOf from the latest event on, the verdict is what the rules say about the full history")
  void matchesRulesAtAnyLaterAsOf(@ForAll("histories") List<ConsentEvent> history, @ForAll("instants") Instant later,
                                  @ForAll Profile profile) {
    ConsentState state = fold(history);
    Instant asOf = atOrAfterLatest(state, later);
    Verdict v = POLICIES.get(profile).decide(state, asOf);
    Expected expected = Expected.of(state.contact().orElseThrow(), history, asOf, profile);
    assertThat(v.status()).as("status, verdict reasons %s", v.reasons()).isEqualTo(expected.status());
    assertThat(v.validUntil()).isEqualTo(expected.validUntil());
  }

  /**
   * docs/policy.md's deciding rules applied to every recorded event (nothing compacted), with the
   * code's decisions on what the rules leave open: withdrawals, membership ends and double opt-in
   * requests need no proof; under strict, implicit grants are set aside entirely and an unconfirmed
   * checkbox/newsletter signup is pending (and does not restore consent after a withdrawal).
   */
  private record Expected(ConsentStatus status, Instant validUntil) {

    static Expected of(Contact contact, List<ConsentEvent> history, Instant asOf, Profile profile) {
      Optional<EmailAddress> address = EmailAddress.parse(contact.email());
      if (address.isEmpty()) {
        return new Expected(ConsentStatus.INVALID_ADDRESS, null);
      }
      if (ROLES.isRoleBased(address.get())) {
        return new Expected(ConsentStatus.ROLE_BASED_ADDRESS, null);
      }
      Set<Evidence> occurred = new LinkedHashSet<>();
      for (ConsentEvent e : history) {
        if (e instanceof Evidence ev && ev.brandId().equals(contact.brandId()) && !ev.occurredAt().isAfter(asOf)) {
          occurred.add(ev);
        }
      }
      boolean strict = profile == Profile.STRICT;
      // Rule 3: a hard bounce with proof
      if (occurred.stream().anyMatch(e -> e.kind() == EvidenceKind.HARD_BOUNCE && e.isVerifiable())) {
        return new Expected(ConsentStatus.UNDELIVERABLE, null);
      }
      Instant latestWithdrawal = occurred.stream()
          .filter(e -> e.kind().effect() == EvidenceKind.Effect.WITHDRAWAL)
          .map(Evidence::occurredAt).max(Instant::compareTo).orElse(null);
      List<Evidence> grants = occurred.stream().filter(e -> e.kind().isGrant() && e.isVerifiable()).toList();
      List<Evidence> confirmations = grants.stream()
          .filter(e -> e.kind() == EvidenceKind.DOUBLE_OPT_IN_CONFIRMED).toList();

      boolean explicit = false;
      boolean strictUnconfirmed = false;
      for (Evidence g : grants) {
        if (g.kind().effect() != EvidenceKind.Effect.EXPLICIT_GRANT) {
          continue;
        }
        if (latestWithdrawal != null && !g.occurredAt().isAfter(latestWithdrawal)) {
          continue;
        }
        boolean confirmed = confirmations.stream().anyMatch(c -> !c.occurredAt().isBefore(g.occurredAt()));
        if (strict && g.kind().needsConfirmationUnderStrict() && !confirmed) {
          strictUnconfirmed = true;
        } else {
          explicit = true;
        }
      }
      // Rule 4 (rule 5 needs other contacts: the ledger's and the gate's tests)
      if (latestWithdrawal != null && !explicit) {
        return new Expected(ConsentStatus.WITHDRAWN, null);
      }
      // Rule 6
      if (explicit) {
        return new Expected(ConsentStatus.CONSENTED_EXPLICIT, null);
      }
      // Rules 7 and 8 (no withdrawal from here on)
      if (!strict) {
        boolean valid = false;
        boolean lapsed = false;
        boolean forever = false;
        Instant latestExpiry = null;
        for (Evidence g : grants) {
          if (g.kind().effect() != EvidenceKind.Effect.IMPLICIT_GRANT) {
            continue;
          }
          switch (g.kind()) {
            case PURCHASE, CONTRACT, DONATION, VOLUNTEERING -> {
              Instant until = g.occurredAt().atOffset(ZoneOffset.UTC).plusYears(2).toInstant();
              if (asOf.isBefore(until)) {
                valid = true;
                latestExpiry = latestExpiry == null || until.isAfter(latestExpiry) ? until : latestExpiry;
              } else {
                lapsed = true;
              }
            }
            case MEMBERSHIP_STARTED -> {
              boolean ended = occurred.stream().anyMatch(e -> e.kind() == EvidenceKind.MEMBERSHIP_ENDED
                  && !e.occurredAt().isBefore(g.occurredAt()));
              if (ended) {
                lapsed = true;
              } else {
                valid = true;
                forever = true;
              }
            }
            default -> {
              valid = true;
              forever = true;
            }
          }
        }
        if (valid) {
          return new Expected(ConsentStatus.CONSENTED_IMPLICIT, forever ? null : latestExpiry);
        }
        if (lapsed) {
          return new Expected(ConsentStatus.EXPIRED, null);
        }
      }
      // Rule 9
      boolean requested = occurred.stream().anyMatch(e -> e.kind() == EvidenceKind.DOUBLE_OPT_IN_REQUESTED);
      if (requested || strictUnconfirmed) {
        return new Expected(ConsentStatus.PENDING_CONFIRMATION, null);
      }
      // Rule 10
      return new Expected(contact.source().statusWithoutGrant(), null);
    }
  }
}
