package io.consentgate.topology;

import io.consentgate.topics.GateTopics;
import io.consentgate.topics.InputRecordSerializer;
import io.consentgate.topics.InputTopic;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.events.Proof;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.InMemorySchemaRegistry;
import io.consentgate.serde.ValueSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The production topology in a TopologyTestDriver, with typed inputs and outputs: the harness of
 * the topology's tests and of the dev stack's topology replay engine. In the topology's package,
 * so that the topology's tests (which compile it from this module's sources) reach its
 * package-private helpers.
 */
public final class GateTestDriver implements AutoCloseable {

  static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

  final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  final TopologySettings settings;
  final Topology topology;
  final TopologyTestDriver driver;
  final TestInputTopic<String, ContactCreated> contacts;
  final TestInputTopic<String, ConsentEvidence> evidence;
  final TestInputTopic<byte[], byte[]> rawContacts;
  final TestInputTopic<byte[], byte[]> rawEvidence;
  final TestOutputTopic<String, ConsentVerdict> verdicts;
  final TestOutputTopic<byte[], byte[]> deadLetters;
  private final InputRecordSerializer inputRecords;
  private final Map<String, TestInputTopic<String, byte[]>> serializedInputs = new HashMap<>();
  private final Path stateDir;

  GateTestDriver() {
    this(TopologySettings.defaults());
  }

  GateTestDriver(TopologySettings settings) {
    this(settings, java.util.Map.of());
  }

  GateTestDriver(TopologySettings settings, java.util.Map<String, Object> extraProps) {
    this(settings, extraProps, START);
  }

  /** @param start the driver's wall clock at the start */
  public GateTestDriver(TopologySettings settings, java.util.Map<String, Object> extraProps, Instant start) {
    this.settings = settings;
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "consent-gate-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "test.invalid:9092");
    try {
      stateDir = Files.createTempDirectory("gate-test");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.putAll(ConsentGateTopology.streamsProperties(settings));
    props.putAll(extraProps);
    ValueSerdes serdes = ValueSerdes.using(registry);
    topology = ConsentGateTopology.build(settings, serdes);
    driver = new TopologyTestDriver(topology, props, start);
    GateTopics t = settings.topics();
    contacts = input(t.contactCreatedInput(), serdes);
    evidence = input(t.consentEvidenceInput(), serdes);
    inputRecords = new InputRecordSerializer(t, serdes);
    for (InputTopic<?> input : t.inputs()) {
      serializedInputs.put(input.name(), driver.createInputTopic(input.name(), new StringSerializer(), new ByteArraySerializer()));
    }
    rawContacts = driver.createInputTopic(t.contactCreated(), new ByteArraySerializer(), new ByteArraySerializer());
    rawEvidence = driver.createInputTopic(t.consentEvidence(), new ByteArraySerializer(), new ByteArraySerializer());
    verdicts = driver.createOutputTopic(t.verdicts(), new StringDeserializer(),
        new ConfluentAvroSerde<>(registry, ConsentVerdict.class).deserializer());
    deadLetters = driver.createOutputTopic(t.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private <V extends SpecificRecord> TestInputTopic<String, V> input(InputTopic<V> input, ValueSerdes serdes) {
    return driver.createInputTopic(input.name(), input.keySerde().serializer(), input.valueSerde(serdes).serializer());
  }

  static ContactCreated contact(String id, String email, ContactSource source, Instant createdAt) {
    return contact(id, "acme", email, source, createdAt);
  }

  static ContactCreated contact(String id, String brand, String email, ContactSource source, Instant createdAt) {
    return ContactCreated.newBuilder().setContactId(id).setBrandId(brand).setEmail(email).setSource(source)
        .setCreatedAt(createdAt).build();
  }

  static ConsentEvidence evidence(String evidenceId, String contactId, EvidenceKind kind, Instant occurredAt) {
    return ConsentEvidence.newBuilder().setEvidenceId(evidenceId).setContactId(contactId).setBrandId("acme")
        .setKind(kind).setOccurredAt(occurredAt)
        .setProof(Proof.newBuilder().setReference("proof-" + evidenceId).setUrl(null).setIpAddress(null)
            .setUserAgent(null).setCapturedText(null).build())
        .build();
  }

  public void send(ContactCreated c) {
    contacts.pipeInput(c.getContactId(), c);
  }

  public void send(ConsentEvidence e) {
    evidence.pipeInput(e.getContactId(), e);
  }

  /** Sends a record of either input type (as read from a history) to its topic, keyed by its contactId. */
  public void send(SpecificRecord record) {
    ProducerRecord<String, byte[]> r = inputRecords.serialize(record);
    serializedInputs.get(r.topic()).pipeInput(r.key(), r.value());
  }

  public void advanceClock(Duration d) {
    driver.advanceWallClockTime(d);
  }

  public List<ConsentVerdict> readVerdicts() {
    return verdicts.readValuesToList();
  }

  List<TestRecord<String, ConsentVerdict>> readVerdictRecords() {
    return verdicts.readRecordsToList();
  }

  /** The records on the audit topic (none when the settings keep no audit trail). */
  List<TestRecord<String, ConsentVerdict>> readAuditRecords() {
    GateTopics t = settings.topics();
    if (!t.audits() || !driver.producedTopicNames().contains(t.verdictsAudit())) {
      return List.of();
    }
    return driver.createOutputTopic(t.verdictsAudit(), new StringDeserializer(),
        new ConfluentAvroSerde<>(registry, ConsentVerdict.class).deserializer()).readRecordsToList();
  }

  boolean anyDeadLetter() {
    return driver.producedTopicNames().contains(settings.topics().deadLetters());
  }

  public List<TestRecord<byte[], byte[]>> readDeadLetters() {
    return anyDeadLetter() ? deadLetters.readRecordsToList() : List.of();
  }

  @Override
  public void close() {
    driver.close();
    try {
      org.apache.kafka.common.utils.Utils.delete(stateDir.toFile());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
