package io.consentgate.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.app.GateConfig;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.Suppression;
import io.consentgate.policy.Verdict;
import io.consentgate.topology.TopologySettings;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Suppression by address in the offline replay (issue 23): a withdrawal, complaint or verified
 * hard bounce of one contact suppresses the other contacts of its brand and normalised address,
 * on one thread and on several, with the same output, and the final verdicts are what the policy
 * decides over each contact's events and the suppressions of the others of its address.
 *
 * <p>A live-topology leg runs the same histories through {@code new OfflineReplay(settings,
 * "topology")} in the dev stack (its {@code TopologyReplayEngine}, found by {@link java.util.ServiceLoader}).
 */
class AddressSuppressionReplayTest {

  private static final TopologySettings SETTINGS = settings();
  private static final Instant T0 = Instant.parse("2024-02-01T09:00:00Z");
  private static final Instant UNTIL = Instant.parse("2031-01-01T00:00:00Z");
  private static final Pattern CONTACT_ID = Pattern.compile("\"contactId\":\"([^\"]*)\"");
  private static final Pattern STATUS = Pattern.compile("\"status\":\"([^\"]*)\"");

  private static TopologySettings settings() {
    try {
      return GateConfig.load(null, Map.of()).topologySettings(false);
    } catch (GateConfig.ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- the example

  @Test
  void aContactCreatedLaterWithTheAddressOfOneThatUnsubscribedIsSuppressedNeverAllowed() throws Exception {
    List<ConsentEvent> history = List.of(
        contact("c-1", "acme", "ann@example.org", T0),
        evidence("p-1", "c-1", "acme", EvidenceKind.PURCHASE, T0.plusSeconds(60), "order-1"),
        evidence("u-1", "c-1", "acme", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(3600), null),
        evidence("p-2", "c-2", "acme", EvidenceKind.PURCHASE, T0.plus(Duration.ofDays(3)), "order-2"),
        contact("c-2", "acme", "Ann@Example.ORG", T0.plus(Duration.ofDays(3))));
    for (int threads : List.of(1, 2, 3)) {
      String out = replay(history, threads);
      Map<String, List<String>> byContact = statusesByContact(out);
      assertThat(byContact.get("c-1")).as("%d thread(s)", threads).containsExactly("NO_CONSENT", "CONSENTED_IMPLICIT", "WITHDRAWN");
      assertThat(byContact.get("c-2")).as("%d thread(s)", threads).containsExactly("SUPPRESSED");
      assertThat(out.lines().filter(l -> l.contains("\"contactId\":\"c-2\""))).as("%d thread(s)", threads)
          .allMatch(l -> l.contains("\"decision\":\"DENY\""));
    }
  }

  @Test
  void groupsThatMeetInALaterContactRecordAreMovedToOneShardAndDecideAsOnOneThread() {
    // The second contact's evidence comes first, so it is placed by its id; bob's address goes
    // where the first contact is. Ids chosen so that both others land in the other shard: the
    // second's record, at bob's address, moves it; so does the third's when it moves to bob's.
    String first = "c-1";
    String second = idInAnotherShard(first, 2, "c-x");
    String third = idInAnotherShard(first, 2, "c-y");
    List<ConsentEvent> history = List.of(
        evidence("x-2", second, "acme", EvidenceKind.CHECKBOX_OPT_IN, T0, "form-2"),
        contact(first, "acme", "bob@example.org", T0.plusSeconds(10)),
        evidence("s-1", first, "acme", EvidenceKind.SPAM_COMPLAINT, T0.plusSeconds(20), null),
        contact(second, "acme", "BOB+news@example.org", T0.plusSeconds(30)),
        contact(third, "acme", "carl@example.org", T0.plusSeconds(40)),
        evidence("x-3", third, "acme", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(50), "form-3"),
        // the third contact moves to bob's address: its group joins the others, wherever they are
        contact(third, "acme", "bob@Example.org", T0.plusSeconds(60)),
        evidence("b-1", first, "acme", EvidenceKind.HARD_BOUNCE, T0.plusSeconds(70), "dsn-1"));
    List<String> one = new ArrayList<>();
    List<String> two = new ArrayList<>();
    try (DirectReplayEngine direct = new DirectReplayEngine(SETTINGS, sink(one));
         ShardedReplayEngine sharded = new ShardedReplayEngine(SETTINGS, sink(two), 2)) {
      feed(direct, history);
      feed(sharded, history);
      assertThat(sharded.moves()).as("groups moved").isEqualTo(2);
    }
    assertThat(two).isEqualTo(one);
    // The third's opt-in came after the complaint (it counts), not after the bounce (it does not).
    assertThat(one).containsSubsequence(first + ":WITHDRAWN", second + ":SUPPRESSED", third + ":CONSENTED_EXPLICIT",
        first + ":UNDELIVERABLE", third + ":SUPPRESSED");
    assertThat(one).filteredOn(v -> v.startsWith(second + ":")).containsExactly(second + ":SUPPRESSED");
  }

  private static String idInAnotherShard(String id, int shards, String prefix) {
    for (int i = 0; ; i++) {
      String other = prefix + i;
      if (Math.floorMod(other.hashCode(), shards) != Math.floorMod(id.hashCode(), shards)) {
        return other;
      }
    }
  }

  private static ReplayEngine.Sink sink(List<String> out) {
    return new ReplayEngine.Sink() {
      @Override
      public void verdict(ConsentVerdict verdict) {
        out.add(verdict.getContactId() + ":" + verdict.getStatus());
      }

      @Override
      public void refused(String reason) {
        throw new AssertionError(reason);
      }
    };
  }

  /** As the replay feeds an engine: the clock at the latest event time, moved before each record that moves it. */
  private static void feed(ReplayEngine engine, List<ConsentEvent> history) {
    Instant clock = Instant.EPOCH;
    for (ConsentEvent e : history) {
      if (e.eventTime().isAfter(clock)) {
        engine.advanceClock(clock, e.eventTime());
        clock = e.eventTime();
      }
      engine.accept(null, e, null);
    }
    engine.advanceClock(clock, UNTIL);
    engine.flush();
  }

  // ---------------------------------------------------------------- the property

  /**
   * Random histories of a few contacts sharing a few addresses (spelt with other cases and
   * +tags, some of another brand), with grants, withdrawals, complaints and bounces with and
   * without proof, contacts created before and after them, evidence before its contact record,
   * late records and duplicates. On 1, 2 and 3 threads: the same bytes, so the same verdicts per
   * contact in the same order; and each contact's last verdict is the oracle's.
   */
  @Property(tries = 300)
  void oneTwoAndThreeThreadsAgreeAndTheFinalVerdictsAreThePolicysOverTheAddress(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed) throws Exception {
    List<ConsentEvent> history = randomHistory(new SplittableRandom(seed), false);
    String one = replay(history, 1);
    for (int threads : List.of(2, 3)) {
      String many = replay(history, threads);
      assertThat(statusesByContact(many)).as("%d threads, per contact", threads).isEqualTo(statusesByContact(one));
      assertThat(many).as("%d threads", threads).isEqualTo(one);
    }
    Map<String, String> last = new TreeMap<>();
    statusesByContact(one).forEach((contactId, statuses) -> last.put(contactId, statuses.get(statuses.size() - 1)));
    assertThat(last).isEqualTo(oracle(history));
  }

  /** Contacts whose address changes join groups of other shards (moves): the threads still agree. */
  @Property(tries = 200)
  void addressChangesMoveGroupsBetweenShardsWithoutChangingTheOutput(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed) throws Exception {
    List<ConsentEvent> history = randomHistory(new SplittableRandom(seed), true);
    String one = replay(history, 1);
    for (int threads : List.of(2, 3)) {
      assertThat(replay(history, threads)).as("%d threads", threads).isEqualTo(one);
    }
  }

  private static final String[] LOCALS = {"ann", "bob", "chen"};
  private static final EvidenceKind[] KINDS = {
      EvidenceKind.UNSUBSCRIBE, EvidenceKind.SPAM_COMPLAINT, EvidenceKind.HARD_BOUNCE, EvidenceKind.HARD_BOUNCE,
      EvidenceKind.CHECKBOX_OPT_IN, EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, EvidenceKind.PURCHASE,
      EvidenceKind.WEBSITE_FORM, EvidenceKind.NEWSLETTER_SIGNUP, EvidenceKind.MEMBERSHIP_STARTED};

  private static List<ConsentEvent> randomHistory(SplittableRandom random, boolean addressChanges) {
    int addresses = 1 + random.nextInt(LOCALS.length);
    int contacts = 2 + random.nextInt(7);
    List<Timed> records = new ArrayList<>();
    for (int c = 0; c < contacts; c++) {
      String contactId = "c-" + c;
      String brand = random.nextInt(6) == 0 ? "globex" : "acme";
      Instant created = T0.plus(Duration.ofHours(random.nextInt(24 * 60)));
      String local = LOCALS[random.nextInt(addresses)];
      records.add(new Timed(contact(contactId, brand, spelling(random, local), created), random));
      if (addressChanges && random.nextInt(3) == 0) {
        Instant moved = created.plus(Duration.ofHours(1 + random.nextInt(24 * 30)));
        records.add(new Timed(contact(contactId, brand, spelling(random, LOCALS[random.nextInt(addresses)]), moved),
            random));
      }
      int evidence = random.nextInt(5);
      for (int e = 0; e < evidence; e++) {
        EvidenceKind kind = KINDS[random.nextInt(KINDS.length)];
        String evidenceBrand = random.nextInt(10) == 0 ? (brand.equals("acme") ? "globex" : "acme") : brand;
        Instant at = created.plus(Duration.ofHours(random.nextInt(24 * 90) - 48));
        records.add(new Timed(evidence(contactId + "-e" + e, contactId, evidenceBrand, kind, at,
            random.nextInt(4) == 0 ? null : "proof-" + contactId + "-" + e), random));
      }
    }
    records.sort(Comparator.comparing(Timed::appendedAt));
    List<ConsentEvent> history = new ArrayList<>();
    for (Timed t : records) {
      history.add(t.event());
      if (random.nextInt(15) == 0) {
        history.add(t.event()); // a duplicate
      }
    }
    return history;
  }

  /** A record and when it was appended: mostly when it happened, some days late. */
  private record Timed(ConsentEvent event, Instant appendedAt) {
    Timed(ConsentEvent event, SplittableRandom random) {
      this(event, event.eventTime().plus(Duration.ofHours(random.nextInt(4) == 0 ? random.nextInt(24 * 10) : 0)));
    }
  }

  /** The same mailbox spelt otherwise: the case of its letters, a +tag. */
  private static String spelling(SplittableRandom random, String local) {
    String address = local + (random.nextInt(3) == 0 ? "+tag" + random.nextInt(3) : "") + "@example.org";
    StringBuilder spelt = new StringBuilder();
    for (char ch : address.toCharArray()) {
      spelt.append(random.nextInt(4) == 0 ? Character.toUpperCase(ch) : ch);
    }
    return spelt.toString();
  }

  /**
   * Each contact's final status by the policy alone: its own events, plus every withdrawal,
   * complaint and verified bounce that another contact with its brand and address recorded for
   * that brand, folded into one state and decided as of the end. Histories without address changes.
   */
  private static Map<String, String> oracle(List<ConsentEvent> history) {
    Map<String, ConsentState> states = new LinkedHashMap<>();
    for (ConsentEvent e : history) {
      states.merge(e.contactId(), ConsentState.EMPTY.with(e), (kept, fresh) -> kept.with(e));
    }
    ConsentPolicy policy = new ConsentPolicy(SETTINGS.policy());
    Map<String, String> decided = new TreeMap<>();
    states.forEach((contactId, own) -> {
      if (own.contact().isEmpty()) {
        return;
      }
      AddressKey address = AddressKey.of(own.contact().get()).orElseThrow();
      ConsentState state = own;
      for (Map.Entry<String, ConsentState> other : states.entrySet()) {
        Contact otherContact = other.getValue().contact().orElse(null);
        if (other.getKey().equals(contactId) || otherContact == null
            || !AddressKey.of(otherContact).orElseThrow().equals(address)) {
          continue;
        }
        for (Evidence e : other.getValue().evidence()) {
          if (e.kind().suppressesAddress() && e.brandId().equals(otherContact.brandId())
              && (e.kind() != EvidenceKind.HARD_BOUNCE || e.isVerifiable())) {
            state = state.with(Suppression.notice(address, e).deliveredTo(contactId));
          }
        }
      }
      Verdict verdict = policy.decide(state, UNTIL);
      decided.put(contactId, verdict.status().name());
    });
    return decided;
  }

  // ---------------------------------------------------------------- replaying a history

  private static Contact contact(String id, String brand, String email, Instant at) {
    return new Contact(id, brand, email, ContactSource.OWN_CHANNEL, at);
  }

  private static Evidence evidence(String id, String contactId, String brand, EvidenceKind kind, Instant at, String proof) {
    return new Evidence(id, contactId, brand, kind, at, proof);
  }

  /** The history as a JSON-lines file, replayed as the replay command does, until {@link #UNTIL}. */
  private static String replay(List<ConsentEvent> history, int threads) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    OfflineReplay.Result result = new OfflineReplay(SETTINGS, OfflineReplay.DIRECT, threads)
        .run(new BufferedReader(new StringReader(jsonLines(history))), UNTIL, new PrintWriter(out), new PrintWriter(err));
    assertThat(err.toString()).isEmpty();
    assertThat(result.clean()).isTrue();
    return out.toString();
  }

  private static String jsonLines(List<ConsentEvent> history) {
    StringBuilder lines = new StringBuilder();
    for (ConsentEvent e : history) {
      if (e instanceof Contact c) {
        lines.append(String.format(Locale.ROOT, "{\"type\":\"contact\",\"contactId\":\"%s\",\"brandId\":\"%s\","
            + "\"email\":\"%s\",\"source\":\"%s\",\"createdAt\":\"%s\"}%n", c.contactId(), c.brandId(), c.email(),
            c.source(), c.createdAt()));
      } else if (e instanceof Evidence v) {
        lines.append(String.format(Locale.ROOT, "{\"type\":\"evidence\",\"evidenceId\":\"%s\",\"contactId\":\"%s\","
            + "\"brandId\":\"%s\",\"kind\":\"%s\",\"occurredAt\":\"%s\"%s}%n", v.evidenceId(), v.contactId(),
            v.brandId(), v.kind(), v.occurredAt(),
            v.proofReference() == null ? "" : ",\"proof\":{\"reference\":\"" + v.proofReference() + "\"}"));
      }
    }
    return lines.toString();
  }

  /** Each contact's statuses, in the order its verdicts were written. */
  private static Map<String, List<String>> statusesByContact(String verdicts) {
    Map<String, List<String>> byContact = new TreeMap<>();
    verdicts.lines().forEach(line -> {
      Matcher id = CONTACT_ID.matcher(line);
      Matcher status = STATUS.matcher(line);
      assertThat(id.find() && status.find()).as(line).isTrue();
      byContact.computeIfAbsent(id.group(1), k -> new ArrayList<>()).add(status.group(1));
    });
    return byContact;
  }
}
