package io.consentgate.client;

import static io.consentgate.client.Verdicts.allow;
import static io.consentgate.client.Verdicts.deny;
import static io.consentgate.client.Verdicts.implicit;
import static io.consentgate.client.Verdicts.verdict;
import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.Decision;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.InMemorySchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The view's rules, fed records and offsets by hand: no broker, no waiting (the clock is the test's). */
class VerdictViewTest {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final TopicPartition P0 = new TopicPartition("consent-verdicts", 0);
  private static final TopicPartition P1 = new TopicPartition("consent-verdicts", 1);

  private final MutableClock clock = new MutableClock(NOW);

  private VerdictView view(Duration gateBehindAfter) {
    return new VerdictView(new VerdictView.Settings(clock, Duration.ofMinutes(1), gateBehindAfter, false));
  }

  /** A view that has read its topic up to the end it found at start (now). */
  private VerdictView readyView() {
    VerdictView view = view(null);
    view.endOffsetsTaken(clock.millis(), Map.of(P0, 0L));
    view.positions(Map.of(P0, 0L));
    return view;
  }

  @Test
  void anUnknownContactMayNotBeEmailed() {
    VerdictView view = readyView();
    view.apply("c-ann", allow("c-ann", 0, 1));
    Permission p = view.check("c-nobody");
    assertThat(p.mayEmail()).isFalse();
    assertThat(p.mayEmailOneToOne()).isFalse();
    assertThat(p.reason()).isEqualTo(Reason.UNKNOWN_CONTACT);
    assertThat(p.verdict()).isNull();
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.ALLOWED);
  }

  @Test
  void nothingIsAllowedUntilTheViewHasReadUpToTheEndOffsetsItFoundAtStart() {
    VerdictView view = view(null);
    view.apply("c-ann", allow("c-ann", 0, 1));
    assertThat(view.check("c-ann").reason()).as("no end offsets seen yet").isEqualTo(Reason.NOT_READY);
    view.endOffsetsTaken(clock.millis(), Map.of(P0, 5L, P1, 3L));
    view.positions(Map.of(P0, 5L, P1, 2L));
    Permission p = view.check("c-ann");
    assertThat(p.reason()).as("one partition short of its start end offset").isEqualTo(Reason.NOT_READY);
    assertThat(p.mayEmail()).isFalse();
    assertThat(p.mayEmailOneToOne()).isFalse();
    assertThat(p.verdict()).as("the verdict held so far is shown, not trusted").isNotNull();
    assertThat(view.status().ready()).isFalse();
    view.positions(Map.of(P0, 5L, P1, 3L));
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.ALLOWED);
    assertThat(view.status().ready()).isTrue();
  }

  @Test
  void anAllowWhoseValidUntilHasBeenReachedIsNoWithoutWaitingForTheGatesLapseVerdict() {
    VerdictView view = readyView();
    Instant until = NOW.plusSeconds(10);
    view.apply("c-bob", implicit("c-bob", until, 0, 2));
    assertThat(view.check("c-bob").reason()).isEqualTo(Reason.ALLOWED);
    assertThat(view.check("c-bob", until.minusMillis(1)).mayEmail()).isTrue();
    Permission atTheInstant = view.check("c-bob", until);
    assertThat(atTheInstant.mayEmail()).as("validUntil <= now").isFalse();
    assertThat(atTheInstant.reason()).isEqualTo(Reason.EXPIRED);
    assertThat(atTheInstant.mayEmailOneToOne()).as("a lapse does not touch one-to-one").isTrue();
    clock.set(until.plusSeconds(1));
    view.endOffsetsTaken(clock.millis(), Map.of(P0, 0L)); // keep the view current at the new time
    view.positions(Map.of(P0, 0L));
    assertThat(view.check("c-bob").reason()).isEqualTo(Reason.EXPIRED);
    assertThat(view.check("c-bob").verdict().validUntil()).contains(until);
  }

  @ParameterizedTest
  @EnumSource(value = ConsentStatus.class, names = {"CONSENTED_EXPLICIT", "CONSENTED_IMPLICIT"}, mode = EnumSource.Mode.EXCLUDE)
  void anAllowCountsOnlyWithAConsentedStatus(ConsentStatus status) {
    VerdictView view = readyView();
    view.apply("c-odd", verdict("c-odd", Decision.ALLOW, status, null, 0, 1));
    Permission p = view.check("c-odd");
    assertThat(p.mayEmail()).isFalse();
    assertThat(p.reason()).isEqualTo(Reason.NOT_CONSENTED);
  }

  @ParameterizedTest
  @EnumSource(ConsentStatus.class)
  void aDenyIsNoWhateverTheStatus(ConsentStatus status) {
    VerdictView view = readyView();
    view.apply("c-x", verdict("c-x", Decision.DENY, status, null, 0, 1));
    assertThat(view.check("c-x").reason()).isEqualTo(Reason.DENIED);
    assertThat(view.check("c-x").verdict().status()).isEqualTo(status);
  }

  @Test
  void anUndeliverableContactMayNotBeEmailedAtAllNotEvenOneToOne() {
    VerdictView view = readyView();
    view.apply("c-cat", deny("c-cat", ConsentStatus.UNDELIVERABLE, 0, 1));
    Permission p = view.check("c-cat");
    assertThat(p.mayEmail()).isFalse();
    assertThat(p.mayEmailOneToOne()).as("the address takes no mail").isFalse();
    assertThat(p.reason()).isEqualTo(Reason.DENIED);
    assertThat(p.verdict().status()).isEqualTo(ConsentStatus.UNDELIVERABLE);
  }

  @Test
  void aContactSuppressedByAnotherContactsUnsubscribeIsNoForMarketingAndSaysWhy() {
    VerdictView view = readyView();
    ConsentVerdict suppressed = verdict("c-ann2", Decision.DENY, ConsentStatus.SUPPRESSED, null, 0, 2);
    suppressed.setOneToOneAllowed(true); // withdrawn elsewhere: a personal message is still allowed
    suppressed.setReasons(List.of("SUPPRESSED", "WITHDRAWN_ELSEWHERE:c-ann/u-9"));
    suppressed.setEvidenceIds(List.of("u-9"));
    view.apply("c-ann2", allow("c-ann2", 0, 1));
    assertThat(view.check("c-ann2").mayEmail()).isTrue();
    view.apply("c-ann2", suppressed);
    Permission p = view.check("c-ann2");
    assertThat(p.mayEmail()).isFalse();
    assertThat(p.reason()).isEqualTo(Reason.DENIED);
    assertThat(p.mayEmailOneToOne()).isTrue();
    assertThat(p.verdict().status()).isEqualTo(ConsentStatus.SUPPRESSED);
    assertThat(p.verdict().allowsMarketingAt(NOW)).isFalse();

    ConsentVerdict bounced = verdict("c-ann2", Decision.DENY, ConsentStatus.SUPPRESSED, null, 0, 3);
    bounced.setOneToOneAllowed(false); // bounced elsewhere: the address takes no mail
    view.apply("c-ann2", bounced);
    assertThat(view.check("c-ann2").mayEmailOneToOne()).isFalse();
    assertThat(view.check("c-ann2").reason()).isEqualTo(Reason.DENIED);
  }

  @Test
  void aStatusNewerThanTheLatestKnownStillReadsAsNo() throws Exception {
    // The latest symbols are UNDELIVERABLE and SUPPRESSED; one appended after them is unknown here.
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    byte[] bytes = fromNewerGate(registry, "consent-verdicts", "DENY", "CONSENTED_BY_CONTRACT");
    ConsentVerdict read = new ConfluentAvroSerde<>(registry, ConsentVerdict.class).deserialize("consent-verdicts", bytes);
    assertThat(read.getStatus()).isEqualTo(ConsentStatus.NO_CONSENT);
    VerdictView view = readyView();
    view.apply("c-new", read);
    assertThat(view.check("c-new").mayEmail()).isFalse();
    assertThat(view.check("c-new").reason()).isEqualTo(Reason.DENIED);
  }

  /** Writes {@code value} with a newer writer schema that has symbols this client does not know. */
  private static byte[] fromNewerGate(InMemorySchemaRegistry registry, String topic, String decision, String status)
      throws Exception {
    String avsc;
    try (InputStream in = ConsentVerdict.class.getResourceAsStream("/avro/ConsentVerdict.avsc")) {
      avsc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String newer = avsc.replace("\"symbols\": [\"ALLOW\", \"DENY\"]", "\"symbols\": [\"ALLOW\", \"DENY\", \"ALLOW_LATER\"]")
        .replace("\"SUPPRESSED\"]", "\"SUPPRESSED\", \"CONSENTED_BY_CONTRACT\"]");
    assertThat(newer).contains("ALLOW_LATER").contains("CONSENTED_BY_CONTRACT");
    Schema writer = new Schema.Parser().parse(newer);
    int id = registry.register(topic + "-value", writer);
    GenericRecord r = new GenericData.Record(writer);
    r.put("contactId", "c-new");
    r.put("brandId", "acme");
    r.put("email", "new@example.org");
    r.put("decision", new GenericData.EnumSymbol(writer.getField("decision").schema(), decision));
    r.put("status", new GenericData.EnumSymbol(writer.getField("status").schema(), status));
    r.put("oneToOneAllowed", true);
    r.put("validUntil", null);
    r.put("reasons", List.of(status));
    r.put("evidenceIds", List.of());
    r.put("recommendations", List.of());
    r.put("decidedAt", NOW.toEpochMilli());
    r.put("policy", "optin/2");
    r.put("version", 1L);
    r.put("epoch", 0L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(new byte[] {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(writer).write(r, enc);
    enc.flush();
    return out.toByteArray();
  }

  @Test
  void anAllowWithAStatusSymbolNewerThanTheClientReadsAsNoConsentAndIsNo() throws Exception {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    byte[] bytes = fromNewerGate(registry, "consent-verdicts", "ALLOW", "CONSENTED_BY_CONTRACT");
    ConsentVerdict read = new ConfluentAvroSerde<>(registry, ConsentVerdict.class).deserialize("consent-verdicts", bytes);
    assertThat(read.getDecision()).isEqualTo(Decision.ALLOW);
    assertThat(read.getStatus()).as("the enum's default").isEqualTo(ConsentStatus.NO_CONSENT);
    VerdictView view = readyView();
    view.apply("c-new", read);
    assertThat(view.check("c-new").mayEmail()).isFalse();
    assertThat(view.check("c-new").reason()).isEqualTo(Reason.NOT_CONSENTED);
  }

  @Test
  void aDecisionSymbolNewerThanTheClientReadsAsDenyAndIsNo() throws Exception {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    byte[] bytes = fromNewerGate(registry, "consent-verdicts", "ALLOW_LATER", "CONSENTED_EXPLICIT");
    ConsentVerdict read = new ConfluentAvroSerde<>(registry, ConsentVerdict.class).deserialize("consent-verdicts", bytes);
    assertThat(read.getDecision()).isEqualTo(Decision.DENY);
    VerdictView view = readyView();
    view.apply("c-new", read);
    assertThat(view.check("c-new").reason()).isEqualTo(Reason.DENIED);
  }

  @Test
  void withoutANewerSnapshotReachedWithinTheLimitEveryAnswerIsStale() {
    VerdictView view = readyView(); // snapshot at NOW, reached
    view.apply("c-ann", allow("c-ann", 0, 1));
    clock.advance(Duration.ofSeconds(60));
    assertThat(view.check("c-ann").reason()).as("exactly the limit old: still current").isEqualTo(Reason.ALLOWED);
    clock.advance(Duration.ofMillis(1));
    // Empty polls: positions still equal the old end offsets, which proves nothing when brokers are gone.
    view.positions(Map.of(P0, 0L));
    Permission p = view.check("c-ann");
    assertThat(p.reason()).isEqualTo(Reason.STALE);
    assertThat(p.mayEmail()).isFalse();
    assertThat(p.mayEmailOneToOne()).isFalse();
    assertThat(view.status().stale()).isTrue();
    assertThat(view.status().answering()).isFalse();
    assertThat(view.check("c-nobody").reason()).as("no contact is answered for while stale").isEqualTo(Reason.STALE);

    // A snapshot taken now but not yet reached does not help ...
    view.endOffsetsTaken(clock.millis(), Map.of(P0, 4L));
    view.positions(Map.of(P0, 3L));
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.STALE);
    // ... reaching it does.
    view.positions(Map.of(P0, 4L));
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.ALLOWED);
    assertThat(view.status().viewCurrentAsOf()).contains(clock.instant());
  }

  @Test
  void underContinuousCommitsTheViewStaysCurrentThoughItsPositionNeverEqualsTheEndSeenAtTheSameInstant() {
    VerdictView view = readyView();
    view.apply("c-ann", allow("c-ann", 0, 1));
    long end = 0;
    for (int second = 1; second <= 600; second++) {
      clock.advance(Duration.ofSeconds(1));
      long position = end; // the reader has just read what was there a second ago ...
      end += 100; // ... while a hundred new verdicts were committed
      view.endOffsetsTaken(clock.millis(), Map.of(P0, end));
      view.positions(Map.of(P0, position));
      assertThat(position).isLessThan(end);
      assertThat(view.check("c-ann").reason()).as("second %d", second).isEqualTo(Reason.ALLOWED);
    }
    // The reader stops (say, stuck on a registry outage) while commits go on: stale after the limit.
    long stuckAt = end;
    for (int second = 1; second <= 61; second++) {
      clock.advance(Duration.ofSeconds(1));
      end += 100;
      view.endOffsetsTaken(clock.millis(), Map.of(P0, end));
      view.positions(Map.of(P0, stuckAt));
    }
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.STALE);
    assertThat(view.status().lagRecords()).isEqualTo(end - stuckAt);
  }

  @Test
  void withTheGateWatchedAnswersWaitForTheGateToHaveProcessedTheInputSeenWithinTheLimit() {
    VerdictView view = view(Duration.ofMinutes(1));
    view.endOffsetsTaken(clock.millis(), Map.of(P0, 0L));
    view.positions(Map.of(P0, 0L));
    view.apply("c-ann", allow("c-ann", 0, 1));
    assertThat(view.check("c-ann").reason()).as("nothing known of the gate yet").isEqualTo(Reason.GATE_BEHIND);

    TopicPartition in0 = new TopicPartition("consent-evidence", 0);
    TopicPartition in1 = new TopicPartition("contact-created", 0);
    view.gateInputEndsTaken(clock.millis(), Map.of(in0, 10L, in1, 4L));
    view.gateCommitted(Map.of(in0, 9L, in1, 4L));
    assertThat(view.check("c-ann").reason()).as("a record waits unprocessed").isEqualTo(Reason.GATE_BEHIND);
    view.gateCommitted(Map.of(in0, 10L, in1, 4L));
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.ALLOWED);
    assertThat(view.status().gateCurrentAsOf()).contains(clock.instant());

    // A withdrawal arrives and the gate does not process it: behind once the limit has passed.
    clock.advance(Duration.ofSeconds(30));
    view.endOffsetsTaken(clock.millis(), Map.of(P0, 0L));
    view.positions(Map.of(P0, 0L));
    view.gateInputEndsTaken(clock.millis(), Map.of(in0, 11L, in1, 4L));
    view.gateCommitted(Map.of(in0, 10L, in1, 4L));
    assertThat(view.check("c-ann").reason()).as("input seen 30 s ago was processed").isEqualTo(Reason.ALLOWED);
    clock.advance(Duration.ofSeconds(31));
    view.endOffsetsTaken(clock.millis(), Map.of(P0, 0L));
    view.positions(Map.of(P0, 0L));
    view.gateInputEndsTaken(clock.millis(), Map.of(in0, 11L, in1, 4L));
    view.gateCommitted(Map.of(in0, 10L, in1, 4L));
    Permission p = view.check("c-ann");
    assertThat(p.reason()).isEqualTo(Reason.GATE_BEHIND);
    assertThat(p.mayEmail()).isFalse();
    assertThat(view.status().gateBehind()).isTrue();
    view.gateCommitted(Map.of(in0, 11L, in1, 4L));
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.ALLOWED);
  }

  @Test
  void withoutTheGateWatchedTheGateIsNotAsked() {
    VerdictView view = readyView();
    view.apply("c-ann", allow("c-ann", 0, 1));
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.ALLOWED);
    assertThat(view.status().gateWatched()).isFalse();
    assertThat(view.status().gateBehind()).isFalse();
  }

  @Test
  void theVerdictWithTheHighestEpochAndVersionIsKeptAndLowerOnesAreCounted() {
    VerdictView view = readyView();
    List<String> told = new ArrayList<>();
    view.addListener((id, v) -> told.add(id + "=" + (v == null ? "removed" : v.decision() + "@" + v.epoch() + "." + v.version())));
    assertThat(view.apply("c-ann", allow("c-ann", 0, 1))).isEqualTo(VerdictView.Outcome.NEW);
    assertThat(view.apply("c-ann", deny("c-ann", ConsentStatus.WITHDRAWN, 0, 3))).isEqualTo(VerdictView.Outcome.REPLACED);
    assertThat(view.apply("c-ann", allow("c-ann", 0, 2))).as("an older version arriving late").isEqualTo(VerdictView.Outcome.ORDERED_BELOW);
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.DENIED);
    // A re-decided epoch outranks every version of the one before, even with a lower version.
    assertThat(view.apply("c-ann", allow("c-ann", 1, 1))).isEqualTo(VerdictView.Outcome.REPLACED);
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.ALLOWED);
    assertThat(view.apply("c-ann", deny("c-ann", ConsentStatus.WITHDRAWN, 0, 9))).isEqualTo(VerdictView.Outcome.ORDERED_BELOW);
    assertThat(view.check("c-ann").verdict().epoch()).isEqualTo(1);
    assertThat(view.apply("c-ann", deny("c-ann", ConsentStatus.WITHDRAWN, 1, 1))).as("equal: the later record wins")
        .isEqualTo(VerdictView.Outcome.REPLACED);
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.DENIED);
    assertThat(view.status().orderedBelow()).isEqualTo(2);
    assertThat(told).containsExactly("c-ann=ALLOW@0.1", "c-ann=DENY@0.3", "c-ann=ALLOW@1.1", "c-ann=DENY@1.1");
  }

  @Test
  void aTombstoneRemovesTheContactAndTellsTheListeners() {
    VerdictView view = readyView();
    List<String> told = new ArrayList<>();
    view.addListener((id, v) -> told.add(id + "=" + (v == null ? "removed" : v.decision())));
    view.apply("c-ann", allow("c-ann", 0, 1));
    assertThat(view.size()).isEqualTo(1);
    assertThat(view.apply("c-ann", null)).isEqualTo(VerdictView.Outcome.REMOVED);
    assertThat(view.size()).isZero();
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.UNKNOWN_CONTACT);
    assertThat(view.apply("c-ann", null)).isEqualTo(VerdictView.Outcome.ABSENT);
    assertThat(view.apply("c-ann", allow("c-ann", 0, 1))).as("after removal, any verdict starts afresh").isEqualTo(VerdictView.Outcome.NEW);
    assertThat(told).containsExactly("c-ann=ALLOW", "c-ann=removed", "c-ann=ALLOW");
  }

  @Test
  void aListenerThatThrowsIsCountedAndTheOthersStillHear() {
    VerdictView view = readyView();
    List<String> told = new ArrayList<>();
    view.addListener((id, v) -> {
      throw new IllegalStateException("boom");
    });
    view.addListener((id, v) -> told.add(id));
    view.apply("c-ann", allow("c-ann", 0, 1));
    assertThat(told).containsExactly("c-ann");
    assertThat(view.listenerFailures()).isEqualTo(1);
    assertThat(view.check("c-ann").mayEmail()).isTrue();
  }

  @Test
  void aVerdictKeyedByAnotherContactDropsWhatTheKeyHeld() {
    VerdictView view = readyView();
    view.apply("c-ann", allow("c-ann", 0, 1));
    assertThat(view.apply("c-ann", allow("c-bob", 0, 2))).isEqualTo(VerdictView.Outcome.REMOVED);
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.UNKNOWN_CONTACT);
    assertThat(view.check("c-bob").reason()).isEqualTo(Reason.UNKNOWN_CONTACT);
    assertThat(view.status().unreadable()).isEqualTo(1);
  }

  @Test
  void epochsAndVersionsOfAnySizeAreOrderedExactly() {
    VerdictView view = readyView();
    String id = "c-0c3a6f4e-9b1d-4d2e-8f7a-1234567890ab";
    view.apply(id, allow(id, 8191, (1L << 40) - 1));
    assertThat(view.check(id).verdict().epoch()).isEqualTo(8191);
    assertThat(view.check(id).verdict().version()).isEqualTo((1L << 40) - 1);
    assertThat(view.apply(id, deny(id, ConsentStatus.WITHDRAWN, 8192, 1))).isEqualTo(VerdictView.Outcome.REPLACED);
    assertThat(view.apply(id, allow(id, 8191, Long.MAX_VALUE))).isEqualTo(VerdictView.Outcome.ORDERED_BELOW);
    assertThat(view.apply(id, allow(id, 8192, 1L << 41))).isEqualTo(VerdictView.Outcome.REPLACED);
    assertThat(view.apply(id, allow(id, 8192, (1L << 41) - 1))).isEqualTo(VerdictView.Outcome.ORDERED_BELOW);
    assertThat(view.apply(id, deny(id, ConsentStatus.WITHDRAWN, Long.MAX_VALUE, 0))).isEqualTo(VerdictView.Outcome.REPLACED);
    VerdictSummary v = view.check(id).verdict();
    assertThat(v.epoch()).isEqualTo(Long.MAX_VALUE);
    assertThat(v.version()).isZero();
    assertThat(v.decision()).isEqualTo(Decision.DENY);
  }

  @Test
  void theSummaryCarriesWhatADecisionNeeds() {
    VerdictView view = readyView();
    Instant until = NOW.plus(Duration.ofDays(300));
    view.apply("c-bob", implicit("c-bob", until, 2, 7));
    VerdictSummary v = view.check("c-bob").verdict();
    assertThat(v.contactId()).isEqualTo("c-bob");
    assertThat(v.decision()).isEqualTo(Decision.ALLOW);
    assertThat(v.status()).isEqualTo(ConsentStatus.CONSENTED_IMPLICIT);
    assertThat(v.oneToOneAllowed()).isTrue();
    assertThat(v.validUntil()).contains(until);
    assertThat(v.decidedAt()).isEqualTo(Verdicts.DECIDED);
    assertThat(v.epoch()).isEqualTo(2);
    assertThat(v.version()).isEqualTo(7);
    assertThat(v.reasons()).as("not kept unless asked").isEmpty();
    view.apply("c-kim", deny("c-kim", ConsentStatus.INVALID_ADDRESS, 0, 1));
    assertThat(view.check("c-kim").mayEmailOneToOne()).isFalse();
    assertThat(view.check("c-kim").verdict().validUntil()).isEmpty();
  }

  @Test
  void reasonsAreKeptOnRequest() {
    VerdictView view = new VerdictView(new VerdictView.Settings(clock, Duration.ofMinutes(1), null, true));
    view.endOffsetsTaken(clock.millis(), Map.of());
    view.positions(Map.of());
    view.apply("c-ann", allow("c-ann", 0, 1));
    assertThat(view.check("c-ann").verdict().reasons()).contains(List.of("CONSENTED_EXPLICIT"));
    assertThat(view.reasons("c-ann")).contains(List.of("CONSENTED_EXPLICIT"));
    view.apply("c-ann", null);
    assertThat(view.reasons("c-ann")).isEmpty();
  }

  @Test
  void aCampaignListIsSplitInOnePassAsOfOneInstant() {
    VerdictView view = readyView();
    view.apply("c-ann", allow("c-ann", 0, 1));
    view.apply("c-bob", implicit("c-bob", NOW.minusSeconds(1), 0, 2));
    view.apply("c-chen", deny("c-chen", ConsentStatus.WITHDRAWN, 0, 3));
    view.apply("c-jo", allow("c-jo", 0, 1));
    AudienceSplit split = view.filter(List.of("c-ann", "c-bob", "c-chen", "c-nobody", "c-jo"));
    assertThat(split.allowed()).containsExactly("c-ann", "c-jo");
    assertThat(split.denied()).extracting(Permission::contactId, Permission::reason).containsExactly(
        org.assertj.core.groups.Tuple.tuple("c-bob", Reason.EXPIRED),
        org.assertj.core.groups.Tuple.tuple("c-chen", Reason.DENIED),
        org.assertj.core.groups.Tuple.tuple("c-nobody", Reason.UNKNOWN_CONTACT));

    List<String> allowed = new ArrayList<>();
    List<String> denied = new ArrayList<>();
    Iterable<String> huge = () -> java.util.stream.IntStream.range(0, 100_000).mapToObj(i -> i % 2 == 0 ? "c-ann" : "c-x" + i).iterator();
    view.filter(huge, clock.instant(), p -> allowed.add(p.contactId()), p -> denied.add(p.contactId()));
    assertThat(allowed).hasSize(50_000);
    assertThat(denied).hasSize(50_000);
  }

  @Test
  void aBatchedFilterAnswersExactlyAsOneCheckAtATime() {
    VerdictView view = readyView();
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      String id = switch (i % 5) {
        case 0 -> "c-x" + i; // not the UUID form
        case 1 -> "c-" + new java.util.UUID(random.nextLong(), random.nextLong()) + "-nope";
        default -> "c-" + new java.util.UUID(random.nextLong(), random.nextLong());
      };
      ids.add(id);
      if (i % 3 != 0) { // a third are never decided
        view.apply(id, i % 2 == 0 ? allow(id, 0, 1) : implicit(id, NOW.minusSeconds(i % 7 == 0 ? 1 : -3600), 0, 1));
      }
    }
    List<Permission> batched = new ArrayList<>();
    view.filter(ids, NOW, batched::add, batched::add);
    assertThat(batched).hasSize(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      Permission single = view.check(ids.get(i), NOW);
      assertThat(batched.get(i)).as(ids.get(i)).isEqualTo(single);
    }
    assertThat(batched.stream().map(Permission::reason).distinct())
        .contains(Reason.ALLOWED, Reason.EXPIRED, Reason.UNKNOWN_CONTACT);
  }

  @Test
  void aBatchIsAppliedInOrderWithUnreadableRecordsInPlace() {
    VerdictView view = readyView();
    String[] keys = {"c-ann", "c-ann", "c-bob", "c-bob", "c-ann", null, "c-cid"};
    ConsentVerdict[] values = {allow("c-ann", 0, 1), null, allow("c-bob", 0, 1), null, allow("c-ann", 0, 2), null,
        allow("c-cid", 0, 1)};
    String[] unreadable = {null, "corrupt", null, null, null, "no key, no value", null};
    view.applyAll(keys, values, unreadable, keys.length);
    assertThat(view.check("c-ann").reason()).as("dropped by the unreadable record, then decided again").isEqualTo(Reason.ALLOWED);
    assertThat(view.check("c-ann").verdict().version()).isEqualTo(2);
    assertThat(view.check("c-bob").reason()).as("a tombstone after it").isEqualTo(Reason.UNKNOWN_CONTACT);
    assertThat(view.check("c-cid").reason()).isEqualTo(Reason.ALLOWED);
    assertThat(view.status().unreadable()).isEqualTo(2);
    view.applyAll(new String[] {"c-cid", "c-cid"}, new ConsentVerdict[] {allow("c-cid", 0, 2), null},
        new String[] {null, "corrupt"}, 2);
    assertThat(view.check("c-cid").reason()).as("the last record of the batch is unreadable: no mail").isEqualTo(Reason.UNKNOWN_CONTACT);
  }

  @Test
  void afterCloseEveryAnswerIsNo() {
    VerdictView view = readyView();
    view.apply("c-ann", allow("c-ann", 0, 1));
    view.close();
    assertThat(view.check("c-ann").reason()).isEqualTo(Reason.CLOSED);
    assertThat(view.check("c-ann").mayEmail()).isFalse();
  }
}
