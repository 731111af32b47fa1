package io.consentgate.app;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import io.consentgate.topology.DeadLetterHeaders;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "dead-letters", mixinStandardHelpOptions = true,
    description = {"Prints the dead-letter topic as JSON lines: where each record came from, why it was rejected, "
        + "its key and its value (base64).",
        "--replay sends each dead letter that no earlier --replay has sent back, with its original key and value bytes, "
            + "to the topic it came from (after the cause is fixed, e.g. a missing schema registered), and prints those. "
            + "Where the last replay stopped is committed in the consumer group <application.id>-dead-letters-replay, "
            + "after the broker has acknowledged every record sent; a record that is still bad and is dead-lettered "
            + "again is replayed by the next --replay, once."})
final class DeadLettersCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The consumer group that holds where the last replay stopped, per dead-letter partition. */
  static String replayGroup(String applicationId) {
    return applicationId + "-dead-letters-replay";
  }

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--replay", description = "Re-publish the dead letters no earlier --replay has sent to their source topics.")
  boolean replay;

  @Option(names = "--from-beginning",
      description = "With --replay: re-publish every dead letter still kept, also those replayed before.")
  boolean fromBeginning;

  @Override
  public Integer call() throws Exception {
    if (fromBeginning && !replay) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--from-beginning goes with --replay (without --replay every dead letter kept is printed)");
    }
    GateConfig config = options.load(cluster.flags());
    new GateRuntime(config).requireTopics(List.of(config.topics().deadLetters())); // Kafka answers, the topic exists
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String topic = config.topics().deadLetters();
    String group = replayGroup(config.streams().applicationId());
    Map<String, Object> consumerProps = config.kafka().clientProperties();
    consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    if (replay) {
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    Map<String, Object> producerProps = config.kafka().clientProperties();
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = ExistingTopic.partitions(consumer, topic, config.kafka().bootstrapServers());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // Only what is there now: a record dead-lettered again while this runs is for the next run.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      if (!replay) {
        long read = 0;
        while (end.keySet().stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
          for (ConsumerRecord<byte[], byte[]> r : poll(consumer, end)) {
            out.println(describe(r));
            read++;
          }
        }
        err.printf("%d dead letters%n", read);
        return 0;
      }
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
        return replay(consumer, producer, topic, group, end, out, err);
      }
    } catch (KafkaException e) {
      // Authorization, a broker that went away: nothing the input could fix.
      throw new Unavailable("dead letters in " + topic + (replay ? " (consumer group " + group + ")" : "") + ": "
          + e.getMessage(), e);
    }
  }

  private int replay(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer, String topic,
                     String group, Map<TopicPartition, Long> end, PrintWriter out, PrintWriter err) throws Exception {
    // Where the last replay stopped; a partition no replay has read starts at its beginning.
    Map<TopicPartition, Long> previous = new HashMap<>();
    Map<TopicPartition, Long> position = new HashMap<>(); // as committed now; -1: nothing committed
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(end.keySet()), ExistingTopic.TIMEOUT);
    for (TopicPartition p : end.keySet()) {
      OffsetAndMetadata c = committed.get(p);
      position.put(p, c == null ? -1 : c.offset());
      long at = c == null ? 0 : c.offset();
      if (at > end.get(p)) {
        err.printf("consent-gate: the replay position %d of %s is beyond its end %d (was the topic re-created?); "
            + "replaying that partition from its beginning%n", at, p, end.get(p));
        at = 0;
      }
      previous.put(p, at);
    }
    Map<TopicPartition, Long> replayFrom = new HashMap<>();
    end.keySet().forEach(p -> replayFrom.put(p, fromBeginning ? 0L : previous.get(p)));

    long replayed = 0;
    long skipped = 0;
    long withoutSource = 0;
    Map<Integer, long[]> replayedOffsets = new TreeMap<>(); // partition -> first and last offset replayed
    while (end.keySet().stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
      List<ConsumerRecord<byte[], byte[]>> batch = poll(consumer, end);
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : batch) {
        TopicPartition p = new TopicPartition(r.topic(), r.partition());
        if (r.offset() < replayFrom.get(p)) {
          skipped++;
          continue;
        }
        String source = header(r, DeadLetterHeaders.TOPIC);
        if (source == null) {
          withoutSource++;
          err.printf("consent-gate: %s offset %d has no source topic header; not replayed%n", p, r.offset());
          continue;
        }
        out.println(describe(r));
        sent.add(producer.send(new ProducerRecord<>(source, null, r.key(), r.value())));
        replayed++;
        replayedOffsets.computeIfAbsent(r.partition(), k -> new long[] {r.offset(), r.offset()})[1] = r.offset();
      }
      if (!sent.isEmpty()) {
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
          try {
            f.get();
          } catch (ExecutionException e) {
            out.flush();
            throw new Unavailable("re-sending a dead letter failed: " + e.getCause().getMessage() + "; " + replayed
                + " sent in this run, the position of the last batch not committed (the next --replay sends it again)",
                e.getCause());
          }
        }
      }
      commit(consumer, end, previous, position);
    }
    commit(consumer, end, previous, position);
    out.flush();

    StringBuilder report = new StringBuilder().append(topic).append(": ").append(replayed)
        .append(" replayed to their source topics, ").append(skipped).append(" skipped (already replayed before)");
    if (withoutSource > 0) {
      report.append(", ").append(withoutSource).append(" without a source topic (not replayable)");
    }
    if (!replayedOffsets.isEmpty()) {
      List<String> ranges = new ArrayList<>();
      replayedOffsets.forEach((partition, range) -> ranges.add(partition + ": " + range[0] + ".." + range[1]));
      report.append("; replayed offsets by partition ").append(String.join(", ", ranges));
    }
    Map<Integer, Long> nextByPartition = new TreeMap<>();
    position.forEach((p, offset) -> nextByPartition.put(p.partition(), offset));
    List<String> next = new ArrayList<>();
    nextByPartition.forEach((partition, offset) -> next.add(partition + ": " + offset));
    report.append("; the next --replay starts at offsets ").append(String.join(", ", next))
        .append(" (consumer group ").append(group).append("; --from-beginning replays all again)");
    err.println(report);
    return 0;
  }

  /**
   * Commits, per partition, the offset after the records handled so far and below the end of this
   * run; never behind where an earlier replay stopped (with --from-beginning, a run that fails
   * midway must not make the next run send again what an earlier one sent).
   */
  private static void commit(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end,
                             Map<TopicPartition, Long> previous, Map<TopicPartition, Long> position) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition p : end.keySet()) {
      long at = Math.max(previous.get(p), Math.min(consumer.position(p), end.get(p)));
      if (at != position.get(p)) {
        offsets.put(p, new OffsetAndMetadata(at));
      }
      position.put(p, at);
    }
    if (!offsets.isEmpty()) {
      consumer.commitSync(offsets, ExistingTopic.TIMEOUT);
    }
  }

  /** One poll's records below the end offsets; a partition that has reached its end is paused. */
  private static List<ConsumerRecord<byte[], byte[]>> poll(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
      if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
        records.add(r);
      }
    }
    List<TopicPartition> done = end.keySet().stream().filter(p -> consumer.position(p) >= end.get(p)).toList();
    consumer.pause(done);
    return records;
  }

  private static String describe(ConsumerRecord<byte[], byte[]> r) throws IOException {
    StringWriter s = new StringWriter();
    try (JsonGenerator g = JSON.getFactory().createGenerator(s)) {
      g.writeStartObject();
      g.writeNumberField("dlqPartition", r.partition());
      g.writeNumberField("dlqOffset", r.offset());
      g.writeStringField("sourceTopic", header(r, DeadLetterHeaders.TOPIC));
      g.writeStringField("sourcePartition", header(r, DeadLetterHeaders.PARTITION));
      g.writeStringField("sourceOffset", header(r, DeadLetterHeaders.OFFSET));
      g.writeStringField("error", header(r, DeadLetterHeaders.EXCEPTION));
      g.writeStringField("reason", header(r, DeadLetterHeaders.MESSAGE));
      g.writeStringField("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
      g.writeStringField("valueBase64", r.value() == null ? null : Base64.getEncoder().encodeToString(r.value()));
      g.writeEndObject();
    }
    return s.toString();
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
