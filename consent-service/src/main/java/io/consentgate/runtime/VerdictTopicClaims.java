package io.consentgate.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per verdict topic, decided by the order Kafka gives rather than by a read-then-write
 * check: every gate appends a claim to the single-partition compacted topic
 * {@code <verdict topic>-writer-claims} (keyed by its application id) and then reads that log to
 * its end. The owner is the writer of the latest {@code TAKE_OVER} record, else of the first
 * {@code CLAIM}. Two gates starting at the same moment both append, and both then see the same
 * first claim: exactly one of them goes on.
 *
 * <p>The rule survives compaction: a gate appends its {@code CLAIM} only while the log holds no
 * record of its own, so compaction removes a claim only when the same application id later took
 * over, and a take-over outranks every claim anyway.
 */
public final class VerdictTopicClaims {

  private static final Logger LOG = LoggerFactory.getLogger(VerdictTopicClaims.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** What a record of the claims log says. */
  enum Kind {
    /** "This gate writes the verdict topic, unless someone claimed it first." */
    CLAIM,
    /** "This gate writes the verdict topic from now on" ({@code run --take-over-verdict-topic}). */
    TAKE_OVER
  }

  /** One record of the claims log, in log order. */
  record Claim(String applicationId, Kind kind) {}

  /**
   * The outcome of {@link #claim}: who owns the topic, and the offset after which a watch must
   * look for take-overs.
   */
  public record Outcome(String owner, long readUpTo) {}

  private VerdictTopicClaims() {}

  public static String topic(String verdictTopic) {
    return verdictTopic + "-writer-claims";
  }

  /** The owner a claims log names: the latest take-over, else the first claim; empty for an empty log. */
  static Optional<String> owner(List<Claim> log) {
    String owner = null;
    for (Claim c : log) {
      if (c.kind() == Kind.TAKE_OVER || owner == null) {
        owner = c.applicationId();
      }
    }
    return Optional.ofNullable(owner);
  }

  /**
   * Claims {@code verdictTopic} for {@code applicationId} and says who owns it now.
   *
   * @param takeOver append a take-over: this gate owns the topic from now on, whoever claimed it
   * @param earlierWriters application ids the topic's last verdicts name (verdicts from before
   *     claims existed): with no claim in the log yet, the first of them is the owner, and this
   *     gate appends nothing unless it takes over
   */
  public static Outcome claim(Admin admin, Map<String, Object> clientProps, String verdictTopic, String applicationId,
                              boolean takeOver, short replicationFactor, Collection<String> earlierWriters) throws Exception {
    String topic = topic(verdictTopic);
    createIfMissing(admin, topic, replicationFactor);
    List<Claim> log = new ArrayList<>();
    long end = readAll(clientProps, topic, log);
    Kind append = null;
    if (takeOver) {
      if (!owner(log).orElse("").equals(applicationId)) {
        append = Kind.TAKE_OVER;
      }
    } else if (log.stream().noneMatch(c -> c.applicationId().equals(applicationId))) {
      List<String> others = earlierWriters.stream().filter(w -> !w.equals(applicationId)).sorted().toList();
      if (log.isEmpty() && !others.isEmpty()) {
        return new Outcome(others.get(0), end); // a topic written before claims: its writer keeps it
      }
      append = Kind.CLAIM;
    }
    if (append != null) {
      appendRecord(clientProps, topic, applicationId, append);
      log.clear();
      end = readAll(clientProps, topic, log);
    }
    String owner = owner(log).orElseThrow(() -> new IllegalStateException("claims log " + topic + " is empty after a claim"));
    return new Outcome(owner, end);
  }

  private static void createIfMissing(Admin admin, String topic, short replicationFactor) throws Exception {
    NewTopic newTopic = new NewTopic(topic, Optional.of(1), replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor))
        .configs(Map.of("cleanup.policy", "compact"));
    try {
      admin.createTopics(List.of(newTopic)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private static void appendRecord(Map<String, Object> clientProps, String topic, String applicationId, Kind kind)
      throws Exception {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, 0, applicationId, kind.name())).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static KafkaConsumer<String, String> consumer(Map<String, Object> clientProps) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }

  /** Reads the whole log into {@code log}; returns the end offset read up to. */
  private static long readAll(Map<String, Object> clientProps, String topic, List<Claim> log) {
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<String, String> consumer = consumer(clientProps)) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (consumer.position(partition, TIMEOUT) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read claims log " + topic + " to its end within " + TIMEOUT.toSeconds() + " s");
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          parse(r).ifPresent(log::add);
        }
      }
      return end;
    }
  }

  private static Optional<Claim> parse(ConsumerRecord<String, String> r) {
    if (r.key() == null || r.value() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Claim(r.key(), Kind.valueOf(r.value().trim())));
    } catch (IllegalArgumentException e) {
      LOG.warn("ignoring record {} of {}: not a claim ({})", r.offset(), r.topic(), r.value());
      return Optional.empty();
    }
  }

  /**
   * Watches the claims log while the gate runs: a take-over by another application id means this
   * gate must stop writing. Closing it stops the watch.
   */
  public static final class Watch implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile String lostTo;

    private Watch(KafkaConsumer<String, String> consumer, String topic, String applicationId, Consumer<String> onLost) {
      this.consumer = consumer;
      this.thread = new Thread(() -> {
        try {
          while (lostTo == null) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
              Optional<Claim> claim = parse(r);
              if (claim.isPresent() && claim.get().kind() == Kind.TAKE_OVER && !claim.get().applicationId().equals(applicationId)) {
                lostTo = claim.get().applicationId();
                LOG.error("verdict topic taken over by application id {} (record {} of {}): this gate stops writing",
                    lostTo, r.offset(), topic);
                onLost.accept(lostTo);
                break;
              }
            }
          }
        } catch (WakeupException e) {
          // closed
        } catch (RuntimeException e) {
          LOG.warn("the watch of {} stopped: {}", topic, e.toString());
        } finally {
          consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
      }, "consent-gate-claims-watch");
      thread.setDaemon(true);
    }

    /** The application id that took the topic over, or null while this gate owns it. */
    public String lostTo() {
      return lostTo;
    }

    @Override
    public void close() {
      try {
        consumer.wakeup();
      } catch (IllegalStateException e) {
        // the watch had already stopped and closed its consumer
      }
    }
  }

  /**
   * Starts watching for take-overs after {@code from} (the offset {@link #claim} read up to).
   *
   * @param onLost told, once, the application id that took the topic over
   */
  public static Watch watch(Map<String, Object> clientProps, String verdictTopic, String applicationId, long from,
                            Consumer<String> onLost) {
    String topic = topic(verdictTopic);
    TopicPartition partition = new TopicPartition(topic, 0);
    KafkaConsumer<String, String> consumer = consumer(clientProps);
    consumer.assign(List.of(partition));
    consumer.seek(partition, from);
    Watch watch = new Watch(consumer, topic, applicationId, onLost);
    watch.thread.start();
    return watch;
  }
}
