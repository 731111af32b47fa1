package io.consentgate.bench;

import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.policy.PolicySettings;
import io.consentgate.runtime.GateService;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.StreamsSettings;
import io.consentgate.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Event to verdict visible to a read_committed consumer, at a fixed input rate: each event is a new
 * contact, so each yields exactly one verdict, matched by contact id.
 */
final class LatencyBench {

  private static final String ID_PREFIX = "lat-";

  record Result(long count, double p50, double p99, double p999) {
    Map<String, Object> asMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("verdicts", count);
      m.put("p50", Math.round(p50 * 10) / 10.0);
      m.put("p99", Math.round(p99 * 10) / 10.0);
      m.put("p99_9", Math.round(p999 * 10) / 10.0);
      return m;
    }
  }

  private final BenchCluster cluster;
  private final int partitions;

  LatencyBench(BenchCluster cluster, int partitions) {
    this.cluster = cluster;
    this.partitions = partitions;
  }

  Result run(int ratePerSecond, Duration window, Path state) throws Exception {
    return run(ratePerSecond, window, state, null);
  }

  /**
   * @param commitIntervalMs a commit interval instead of production's (Kafka Streams' 100 ms under
   *     exactly-once), to show what a user trades; null: production's
   */
  Result run(int ratePerSecond, Duration window, Path state, Integer commitIntervalMs) throws Exception {
    String prefix = "lat-" + ratePerSecond + (commitIntervalMs == null ? "" : "-commit-" + commitIntervalMs) + "-";
    GateTopics topics = new GateTopics(prefix + "contact-created", prefix + "consent-evidence", prefix + "consent-verdicts",
        prefix + "dlq");
    cluster.createTopics(List.of(topics.contactCreated(), topics.consentEvidence(), topics.verdicts(), topics.deadLetters()),
        partitions);
    TopologySettings settings = new TopologySettings(topics, PolicySettings.defaults(), Duration.ofMinutes(1), true)
        .withInputPartitions(partitions);
    // Production's settings with the benchmark's few changes, as in the throughput runs.
    StreamsSettings streams = BenchSupport.gateStreamsSettings(cluster.bootstrap, prefix + "gate", StreamsConfig.EXACTLY_ONCE_V2,
        state);
    if (commitIntervalMs != null) {
      streams = streams.withOverride(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs.toString());
    }
    // The n-th contact's send time at index n, its latency likewise: preallocated arrays, not a map
    // and a list of boxed numbers, which grew by a million live objects in the gate's own JVM and
    // lengthened every young collection: at 40k events/s pauses every 2 s of 70-100 ms before, 15-25 ms after.
    Duration warmUp = window.dividedBy(4);
    int total = Math.toIntExact((long) ratePerSecond * (warmUp.toMillis() + window.toMillis()) / 1000);
    AtomicLongArray sentAt = new AtomicLongArray(total);
    double[] latencies = new double[total];
    int measured = 0;
    try (GateService gate = new GateService(settings, ValueSerdes.using(cluster.registry), streams,
        GateService.DEFAULT_SHUTDOWN_TIMEOUT);
         KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", cluster.bootstrap,
             "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
      gate.start();
      if (!gate.awaitRunning(Duration.ofMinutes(2))) {
        throw new IllegalStateException("the gate did not start");
      }
      List<TopicPartition> verdictPartitions = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        verdictPartitions.add(new TopicPartition(topics.verdicts(), p));
      }
      consumer.assign(verdictPartitions);
      consumer.seekToBeginning(verdictPartitions);
      // The first quarter warms up (the transactional producers' first transactions, the JIT) and
      // is sent at the same rate but not measured: a steady-state figure, like the throughput's.
      int firstMeasured = Math.toIntExact((long) ratePerSecond * warmUp.toMillis() / 1000);
      Thread producer = new Thread(() -> produce(topics.contactCreated(), ratePerSecond, total, sentAt),
          "bench-latency-producer");
      producer.start();
      int expected = total - firstMeasured;
      long deadline = System.nanoTime() + window.multipliedBy(2).plusSeconds(30).toNanos();
      while ((producer.isAlive() || measured < expected) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          long now = System.nanoTime();
          int n = Integer.parseInt(r.key(), ID_PREFIX.length(), r.key().length(), 10);
          if (n >= firstMeasured && measured < latencies.length) { // read_committed: each verdict once
            latencies[measured++] = (now - sentAt.get(n)) / 1e6;
          }
        }
      }
      producer.join();
    }
    double[] sorted = Arrays.copyOf(latencies, measured);
    Arrays.sort(sorted);
    return new Result(sorted.length, percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 99.9));
  }

  /**
   * {@code total} new contacts at a fixed rate, paced every 10 ms; the n-th is {@code lat-n}, its
   * send time kept at index n of {@code sentAt}.
   */
  private void produce(String topic, int ratePerSecond, int total, AtomicLongArray sentAt) {
    ConfluentAvroSerde<ContactCreated> serde = new ConfluentAvroSerde<>(cluster.registry, ContactCreated.class);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", cluster.bootstrap,
        "acks", "all", "linger.ms", 1), new StringSerializer(), new ByteArraySerializer())) {
      int perTick = Math.max(1, ratePerSecond / 100);
      long start = System.nanoTime();
      int n = 0;
      for (long tick = 0; n < total; tick++) {
        for (int i = 0; i < perTick && n < total; i++, n++) {
          String id = ID_PREFIX + n;
          ContactCreated c = ContactCreated.newBuilder().setContactId(id).setBrandId("acme").setEmail("p" + n + "@example.org")
              .setSource(ContactSource.OWN_CHANNEL).setCreatedAt(Instant.now()).build();
          byte[] value = serde.serialize(topic, c);
          sentAt.set(n, System.nanoTime());
          producer.send(new ProducerRecord<>(topic, id, value));
        }
        long next = start + (tick + 1) * 10_000_000L;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          try {
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
