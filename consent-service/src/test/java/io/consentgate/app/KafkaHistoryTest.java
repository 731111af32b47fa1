package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.replay.HistoryLine;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.InMemorySchemaRegistry;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topics.GateTopics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * How export and --from-kafka read the topics: merged by append time across partitions, never
 * reordering a partition, even when a partition's append times step back; what the gate would
 * dead-letter for its bytes or key is a malformed line, what breaks the contract in its fields a
 * refused one.
 */
class KafkaHistoryTest {

  private static final GateTopics TOPICS = GateTopics.DEFAULTS;
  private static final Instant T = Instant.parse("2024-01-05T10:00:00Z");

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ValueSerdes serdes = ValueSerdes.using(registry);
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final Map<TopicPartition, Long> ends = new HashMap<>();
  /** Records to hand over at the first poll: a MockConsumer takes records only for assigned partitions. */
  private final List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();

  @Test
  void mergesByAppendTimeAndKeepsEachPartitionsOrderWhenItsClockStepsBack() throws Exception {
    partitions(TOPICS.contactCreated(), 2);
    partitions(TOPICS.consentEvidence(), 2);
    add(TOPICS.contactCreated(), 0, 0, 1_000, contact("c-a"));
    add(TOPICS.contactCreated(), 0, 1, 4_000, contact("c-b"));
    add(TOPICS.contactCreated(), 1, 0, 2_000, contact("c-c"));
    add(TOPICS.consentEvidence(), 0, 0, 3_000, evidence("e-1", "c-a"));
    add(TOPICS.consentEvidence(), 0, 1, 2_500, evidence("e-2", "c-b")); // the broker's clock stepped back
    add(TOPICS.consentEvidence(), 1, 0, 2_000, evidence("e-3", "c-c")); // a tie with contact-created-1@0
    consumer.setMaxPollRecords(1); // one record a poll: the merge must wait for every partition's head

    List<String> order = new ArrayList<>();
    try (KafkaHistory history = open(null)) {
      history.forEachRemaining(line -> {
        HistoryLine.Accepted a = (HistoryLine.Accepted) line;
        order.add(a.where() + "=" + a.appendedAt().toEpochMilli());
      });
      assertThat(history.read()).isEqualTo(6);
      assertThat(history.timestampTypes()).containsExactly(TimestampType.LOG_APPEND_TIME);
    }
    assertThat(order).containsExactly("contact-created-0@0=1000", "contact-created-1@0=2000", "consent-evidence-1@0=2000",
        "consent-evidence-0@0=3000", "consent-evidence-0@1=2500", "contact-created-0@1=4000");
  }

  @Test
  void readsUpToTheEndOffsetsItFoundAtStart() throws Exception {
    partitions(TOPICS.contactCreated(), 1);
    partitions(TOPICS.consentEvidence(), 1);
    add(TOPICS.contactCreated(), 0, 0, 1_000, contact("c-a"));
    try (KafkaHistory history = open(null)) {
      add(TOPICS.contactCreated(), 0, 1, 2_000, contact("c-late")); // appended after reading started
      List<HistoryLine> lines = new ArrayList<>();
      history.forEachRemaining(lines::add);
      assertThat(lines).hasSize(1);
    }
  }

  @Test
  void whatTheGateDeadLettersIsMalformedOrRefusedAsTheGateWouldSayIt() throws Exception {
    partitions(TOPICS.contactCreated(), 1);
    partitions(TOPICS.consentEvidence(), 1);
    add(TOPICS.contactCreated(), 0, 0, 1_000, "c-x", serialize(contact("c-a"))); // key differs from contactId
    add(TOPICS.contactCreated(), 0, 1, 1_001, null, serialize(contact("c-b"))); // no key
    add(TOPICS.contactCreated(), 0, 2, 1_002, "c-c", new byte[] {1, 2, 3}); // not the wire format
    add(TOPICS.contactCreated(), 0, 3, 1_003, "c-d", null); // no value
    ContactCreated blankBrand = contact("c-e");
    blankBrand.setBrandId(" ");
    add(TOPICS.contactCreated(), 0, 4, 1_004, blankBrand);
    List<HistoryLine> lines = new ArrayList<>();
    try (KafkaHistory history = open(null)) {
      history.forEachRemaining(lines::add);
    }
    assertThat(lines).hasSize(5);
    assertThat(lines.subList(0, 4)).allSatisfy(l -> assertThat(l).isInstanceOf(HistoryLine.Malformed.class));
    assertThat(((HistoryLine.Malformed) lines.get(0)).reason()).contains("c-x").contains("dead-letters");
    assertThat(((HistoryLine.Malformed) lines.get(1)).reason()).startsWith("no key");
    assertThat(((HistoryLine.Malformed) lines.get(2)).reason()).startsWith("not a ContactCreated");
    assertThat(((HistoryLine.Malformed) lines.get(3)).reason()).startsWith("no value");
    assertThat(lines.get(4)).isInstanceOfSatisfying(HistoryLine.Refused.class, r -> {
      assertThat(r.where()).isEqualTo("contact-created-0@4");
      assertThat(r.appendedAt()).isEqualTo(Instant.ofEpochMilli(1_004));
    });
  }

  @Test
  void oneContactsRecordsOnly() throws Exception {
    partitions(TOPICS.contactCreated(), 1);
    partitions(TOPICS.consentEvidence(), 1);
    add(TOPICS.contactCreated(), 0, 0, 1_000, contact("c-a"));
    add(TOPICS.contactCreated(), 0, 1, 1_001, contact("c-b"));
    add(TOPICS.consentEvidence(), 0, 0, 1_002, evidence("e-1", "c-b"));
    List<String> where = new ArrayList<>();
    try (KafkaHistory history = open("c-b")) {
      history.forEachRemaining(l -> where.add(l.where()));
      assertThat(history.read()).as("every record is read, only c-b's parsed").isEqualTo(3);
    }
    assertThat(where).containsExactly("contact-created-0@1", "consent-evidence-0@0");
  }

  private KafkaHistory open(String onlyKey) throws Unavailable {
    consumer.updateBeginningOffsets(ends.keySet().stream().collect(java.util.stream.Collectors.toMap(tp -> tp, tp -> 0L)));
    consumer.updateEndOffsets(ends);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(pending);
    pending.clear();
    consumer.schedulePollTask(() -> records.forEach(consumer::addRecord));
    return KafkaHistory.over(consumer, TOPICS, serdes, onlyKey);
  }

  private void partitions(String topic, int count) {
    List<PartitionInfo> infos = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      infos.add(new PartitionInfo(topic, p, Node.noNode(), new Node[0], new Node[0]));
      ends.put(new TopicPartition(topic, p), 0L);
    }
    consumer.updatePartitions(topic, infos);
  }

  private void add(String topic, int partition, long offset, long timestamp, SpecificRecord value) {
    String key = value instanceof ContactCreated c ? c.getContactId() : ((ConsentEvidence) value).getContactId();
    add(topic, partition, offset, timestamp, key, serialize(value));
  }

  private void add(String topic, int partition, long offset, long timestamp, String key, byte[] value) {
    TopicPartition tp = new TopicPartition(topic, partition);
    ends.merge(tp, offset + 1, Math::max);
    ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(topic, partition, offset, timestamp, TimestampType.LOG_APPEND_TIME,
        key == null ? -1 : key.length(), value == null ? -1 : value.length,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, new RecordHeaders(), Optional.empty());
    if (consumer.assignment().contains(tp)) { // reading has started: the record arrives at a later poll
      consumer.updateEndOffsets(Map.of(tp, ends.get(tp)));
      consumer.schedulePollTask(() -> consumer.addRecord(record));
    } else {
      pending.add(record);
    }
  }

  @SuppressWarnings("unchecked")
  private byte[] serialize(SpecificRecord value) {
    var serde = new ConfluentAvroSerde<>(registry, (Class<SpecificRecord>) value.getClass());
    return serde.serializer().serialize(value instanceof ContactCreated ? TOPICS.contactCreated() : TOPICS.consentEvidence(),
        value);
  }

  private static ContactCreated contact(String id) {
    return ContactCreated.newBuilder().setContactId(id).setBrandId("acme").setEmail(id + "@example.org")
        .setSource(ContactSource.OWN_CHANNEL).setCreatedAt(T).build();
  }

  private static ConsentEvidence evidence(String id, String contactId) {
    return ConsentEvidence.newBuilder().setEvidenceId(id).setContactId(contactId).setBrandId("acme")
        .setKind(EvidenceKind.UNSUBSCRIBE).setOccurredAt(T).setProof(null).build();
  }
}
