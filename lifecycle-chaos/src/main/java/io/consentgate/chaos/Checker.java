package io.consentgate.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consentgate.contract.VerdictHeaders;
import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.history.HistoryJson;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topics.GateTopics;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * After a run: reads the whole input history and the verdict topic {@code read_committed}, replays
 * the history with the production jar's own {@code replay}, and applies {@link VerdictRules}.
 */
final class Checker {

  private static final Duration READ_TIMEOUT = Duration.ofMinutes(10);

  private final Map<String, Object> clientProps;
  private final GateTopics topics;
  private final ValueSerdes serdes;
  private final Gates gates;
  private final Path dir;

  Checker(Map<String, Object> clientProps, GateTopics topics, ValueSerdes serdes, Gates gates, Path dir) {
    this.clientProps = clientProps;
    this.topics = topics;
    this.serdes = serdes;
    this.gates = gates;
    this.dir = dir;
  }

  VerdictRules.Findings check(ClusterView view) throws Exception {
    // A gate killed mid-transaction leaves it open until the broker aborts it: until then the
    // records committed after it are hidden from read_committed readers.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!view.verdictsSettled()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("a transaction on " + topics.verdicts() + " is still open 90 s after the gates stopped");
      }
      Thread.sleep(500);
    }
    Instant until = Instant.ofEpochMilli(System.currentTimeMillis());
    Files.createDirectories(dir);
    Path history = dir.resolve("input-history.jsonl");
    InputFacts facts = new InputFacts();
    Deserializer<ContactCreated> contacts = serdes.forType(ContactCreated.class).deserializer();
    Deserializer<ConsentEvidence> evidence = serdes.forType(ConsentEvidence.class).deserializer();
    try (BufferedWriter out = Files.newBufferedWriter(history, StandardCharsets.UTF_8)) {
      read(topics.contactCreated(), r -> {
        ContactCreated c = contacts.deserialize(r.topic(), r.value());
        facts.add(c, r.timestamp());
        write(out, HistoryJson.write(c));
      });
      read(topics.consentEvidence(), r -> {
        ConsentEvidence e = evidence.deserialize(r.topic(), r.value());
        facts.add(e, r.timestamp());
        write(out, HistoryJson.write(e));
      });
    }
    Path replayed = dir.resolve("replay-verdicts.jsonl");
    Gates.Outcome replay = gates.replay(history, until, replayed);
    if (replay.exitCode() != 0) {
      throw new IllegalStateException("replay exited with " + replay.exitCode() + ": " + replay.output());
    }
    Map<String, VerdictRules.Outcome> expected = new HashMap<>();
    ObjectMapper json = new ObjectMapper();
    try (var lines = Files.lines(replayed, StandardCharsets.UTF_8)) {
      for (String line : (Iterable<String>) lines::iterator) {
        JsonNode v = json.readTree(line); // a verdict line as docs/events.md gives it; the last per contact is final
        JsonNode validUntil = v.path("validUntil");
        expected.put(v.get("contactId").asText(), new VerdictRules.Outcome(v.get("decision").asText().equals("ALLOW"),
            v.get("status").asText(), validUntil.isTextual() ? Instant.parse(validUntil.asText()).toEpochMilli() : null));
      }
    }
    VerdictRules rules = new VerdictRules(facts);
    Deserializer<ConsentVerdict> verdicts = serdes.forType(ConsentVerdict.class).deserializer();
    read(topics.verdicts(), r -> {
      ConsentVerdict v = verdicts.deserialize(r.topic(), r.value());
      Header writer = r.headers().lastHeader(VerdictHeaders.APPLICATION_ID);
      String writerId = writer == null ? "?" : new String(writer.value(), StandardCharsets.UTF_8);
      rules.accept(new VerdictRules.Observed(v.getContactId(), v.getEpoch(), v.getVersion(),
          v.getDecision().name().equals("ALLOW"), v.getStatus().name(),
          v.getValidUntil() == null ? null : v.getValidUntil().toEpochMilli(), List.copyOf(v.getEvidenceIds()), writerId,
          r.timestamp(), r.partition(), r.offset(), hash(r.value(), writerId)));
    });
    return rules.finish(expected, until.toEpochMilli());
  }

  /** Every record of the topic up to its end now, partition by partition, in offset order. */
  private void read(String topic, Consumer<ConsumerRecord<String, byte[]>> each) throws Exception {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      for (TopicPartition partition : partitions) {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (consumer.position(partition, Duration.ofSeconds(30)) < end) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("could not read " + partition + " to offset " + end + " within " + READ_TIMEOUT);
          }
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            if (r.offset() < end) {
              each.accept(r);
            }
          }
        }
      }
    }
  }

  private static void write(BufferedWriter out, String line) {
    try {
      out.write(line);
      out.newLine();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** FNV-1a over the value's bytes and the writer's id: equal records, equal hashes. */
  static long hash(byte[] value, String writer) {
    long h = 0xcbf29ce484222325L;
    for (byte b : value) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    for (byte b : writer.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }
}
