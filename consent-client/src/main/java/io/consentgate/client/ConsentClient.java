package io.consentgate.client;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.SchemaLookupFailedException;
import io.consentgate.serde.SchemaRegistry;
import io.consentgate.topics.GateApplication;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a mail sender's question, "may I email this contact now?", from a live view of the
 * verdict topic, and fails closed.
 *
 * <p>It reads the verdict topic {@code read_committed} from the beginning (all partitions assigned,
 * no consumer group), keeps per contact the verdict with the highest (epoch, version), and answers
 * yes only when that verdict is {@code ALLOW} with a {@code CONSENTED_*} status and no
 * {@code validUntil} reached, and the view is current: it has read up to the end offsets it found
 * at start ({@link Reason#NOT_READY}), it has reached an end-offset snapshot taken within
 * {@code client.stale-after} ({@link Reason#STALE}), and the gate's group
 * ({@code application.id}, by default the gate's own default {@value #DEFAULT_APPLICATION_ID}) has
 * committed the input that existed within {@code client.gate-behind-after}
 * ({@link Reason#GATE_BEHIND}): a verdict topic alone cannot show a withdrawal the gate has not
 * processed yet. Only {@code client.check-gate=false} turns that last check off, and then the
 * client fails open.
 *
 * <pre>{@code
 * try (ConsentClient consent = ConsentClient.create(Map.of(
 *     "bootstrap.servers", "kafka:9092", "schema.registry.url", "http://registry:8081",
 *     "application.id", "consent-gate"))) { // the gate's id; this one is the default
 *   consent.awaitReady(Duration.ofMinutes(1));
 *   if (consent.check("c-42").mayEmail()) { send(...); }
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may ask while the client's own thread reads the topic.
 */
public final class ConsentClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsentClient.class);

  // The keys, for a sender's code; each is defined, with its default and what it allows, in ClientConfig.
  public static final String BOOTSTRAP_SERVERS = ClientConfig.BOOTSTRAP_SERVERS_CONFIG;
  public static final String SCHEMA_REGISTRY_URL = ClientConfig.SCHEMA_REGISTRY_URL_CONFIG;
  public static final String TOPIC_VERDICTS = ClientConfig.TOPIC_VERDICTS_CONFIG;
  public static final String TOPIC_CONTACT_CREATED = ClientConfig.TOPIC_CONTACT_CREATED_CONFIG;
  public static final String TOPIC_CONSENT_EVIDENCE = ClientConfig.TOPIC_CONSENT_EVIDENCE_CONFIG;
  /**
   * The application id of the gate whose progress is checked, the same key as the gate's; unset, the
   * gate's default ({@link #DEFAULT_APPLICATION_ID}).
   */
  public static final String APPLICATION_ID = ClientConfig.APPLICATION_ID_CONFIG;
  /** The gate's default application id, which the client checks unless told another. */
  public static final String DEFAULT_APPLICATION_ID = GateApplication.DEFAULT_ID;
  /**
   * Whether every answer waits for the gate to have processed its input ({@code true}, the default).
   * {@code false} FAILS OPEN: a withdrawal the gate has not processed yet is not seen, and a stopped
   * gate's last {@code ALLOW} keeps being answered as long as the verdict topic can be read. Meant for
   * a verdict topic that no gate writes (tests, tools).
   */
  public static final String CHECK_GATE = ClientConfig.CHECK_GATE_CONFIG;
  /** How old the newest reached snapshot of the verdict topic's end offsets may be (ISO-8601, default PT1M). */
  public static final String STALE_AFTER = ClientConfig.STALE_AFTER_CONFIG;
  /** How old the newest input snapshot the gate has processed may be (ISO-8601, default PT1M). */
  public static final String GATE_BEHIND_AFTER = ClientConfig.GATE_BEHIND_AFTER_CONFIG;
  /** How often end offsets are snapshotted (default: a sixth of the shorter limit, at most PT5S). */
  public static final String SNAPSHOT_INTERVAL = ClientConfig.SNAPSHOT_INTERVAL_CONFIG;
  /** Keep each verdict's reason codes ({@code true}/{@code false}, default false: less memory). */
  public static final String KEEP_REASONS = ClientConfig.KEEP_REASONS_CONFIG;

  public static final Duration DEFAULT_STALE_AFTER = ClientConfig.DEFAULT_STALE_AFTER;
  public static final Duration DEFAULT_GATE_BEHIND_AFTER = ClientConfig.DEFAULT_GATE_BEHIND_AFTER;

  private static final Duration KAFKA_CALL_TIMEOUT = Duration.ofSeconds(10);

  private final ClientConfig config;
  private final VerdictView view;
  private final Deserializer<ConsentVerdict> deserializer;
  private final Supplier<org.apache.kafka.clients.consumer.Consumer<String, byte[]>> consumers;
  private final GateOffsets gateOffsets;
  private final MeterRegistry meters;
  private final List<Meter> registered = new ArrayList<>();
  private final Thread poller;
  private final Thread gateWatch;
  private volatile boolean running = true;
  private volatile org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;

  /** A client configured with the gate's keys (see {@link Builder}), started. */
  public static ConsentClient create(Map<String, ?> config) {
    return builder(config).build();
  }

  public static Builder builder(Map<String, ?> config) {
    return new Builder(config);
  }

  /** What a client is made with besides its keys. */
  public static final class Builder {
    private final Map<String, ?> config;
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry;
    private SchemaRegistry schemaRegistry;
    private final List<VerdictListener> listeners = new ArrayList<>();
    private Supplier<org.apache.kafka.clients.consumer.Consumer<String, byte[]>> consumers;
    private GateOffsets gateOffsets;

    private Builder(Map<String, ?> config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** What "now" is for {@link #check(String)}, the expiry of a consent and the age of a snapshot. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where the client's metrics go (default: Micrometer's global registry). */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The schema registry client to read values with (default: the REST client over {@code schema.registry.url}). */
    public Builder schemaRegistry(SchemaRegistry registry) {
      this.schemaRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Told of every verdict applied from the first record on, the initial read included. */
    public Builder listener(VerdictListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** For tests: where the verdict topic is read from. */
    Builder consumer(Supplier<org.apache.kafka.clients.consumer.Consumer<String, byte[]>> consumers) {
      this.consumers = consumers;
      return this;
    }

    /** For tests: where the gate's offsets come from. */
    Builder gateOffsets(GateOffsets gateOffsets) {
      this.gateOffsets = gateOffsets;
      return this;
    }

    /** Starts reading the verdict topic; configuration errors are thrown here, unreachable brokers are not (answers say NOT_READY). */
    public ConsentClient build() {
      return new ConsentClient(this);
    }
  }

  /** The gate's input end offsets and its group's committed offsets on them. */
  interface GateOffsets extends AutoCloseable {
    Map<TopicPartition, Long> inputEnds() throws Exception;

    Map<TopicPartition, Long> committed() throws Exception;

    /** The gate's current epoch as it recorded it; empty while it has recorded none. */
    java.util.OptionalLong epoch() throws Exception;

    @Override
    void close();
  }

  private ConsentClient(Builder b) {
    this.config = new ClientConfig(b.config);
    this.view = new VerdictView(new VerdictView.Settings(b.clock, config.staleAfter,
        config.applicationId == null ? null : config.gateBehindAfter, config.keepReasons));
    b.listeners.forEach(view::addListener);
    SchemaRegistry registry = b.schemaRegistry != null ? b.schemaRegistry : new RestSchemaRegistry(config.registry);
    this.deserializer = new ConfluentAvroSerde<>(registry, ConsentVerdict.class).deserializer();
    this.consumers = b.consumers != null ? b.consumers : this::newConsumer;
    this.consumer = consumers.get(); // a bad kafka.* setting fails build(), not the poller later
    try {
      this.gateOffsets = config.applicationId == null ? null
          : b.gateOffsets != null ? b.gateOffsets : new AdminGateOffsets(config);
    } catch (RuntimeException e) {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ZERO));
      throw e;
    }
    this.meters = b.meterRegistry != null ? b.meterRegistry : Metrics.globalRegistry;
    registerMetrics();
    poller = new Thread(this::pollLoop, "consent-client-" + config.verdictTopic);
    poller.setDaemon(true);
    poller.start();
    if (gateOffsets != null) {
      gateWatch = new Thread(this::gateLoop, "consent-client-gate-" + config.applicationId);
      gateWatch.setDaemon(true);
      gateWatch.start();
    } else {
      gateWatch = null;
    }
  }

  // ---------------------------------------------------------------- answers

  /** May marketing email go to {@code contactId} now? */
  public Permission check(String contactId) {
    return view.check(contactId);
  }

  /** May marketing email go to {@code contactId} at {@code now}? */
  public Permission check(String contactId, Instant now) {
    return view.check(contactId, now);
  }

  /** Splits a campaign list into the ids that may be emailed and the answers for the rest, in one pass. */
  public AudienceSplit filter(Collection<String> contactIds) {
    return view.filter(contactIds);
  }

  /**
   * Streams a campaign list of any length through in one pass, as of one instant: each allowed
   * answer to {@code allowed}, every other to {@code denied}; nothing is collected.
   */
  public void filter(Iterable<String> contactIds, Consumer<Permission> allowed, Consumer<Permission> denied) {
    view.filter(contactIds, view.clock().instant(), allowed, denied);
  }

  /** Every id's answer, lazily, as of one instant. */
  public Stream<Permission> checkAll(Stream<String> contactIds) {
    Instant now = view.clock().instant();
    return contactIds.map(id -> view.check(id, now));
  }

  /**
   * Waits until the client can answer yes at all: the view has read up to the end offsets it found
   * at start, is not stale and (if watched) the gate is not behind.
   *
   * @return true when it can; false if {@code timeout} passed first (every answer is then no, with
   *     the reason {@link #status()} gives)
   */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!view.status().answering()) {
      if (System.nanoTime() - deadline >= 0 || !running) {
        return view.status().answering();
      }
      Thread.sleep(10);
    }
    return true;
  }

  public ClientStatus status() {
    return view.status();
  }

  /** The reason codes of the verdict held, with {@code client.keep-reasons=true}. */
  public Optional<List<String>> reasons(String contactId) {
    return view.reasons(contactId);
  }

  public void addListener(VerdictListener listener) {
    view.addListener(listener);
  }

  public void removeListener(VerdictListener listener) {
    view.removeListener(listener);
  }

  /** Stops reading; every answer from now on is {@link Reason#CLOSED}. */
  @Override
  public void close() {
    view.close();
    running = false;
    var c = consumer;
    if (c != null) {
      c.wakeup();
    }
    join(poller);
    if (gateWatch != null) {
      gateWatch.interrupt();
      join(gateWatch);
      gateOffsets.close();
    }
    registered.forEach(meters::remove);
  }

  private static void join(Thread t) {
    try {
      t.join(Duration.ofSeconds(15).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- reading the verdict topic

  private org.apache.kafka.clients.consumer.Consumer<String, byte[]> newConsumer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "consent-client-" + config.verdictTopic);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_CALL_TIMEOUT.toMillis());
    props.putAll(config.kafka); // kafka.* wins, except for what the rules below require
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private void pollLoop() {
    List<TopicPartition> partitions = List.of();
    long lastSnapshot = 0;
    boolean snapshotTaken = false;
    long backoffMs = 100;
    long lastWarning = 0;
    Duration pollTimeout = Duration.ofMillis(Math.max(10, Math.min(200, config.snapshotInterval.toMillis())));
    while (running) {
      try {
        if (consumer == null) {
          consumer = consumers.get();
        }
        if (!snapshotTaken || System.nanoTime() - lastSnapshot >= config.snapshotInterval.toNanos()) {
          lastSnapshot = System.nanoTime();
          partitions = assignNewPartitions(partitions);
          if (!partitions.isEmpty()) {
            long takenAt = view.clock().millis(); // before asking: everything committed before it is in the answer
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, KAFKA_CALL_TIMEOUT);
            view.endOffsetsTaken(takenAt, ends);
            snapshotTaken = true;
          }
        }
        if (partitions.isEmpty()) {
          sleep(pollTimeout.toMillis());
          continue;
        }
        ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout);
        for (TopicPartition tp : records.partitions()) {
          applyBatch(tp, records.records(tp));
        }
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition tp : partitions) {
          positions.put(tp, consumer.position(tp, KAFKA_CALL_TIMEOUT));
        }
        view.positions(positions);
        backoffMs = 100;
      } catch (WakeupException | InterruptException e) {
        if (running) {
          log.warn("consent client: interrupted while reading {}; going on", config.verdictTopic);
        }
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        if (System.nanoTime() - lastWarning > Duration.ofSeconds(30).toNanos()) {
          lastWarning = System.nanoTime();
          log.warn("consent client: cannot read {} at {} now ({}); answers fail closed while this lasts", config.verdictTopic,
              config.bootstrapServers, e.toString());
        }
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
    var c = consumer;
    if (c != null) {
      try {
        c.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        log.debug("consent client: closing the consumer failed", e);
      }
    }
  }

  /** The topic's partitions; any not yet assigned are added, read from the beginning. */
  private List<TopicPartition> assignNewPartitions(List<TopicPartition> assigned) {
    List<PartitionInfo> infos = consumer.partitionsFor(config.verdictTopic, KAFKA_CALL_TIMEOUT);
    if (infos == null || infos.isEmpty() || infos.size() == assigned.size()) {
      if ((infos == null || infos.isEmpty()) && assigned.isEmpty()) {
        log.debug("consent client: topic {} not found yet", config.verdictTopic);
      }
      return assigned;
    }
    List<TopicPartition> all = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
        .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
    List<TopicPartition> added = all.stream().filter(tp -> !assigned.contains(tp)).toList();
    consumer.assign(all);
    consumer.seekToBeginning(added);
    return all;
  }

  /**
   * Reads one partition's records in order and applies them as a batch. A record whose schema cannot
   * be looked up now (registry out of reach) is read again later: the batch stops before it and the
   * partition is rewound to it.
   */
  private void applyBatch(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) {
    int n = records.size();
    String[] keys = new String[n];
    ConsentVerdict[] values = new ConsentVerdict[n];
    String[] unreadable = new String[n];
    int read = 0;
    for (ConsumerRecord<String, byte[]> r : records) {
      keys[read] = r.key();
      try {
        values[read] = r.value() == null ? null : deserializer.deserialize(r.topic(), r.value());
      } catch (SchemaLookupFailedException e) {
        consumer.seek(tp, r.offset());
        log.warn("consent client: the schema registry cannot be asked now ({}); will read {} offset {} again", e.getMessage(),
            tp, r.offset());
        view.applyAll(keys, values, unreadable, read);
        sleep(1_000);
        return;
      } catch (RuntimeException e) {
        unreadable[read] = tp + " offset " + r.offset() + ": " + e.getMessage();
      }
      read++;
    }
    view.applyAll(keys, values, unreadable, read);
  }

  // ---------------------------------------------------------------- watching the gate

  private void gateLoop() {
    long lastWarning = 0;
    while (running) {
      try {
        long takenAt = view.clock().millis();
        view.gateInputEndsTaken(takenAt, gateOffsets.inputEnds());
        view.gateCommitted(gateOffsets.committed());
        gateOffsets.epoch().ifPresent(view::gateEpoch);
      } catch (InterruptedException e) {
        break;
      } catch (Exception e) {
        if (!running) {
          break;
        }
        if (System.nanoTime() - lastWarning > Duration.ofSeconds(30).toNanos()) {
          lastWarning = System.nanoTime();
          log.warn("consent client: cannot see whether gate {} has processed its input ({}); answers fail closed while this lasts",
              config.applicationId, e.toString());
        }
      }
      if (!sleep(config.snapshotInterval.toMillis())) {
        break;
      }
    }
  }

  private static boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  // ---------------------------------------------------------------- metrics

  private void registerMetrics() {
    String topic = config.verdictTopic;
    registered.add(Gauge.builder("consent.client.lag.records", view, v -> v.status().lagRecords()).tag("topic", topic)
        .description("records between the view and the newest snapshot of the verdict topic's end offsets").register(meters));
    registered.add(Gauge.builder("consent.client.contacts", view, VerdictView::size).tag("topic", topic)
        .description("contacts whose verdict the client holds").register(meters));
    registered.add(Gauge.builder("consent.client.ready", view, v -> v.status().answering() ? 1 : 0).tag("topic", topic)
        .description("1 while the client can answer yes at all: read up to its start, not stale, gate not behind").register(meters));
    registered.add(Gauge.builder("consent.client.stale", view, v -> v.status().stale() ? 1 : 0).tag("topic", topic)
        .description("1 while no end-offset snapshot taken within client.stale-after has been reached").register(meters));
    registered.add(Gauge.builder("consent.client.gate.behind", view, v -> v.status().gateBehind() ? 1 : 0).tag("topic", topic)
        .description("1 while the gate has not processed the input seen within client.gate-behind-after").register(meters));
    registered.add(FunctionCounter.builder("consent.client.verdicts.ordered.below", view, v -> v.status().orderedBelow())
        .tag("topic", topic).description("verdicts ignored because the one held is ordered above them by (epoch, version)")
        .register(meters));
    registered.add(FunctionCounter.builder("consent.client.verdicts.applied", view, VerdictView::applied).tag("topic", topic)
        .description("verdicts applied to the view").register(meters));
    registered.add(FunctionCounter.builder("consent.client.verdicts.unreadable", view, v -> v.status().unreadable())
        .tag("topic", topic).description("records that could not be read as verdicts (their contacts were dropped)")
        .register(meters));
    registered.add(FunctionCounter.builder("consent.client.listener.failures", view, VerdictView::listenerFailures)
        .tag("topic", topic).description("exceptions thrown by verdict listeners").register(meters));
  }
}
