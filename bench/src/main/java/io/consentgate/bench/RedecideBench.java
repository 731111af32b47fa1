package io.consentgate.bench;

import io.consentgate.app.ConsentGateCli;
import io.consentgate.contract.VerdictHeaders;
import io.consentgate.policy.PolicySettings;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.GateStart;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.TopologySettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How long the gate takes to re-decide the whole preloaded history, both ways docs/operating.md's "Changing
 * the policy" describes: blue/green (a new application id and verdict topic catching up quietly
 * beside the running gate) and in place ({@code reset --execute}, then the same gate in the next
 * epoch). Each is timed from start until every contact's verdict of the new epoch is committed.
 */
final class RedecideBench {

  private final BenchCluster cluster;
  private final GateTopics inputs;
  private final int partitions;
  private final long contacts;
  private final Path work;

  RedecideBench(BenchCluster cluster, GateTopics inputs, int partitions, long contacts, Path work) {
    this.cluster = cluster;
    this.inputs = inputs;
    this.partitions = partitions;
    this.contacts = contacts;
    this.work = work;
  }

  Map<String, Object> run() throws Exception {
    String app = "bench-redecide";
    GateTopics topics = new GateTopics(inputs.contactCreated(), inputs.consentEvidence(), "bench-redecide-verdicts",
        "bench-redecide-dlq");
    cluster.createTopics(List.of(topics.verdicts(), topics.deadLetters()), partitions);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("contacts", contacts);
    // A new application over the whole history: what a green gate does beside blue.
    double blueGreen = timeToSettle(app, topics, 0);
    result.put("blue_green_s", round(blueGreen));
    BenchSupport.log("re-decide, blue/green (new application, new verdict topic): %d contacts settled in %.1f s", contacts, blueGreen);

    int exit = ConsentGateCli.commandLine().execute(resetArgs(app, topics));
    if (exit != 0) {
      throw new IllegalStateException("reset --execute exited " + exit);
    }
    double inPlace = timeToSettle(app, topics, 1);
    result.put("in_place_s", round(inPlace));
    BenchSupport.log("re-decide, in place (reset --execute, epoch 1): %d contacts settled in %.1f s", contacts, inPlace);
    return result;
  }

  private String[] resetArgs(String app, GateTopics topics) {
    List<String> args = new ArrayList<>(List.of("reset", "--execute"));
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("bootstrap.servers", cluster.bootstrap);
    keys.put("application.id", app);
    keys.put("state.dir", work.resolve(app).toString());
    keys.put("topic.contact-created", topics.contactCreated());
    keys.put("topic.consent-evidence", topics.consentEvidence());
    keys.put("topic.consent-verdicts", topics.verdicts());
    keys.put("topic.dlq", topics.deadLetters());
    keys.put("topics.replication-factor", "1");
    keys.forEach((k, v) -> {
      args.add("--set");
      args.add(k + "=" + v);
    });
    return args.toArray(String[]::new);
  }

  /** Starts the gate as {@code run} does and waits until every contact has its verdict of {@code epoch}. */
  private double timeToSettle(String app, GateTopics topics, long epoch) throws Exception {
    Map<String, Object> client = Map.of("bootstrap.servers", cluster.bootstrap);
    long start = System.nanoTime();
    GateStart gateStart;
    try (Admin admin = Admin.create(client)) {
      gateStart = GateStart.prepare(admin, client, app, topics, (short) 1, false);
    }
    if (gateStart.epoch() != epoch || !gateStart.catchUp().catchingUp()) {
      throw new IllegalStateException("expected a quiet catch-up in epoch " + epoch + ", got epoch " + gateStart.epoch());
    }
    TopologySettings settings = new TopologySettings(topics, PolicySettings.defaults(), Duration.ofMinutes(1), true)
        .withInputPartitions(partitions).inEpoch(gateStart.epoch(), gateStart.catchUp());
    try (GateService gate = new GateService(settings, ValueSerdes.using(cluster.registry),
        BenchSupport.gateStreamsSettings(cluster.bootstrap, app, StreamsConfig.EXACTLY_ONCE_V2, work.resolve(app)),
        GateService.DEFAULT_SHUTDOWN_TIMEOUT)) {
      gate.start();
      awaitVerdicts(topics.verdicts(), epoch, Duration.ofMinutes(20));
      return (System.nanoTime() - start) / 1e9;
    } finally {
      gateStart.catchUp().close();
    }
  }

  /** Reads the verdict topic (read_committed) until {@link #contacts} verdicts of {@code epoch} arrived. */
  private void awaitVerdicts(String topic, long epoch, Duration timeout) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", cluster.bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    String wanted = Long.toString(epoch);
    long seen = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (seen < contacts) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + seen + " of " + contacts + " verdicts of epoch " + epoch + " within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Header h = r.headers().lastHeader(VerdictHeaders.EPOCH);
          if (h != null && wanted.equals(new String(h.value(), StandardCharsets.UTF_8))) {
            seen++;
          }
        }
      }
    }
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }
}
