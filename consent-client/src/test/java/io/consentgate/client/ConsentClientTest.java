package io.consentgate.client;

import static io.consentgate.client.Verdicts.allow;
import static io.consentgate.client.Verdicts.deny;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.InMemorySchemaRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The client with its own poller thread over Kafka's {@link MockConsumer}: readiness, staleness when
 * the brokers stop answering, the gate watch, metrics, listeners, unreadable records. The clock is
 * the test's; only the poller runs in real time.
 */
class ConsentClientTest {

  private static final String TOPIC = "consent-verdicts";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ConfluentAvroSerde<ConsentVerdict> serde = new ConfluentAvroSerde<>(registry, ConsentVerdict.class);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final TestConsumer consumer = new TestConsumer();
  private final Map<TopicPartition, Long> offsets = new HashMap<>();
  private Map<TopicPartition, Long> initialEnds = Map.of(P0, 0L, P1, 0L);
  private ConsentClient client;

  /** A MockConsumer that does not spin when idle and whose brokers can "go away". */
  static final class TestConsumer extends MockConsumer<String, byte[]> {
    volatile boolean brokersGone;

    TestConsumer() {
      super("earliest");
    }

    @Override
    public synchronized ConsumerRecords<String, byte[]> poll(Duration timeout) {
      ConsumerRecords<String, byte[]> records = super.poll(timeout);
      if (records.isEmpty()) {
        try {
          wait(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return records;
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
      if (brokersGone) {
        throw new org.apache.kafka.common.errors.TimeoutException("no broker answered");
      }
      return super.endOffsets(partitions, timeout);
    }
  }

  /** Gate offsets the test sets. */
  static final class FakeGate implements ConsentClient.GateOffsets {
    final Map<TopicPartition, Long> ends = new ConcurrentHashMap<>();
    final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();

    @Override
    public Map<TopicPartition, Long> inputEnds() {
      return Map.copyOf(ends);
    }

    @Override
    public Map<TopicPartition, Long> committed() {
      return Map.copyOf(committed);
    }

    volatile java.util.OptionalLong epoch = java.util.OptionalLong.empty();

    @Override
    public java.util.OptionalLong epoch() {
      return epoch;
    }

    @Override
    public void close() {}
  }

  private ConsentClient start(Map<String, String> config, FakeGate gate, VerdictListener listener) {
    Node node = new Node(0, "localhost", 9092);
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, null, null),
        new PartitionInfo(TOPIC, 1, node, null, null)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(initialEnds);
    Map<String, String> c = new HashMap<>(Map.of(ConsentClient.SNAPSHOT_INTERVAL, "PT0.05S"));
    c.putAll(config);
    // The gate is checked by default: a test that does not care gets a gate with nothing waiting.
    ConsentClient.Builder b = ConsentClient.builder(c).clock(clock).meterRegistry(meters).schemaRegistry(registry)
        .consumer(() -> consumer).gateOffsets(gate != null ? gate : new FakeGate());
    if (listener != null) {
      b.listener(listener);
    }
    client = b.build();
    waitFor(() -> !consumer.assignment().isEmpty());
    return client;
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  /** Appends a verdict (or a tombstone) to a partition, as the gate's committed transaction would. */
  private void publish(TopicPartition tp, String key, ConsentVerdict v) {
    long offset = offsets.merge(tp, 1L, Long::sum) - 1;
    consumer.addRecord(new ConsumerRecord<>(TOPIC, tp.partition(), offset, key, v == null ? null : serde.serialize(TOPIC, v)));
    consumer.updateEndOffsets(Map.of(tp, offset + 1));
  }

  private static void waitFor(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private double gauge(String name) {
    return meters.get(name).gauge().value();
  }

  @Test
  void itReadsTheTopicFromTheBeginningAndAnswersOnceItHasReachedTheEndItFoundAtStart() throws Exception {
    // The topic has records before the client starts: end offsets 2 and 1.
    initialEnds = Map.of(P0, 2L, P1, 1L);
    start(Map.of(), null, null);
    assertThat(client.check("c-ann").reason()).isEqualTo(Reason.NOT_READY);
    assertThat(client.awaitReady(Duration.ofMillis(200))).as("the records are not there yet").isFalse();
    assertThat(gauge("consent.client.ready")).isZero();
    publish(P0, "c-ann", allow("c-ann", 0, 1));
    publish(P0, "c-bob", deny("c-bob", ConsentStatus.WITHDRAWN, 0, 2));
    publish(P1, "c-chen", allow("c-chen", 0, 1));
    assertThat(client.awaitReady(Duration.ofSeconds(10))).isTrue();
    assertThat(client.check("c-ann").mayEmail()).isTrue();
    assertThat(client.check("c-bob").reason()).isEqualTo(Reason.DENIED);
    assertThat(client.check("c-chen").reason()).isEqualTo(Reason.ALLOWED);
    assertThat(client.check("c-nobody").reason()).isEqualTo(Reason.UNKNOWN_CONTACT);
    assertThat(gauge("consent.client.ready")).isEqualTo(1);
    assertThat(gauge("consent.client.contacts")).isEqualTo(3);
    assertThat(gauge("consent.client.lag.records")).isZero();
    assertThat(meters.get("consent.client.verdicts.applied").functionCounter().count()).isEqualTo(3);
  }

  @Test
  void whenTheBrokersStopAnsweringEveryAnswerTurnsStaleAfterTheLimitAndRecovers() {
    start(Map.of(ConsentClient.STALE_AFTER, "PT1M"), null, null);
    publish(P0, "c-ann", allow("c-ann", 0, 1));
    waitFor(() -> client.check("c-ann").mayEmail());
    consumer.brokersGone = true;
    clock.advance(Duration.ofSeconds(59));
    assertThat(client.check("c-ann").reason()).isEqualTo(Reason.ALLOWED);
    clock.advance(Duration.ofSeconds(2));
    Permission p = client.check("c-ann");
    assertThat(p.reason()).isEqualTo(Reason.STALE);
    assertThat(p.mayEmail()).isFalse();
    assertThat(client.status().stale()).isTrue();
    assertThat(gauge("consent.client.stale")).isEqualTo(1);
    assertThat(gauge("consent.client.ready")).as("the readiness metric says so too").isZero();
    consumer.brokersGone = false;
    waitFor(() -> client.check("c-ann").mayEmail());
    assertThat(gauge("consent.client.stale")).isZero();
    assertThat(gauge("consent.client.ready")).isEqualTo(1);
  }

  @Test
  void withoutAnyGateKeyItChecksTheGateAndAnswersGateBehindWhileInputWaitsUnprocessed() {
    FakeGate gate = new FakeGate();
    TopicPartition evidence = new TopicPartition("consent-evidence", 0);
    gate.ends.put(evidence, 10L);
    gate.committed.put(evidence, 10L);
    start(Map.of(ConsentClient.GATE_BEHIND_AFTER, "PT1M"), gate, null);
    publish(P0, "c-ann", allow("c-ann", 0, 1));
    waitFor(() -> client.check("c-ann").mayEmail());
    assertThat(client.status().gateWatched()).isTrue();

    gate.ends.put(evidence, 11L); // a withdrawal arrives; the gate is stopped
    clock.advance(Duration.ofSeconds(61));
    waitFor(() -> client.check("c-ann").reason() == Reason.GATE_BEHIND);
    assertThat(client.check("c-ann").mayEmail()).isFalse();
    assertThat(gauge("consent.client.gate.behind")).isEqualTo(1);
    assertThat(gauge("consent.client.ready")).isZero();

    gate.committed.put(evidence, 11L); // the gate processed it
    waitFor(() -> client.check("c-ann").mayEmail());
    assertThat(gauge("consent.client.gate.behind")).isZero();
  }

  @Test
  void aGateThatNeverProcessedTheInputWaitingLetsNoAnswerSayYes() throws Exception {
    FakeGate neverRan = new FakeGate();
    neverRan.ends.put(new TopicPartition("contact-created", 0), 3L); // no offsets committed by its group
    start(Map.of(), neverRan, null);
    publish(P0, "c-ann", allow("c-ann", 0, 1));
    assertThat(client.awaitReady(Duration.ofMillis(500))).isFalse();
    assertThat(client.check("c-ann").reason()).isEqualTo(Reason.GATE_BEHIND);
    assertThat(client.status().blocking()).isEqualTo(Reason.GATE_BEHIND);
    assertThat(client.status().gateCurrentAsOf()).isEmpty();
  }

  /**
   * After a reset the gate records a new epoch and re-publishes every contact in it. Until a
   * contact's verdict of that epoch arrives, its older verdict says nothing about a withdrawal the
   * gate has recorded since: no yes for it, while contacts already re-published are answered.
   */
  @Test
  void aContactNotYetRePublishedInTheGatesNewEpochIsNotAllowed() {
    FakeGate gate = new FakeGate();
    gate.epoch = java.util.OptionalLong.of(0);
    start(Map.of(), gate, null);
    publish(P0, "c-ann", allow("c-ann", 0, 1));
    publish(P1, "c-bob", allow("c-bob", 0, 1));
    waitFor(() -> client.check("c-ann").mayEmail() && client.check("c-bob").mayEmail());

    gate.epoch = java.util.OptionalLong.of(1); // reset: epoch 1 recorded, the gate re-decides
    waitFor(() -> client.check("c-ann").reason() == Reason.REPUBLISHING);
    assertThat(client.check("c-bob").reason()).isEqualTo(Reason.REPUBLISHING);

    publish(P0, "c-ann", allow("c-ann", 1, 1)); // re-published in epoch 1
    waitFor(() -> client.check("c-ann").mayEmail());
    assertThat(client.check("c-bob").mayEmail()).as("not re-published yet").isFalse();
    assertThat(client.filter(List.of("c-ann", "c-bob")).allowed()).containsExactly("c-ann");
  }

  @Test
  void withTheGateCheckTurnedOffItFailsOpenAndAnswersFromTheTopicAlone() {
    FakeGate gate = new FakeGate();
    TopicPartition evidence = new TopicPartition("consent-evidence", 0);
    gate.ends.put(evidence, 11L); // a withdrawal waits, unprocessed
    gate.committed.put(evidence, 10L);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger clientLog = (Logger) LoggerFactory.getLogger(ClientConfig.class);
    logged.start();
    clientLog.addAppender(logged);
    try {
      start(Map.of(ConsentClient.CHECK_GATE, "false", ConsentClient.GATE_BEHIND_AFTER, "PT1M"), gate, null);
    } finally {
      clientLog.detachAppender(logged);
    }
    assertThat(logged.list).as("the sender's log says what it gave up").anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("fail open").contains("withdrawal");
    });
    publish(P0, "c-ann", allow("c-ann", 0, 1));
    clock.advance(Duration.ofSeconds(61));
    waitFor(() -> client.check("c-ann").mayEmail());
    assertThat(client.check("c-ann").reason()).as("the documented cost of turning it off").isEqualTo(Reason.ALLOWED);
    assertThat(client.status().gateWatched()).isFalse();
    assertThat(gauge("consent.client.gate.behind")).isZero();
  }

  @Test
  void listenersHearEveryAppliedVerdictOnThePollerThread() {
    List<String> heard = java.util.Collections.synchronizedList(new ArrayList<>());
    start(Map.of(), null, (id, v) -> heard.add(id + "=" + (v == null ? "removed" : v.status())));
    publish(P0, "c-ann", allow("c-ann", 0, 1));
    publish(P0, "c-ann", deny("c-ann", ConsentStatus.WITHDRAWN, 0, 2));
    publish(P0, "c-ann", allow("c-ann", 0, 1)); // ordered below: not told
    publish(P1, "c-bob", allow("c-bob", 0, 1));
    publish(P1, "c-bob", null);
    waitFor(() -> heard.size() >= 4);
    waitFor(() -> client.status().orderedBelow() == 1);
    // In topic order per contact (partitions interleave as they come).
    assertThat(heard).filteredOn(h -> h.startsWith("c-ann")).containsExactly("c-ann=CONSENTED_EXPLICIT", "c-ann=WITHDRAWN");
    assertThat(heard).filteredOn(h -> h.startsWith("c-bob")).containsExactly("c-bob=CONSENTED_EXPLICIT", "c-bob=removed");
    assertThat(heard).hasSize(4);
    assertThat(meters.get("consent.client.verdicts.ordered.below").functionCounter().count()).isEqualTo(1);
  }

  @Test
  void aRecordThatIsNotAVerdictDropsItsContactAndIsCounted() {
    start(Map.of(), null, null);
    publish(P0, "c-ann", allow("c-ann", 0, 1));
    waitFor(() -> client.check("c-ann").mayEmail());
    long offset = offsets.merge(P0, 1L, Long::sum) - 1;
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, "c-ann", new byte[] {7, 7, 7}));
    consumer.updateEndOffsets(Map.of(P0, offset + 1));
    waitFor(() -> client.status().unreadable() == 1);
    assertThat(client.check("c-ann").reason()).isEqualTo(Reason.UNKNOWN_CONTACT);
    assertThat(meters.get("consent.client.verdicts.unreadable").functionCounter().count()).isEqualTo(1);
  }

  @Test
  void afterCloseEveryAnswerIsClosedAndTheMetricsAreGone() {
    start(Map.of(), null, null);
    publish(P0, "c-ann", allow("c-ann", 0, 1));
    waitFor(() -> client.check("c-ann").mayEmail());
    client.close();
    assertThat(client.check("c-ann").reason()).isEqualTo(Reason.CLOSED);
    assertThat(meters.find("consent.client.ready").gauge()).isNull();
  }

  @Test
  void theGatesKeysAreAcceptedAndBadValuesAreRefusedAtBuild() {
    start(Map.of("state.dir", "/var/lib/consent-gate", "policy.default-profile", "strict", "kafka.security.protocol", "PLAINTEXT"),
        null, null);
    assertThat(client.status().gateWatched()).as("the gate's file names no gate to check: its default is").isTrue();
    for (String value : List.of("yes", "off", "TRUE", "")) {
      assertThatThrownBy(() -> ConsentClient.builder(Map.of(ConsentClient.CHECK_GATE, value)).consumer(() -> consumer).build())
          .as(value).isInstanceOf(ConfigException.class).hasMessageContaining(ConsentClient.CHECK_GATE)
          .hasMessageContaining("fails open");
    }
    assertThatThrownBy(() -> ConsentClient.builder(Map.of(ConsentClient.APPLICATION_ID, " ")).consumer(() -> consumer).build())
        .as("a blank id is no way to turn the check off").isInstanceOf(ConfigException.class)
        .hasMessageContaining(ConsentClient.APPLICATION_ID).hasMessageContaining(ConsentClient.CHECK_GATE + "=false");
    assertThatThrownBy(() -> ConsentClient.builder(Map.of(ConsentClient.STALE_AFTER, "a minute")).consumer(() -> consumer).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining(ConsentClient.STALE_AFTER);
    assertThatThrownBy(() -> ConsentClient.builder(Map.of(ConsentClient.KEEP_REASONS, "yes")).consumer(() -> consumer).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining(ConsentClient.KEEP_REASONS);
    assertThatThrownBy(() -> ConsentClient.builder(Map.of(ConsentClient.SCHEMA_REGISTRY_URL, "not a url")).consumer(() -> consumer).build())
        .isInstanceOf(ConfigException.class);
  }
}
