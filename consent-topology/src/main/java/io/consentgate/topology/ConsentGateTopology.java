package io.consentgate.topology;

import io.consentgate.contract.BadInputException;
import io.consentgate.contract.EventMapping;
import io.consentgate.ledger.ContactConsent;
import io.consentgate.topics.GateApplication;
import io.consentgate.topics.GateTopics;
import io.consentgate.topics.InputTopic;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.serde.ValueSerdes;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The gate as a Kafka Streams topology, built by a pure method that the service, the offline
 * replay and the tests all call.
 *
 * <pre>
 * contact-created  -> contact-created-source  -> contact-created-check  --\
 *                                                                          consent-events -> consent-decider -> consent-verdicts-sink
 * consent-evidence -> consent-evidence-source -> consent-evidence-check --/   (and consent-verdicts-audit-sink)
 *                                                                                                  |
 *                                                                                                  | events of contacts other tasks own
 *                                                                                                  v
 *   consent-events-reroute -> [re-routing topic] -> consent-events-rerouted-time -> consent-decider-rerouted -> consent-verdicts-rerouted-sink
 *                                                                                                  (and consent-verdicts-audit-rerouted-sink)
 *
 *   both deciders: contact records and suppressing evidence, keyed by brand and address
 *     consent-address-notices(-rerouted) -> [address topic] -> consent-address-events-time -> consent-address-index-processor
 *       -> consent-address-deliveries-out -> [deliveries topic, keyed by contact] -> consent-address-deliveries-time
 *       -> consent-decider-addressed -> consent-verdicts-addressed-sink (and consent-verdicts-audit-addressed-sink)
 *
 *   stores (the three deciders): consent-state, consent-lapse-index, consent-catch-up; (the index): consent-address-index
 * </pre>
 *
 * Both input topics are keyed by contactId and co-partitioned. Producers are expected to partition
 * keys as the Java client does, but the gate does not rely on it: an event that reached a task
 * other than its contact's owner ({@link ContactOwnership}) goes through the internal re-routing
 * topic to the owner, inside the same transaction; correctly partitioned events never touch it.
 * Records that break the contract throw {@link BadInputException} in the check steps and go to the
 * dead-letter topic through Kafka Streams' processing-exception handler.
 *
 * <p>Suppression by address (docs/policy.md): the contacts of one brand and address may live on any
 * partition, so what one of them withdrew or bounced goes, keyed by address, to the task that owns
 * the address, whose index delivers it, keyed by contact, to every other contact with it. Every
 * contact record is registered there too, and its contact is never allowed before the index's
 * answer arrives: the answer comes after every suppression the address had.
 */
public final class ConsentGateTopology {

  public static final String CONSENT_STORE = "consent-state";
  public static final String LAPSE_INDEX_STORE = "consent-lapse-index";
  /** Per task: whether it is still catching up quietly or live (see {@link CatchUp}). */
  public static final String CATCH_UP_STORE = "consent-catch-up";

  public static final String CONTACT_SOURCE = "contact-created-source";
  public static final String EVIDENCE_SOURCE = "consent-evidence-source";
  public static final String CONTACT_CHECK = "contact-created-check";
  public static final String EVIDENCE_CHECK = "consent-evidence-check";
  public static final String MERGE = "consent-events";
  public static final String REROUTE_OUT = "consent-events-reroute";
  /** The re-routing topic is {@code <application.id>-consent-events-rerouted-repartition}. */
  public static final String REROUTED = GateApplication.REROUTED;
  public static final String REROUTE_IN = "consent-events-rerouted-time";
  public static final String DECIDER_REROUTED = "consent-decider-rerouted";
  public static final String VERDICT_SINK_REROUTED = "consent-verdicts-rerouted-sink";
  public static final String DECIDER = "consent-decider";
  public static final String VERDICT_SINK = "consent-verdicts-sink";
  /** Every verdict the input decider publishes, also to the audit topic (when the gate keeps one). */
  public static final String AUDIT_SINK = "consent-verdicts-audit-sink";
  /** Every verdict the re-routed decider publishes, also to the audit topic (when the gate keeps one). */
  public static final String AUDIT_SINK_REROUTED = "consent-verdicts-audit-rerouted-sink";

  /** Per brand and address: the contacts with it and their notices ({@link io.consentgate.ledger.AddressIndex}). */
  public static final String ADDRESS_INDEX_STORE = "consent-address-index";
  public static final String ADDRESS_OUT = "consent-address-notices";
  public static final String ADDRESS_OUT_REROUTED = "consent-address-notices-rerouted";
  public static final String ADDRESS_MERGE = "consent-address-notices-merged";
  /** The topic keyed by address is {@code <application.id>-consent-address-events-repartition}. */
  public static final String ADDRESS_EVENTS = GateApplication.ADDRESS_EVENTS;
  public static final String ADDRESS_IN = "consent-address-events-time";
  public static final String ADDRESS_INDEX = "consent-address-index-processor";
  public static final String DELIVERIES_OUT = "consent-address-deliveries-out";
  /** The topic keyed by contact is {@code <application.id>-consent-address-deliveries-repartition}. */
  public static final String DELIVERIES = GateApplication.ADDRESS_DELIVERIES;
  public static final String DELIVERIES_IN = "consent-address-deliveries-time";
  public static final String DECIDER_ADDRESSED = "consent-decider-addressed";
  public static final String VERDICT_SINK_ADDRESSED = "consent-verdicts-addressed-sink";
  public static final String AUDIT_SINK_ADDRESSED = "consent-verdicts-audit-addressed-sink";

  private ConsentGateTopology() {}

  /**
   * The Streams settings this topology relies on, whoever runs it: Kafka Streams' dead-lettering
   * ({@link ErrorHandling}), and no idling for empty input partitions. Decisions do not depend on
   * the order in which records arrive, so there is nothing to wait for; with idling on, the
   * re-routing topic (nearly always empty) would put every record through the "enforced
   * processing" bookkeeping.
   */
  public static Map<String, Object> streamsProperties(TopologySettings settings) {
    Map<String, Object> props = new java.util.HashMap<>(ErrorHandling.streamsProperties(settings.topics()));
    props.put(org.apache.kafka.streams.StreamsConfig.MAX_TASK_IDLE_MS_CONFIG,
        org.apache.kafka.streams.StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    return props;
  }

  /** The internal topic that carries misrouted events to the task that owns their contact. */
  public static String reroutingTopic(String applicationId) {
    return GateApplication.internalTopicsInOrder(applicationId).get(0);
  }

  public static Topology build(TopologySettings settings, ValueSerdes serdes) {
    GateTopics topics = settings.topics();
    ConsentPolicy policy = new ConsentPolicy(settings.policy());
    StreamsBuilder builder = new StreamsBuilder();

    builder.addStateStore(consentStore(settings.durableStores()));
    builder.addStateStore(lapseIndexStore(settings.durableStores()));
    builder.addStateStore(withDurability(Stores.keyValueStoreBuilder(supplier(CATCH_UP_STORE, settings.durableStores()),
        Serdes.String(), Serdes.String()), settings.durableStores()));
    builder.addStateStore(addressIndexStore(settings.durableStores()));

    KStream<String, ConsentEvent> contacts = checked(builder, topics.contactCreatedInput(), serdes, CONTACT_SOURCE, CONTACT_CHECK);
    KStream<String, ConsentEvent> evidence = checked(builder, topics.consentEvidenceInput(), serdes, EVIDENCE_SOURCE, EVIDENCE_CHECK);

    KStream<String, ConsentEvent> events = contacts.merge(evidence, Named.as(MERGE));
    String rerouting = settings.rerouteMisrouted() ? REROUTE_OUT : null;
    KStream<String, Object> decided = events.process(() -> new ConsentDecider(policy, settings,
        ConsentDecider.Role.INPUT, sinks(topics, VERDICT_SINK, AUDIT_SINK), rerouting, ADDRESS_OUT), Named.as(DECIDER),
        CONSENT_STORE, LAPSE_INDEX_STORE, CATCH_UP_STORE);
    verdictsTo(decided, topics, serdes, VERDICT_SINK, AUDIT_SINK);
    KStream<String, ConsentEvent> toTheIndex = eventsOf(decided)
        .processValues(ReroutingTimestamps.Outgoing::new, Named.as(ADDRESS_OUT));
    if (settings.rerouteMisrouted()) {
      KStream<String, Object> reroutedDecided = eventsOf(decided)
          .processValues(ReroutingTimestamps.Outgoing::new, Named.as(REROUTE_OUT))
          .repartition(Repartitioned.<String, ConsentEvent>as(REROUTED)
              .withKeySerde(Serdes.String())
              .withValueSerde(new ConsentEventSerde())
              .withStreamPartitioner((topic, contactId, event, partitions) ->
                  Optional.of(Set.of(settings.ownership().partitionOf(contactId)))))
          .processValues(ReroutingTimestamps.Incoming::new, Named.as(REROUTE_IN))
          .process(() -> new ConsentDecider(policy, settings, ConsentDecider.Role.REROUTED,
                  sinks(topics, VERDICT_SINK_REROUTED, AUDIT_SINK_REROUTED), null, ADDRESS_OUT_REROUTED),
              Named.as(DECIDER_REROUTED), CONSENT_STORE, LAPSE_INDEX_STORE, CATCH_UP_STORE);
      verdictsTo(reroutedDecided, topics, serdes, VERDICT_SINK_REROUTED, AUDIT_SINK_REROUTED);
      toTheIndex = toTheIndex.merge(eventsOf(reroutedDecided)
          .processValues(ReroutingTimestamps.Outgoing::new, Named.as(ADDRESS_OUT_REROUTED)), Named.as(ADDRESS_MERGE));
    }
    // Suppression by address: contact records and notices, keyed by brand and address, to the task
    // that owns the address; what its index delivers, keyed by contact, back to the contact's owner.
    KStream<String, Object> addressedDecided = toTheIndex
        .repartition(Repartitioned.<String, ConsentEvent>as(ADDRESS_EVENTS)
            .withKeySerde(Serdes.String())
            .withValueSerde(new ConsentEventSerde()))
        .processValues(ReroutingTimestamps.Incoming::new, Named.as(ADDRESS_IN))
        .process(AddressIndexProcessor::new, Named.as(ADDRESS_INDEX), ADDRESS_INDEX_STORE)
        .processValues(ReroutingTimestamps.Outgoing::new, Named.as(DELIVERIES_OUT))
        .repartition(Repartitioned.<String, ConsentEvent>as(DELIVERIES)
            .withKeySerde(Serdes.String())
            .withValueSerde(new ConsentEventSerde())
            .withStreamPartitioner((topic, contactId, event, partitions) ->
                Optional.of(Set.of(settings.ownership().partitionOf(contactId)))))
        .processValues(ReroutingTimestamps.Incoming::new, Named.as(DELIVERIES_IN))
        .process(() -> new ConsentDecider(policy, settings, ConsentDecider.Role.ADDRESSED,
                sinks(topics, VERDICT_SINK_ADDRESSED, AUDIT_SINK_ADDRESSED), null, null),
            Named.as(DECIDER_ADDRESSED), CONSENT_STORE, LAPSE_INDEX_STORE, CATCH_UP_STORE);
    verdictsTo(addressedDecided, topics, serdes, VERDICT_SINK_ADDRESSED, AUDIT_SINK_ADDRESSED);
    return builder.build();
  }

  /** A decider's verdicts to the verdict topic and, when the gate keeps one, the audit topic. */
  private static void verdictsTo(KStream<String, Object> decided, GateTopics topics, ValueSerdes serdes,
                                 String verdictSink, String auditSink) {
    verdictsOf(decided).to(topics.verdicts(), Produced.with(Serdes.String(), serdes.forType(ConsentVerdict.class))
        .withName(verdictSink));
    if (topics.audits()) {
      verdictsOf(decided).to(topics.verdictsAudit(), Produced.with(Serdes.String(), serdes.forType(ConsentVerdict.class))
          .withName(auditSink));
    }
  }

  /** The sinks a decider sends each verdict to: the verdict topic's, and the audit topic's when there is one. */
  private static java.util.List<String> sinks(GateTopics topics, String verdictSink, String auditSink) {
    return topics.audits() ? java.util.List.of(verdictSink, auditSink) : java.util.List.of(verdictSink);
  }

  /** An input topic read with its event time, then checked against the contract ({@link EventMapping}). */
  private static <V extends SpecificRecord> KStream<String, ConsentEvent> checked(StreamsBuilder builder,
      InputTopic<V> input, ValueSerdes serdes, String sourceName, String checkName) {
    return builder
        .stream(input.name(), Consumed.with(input.keySerde(), input.valueSerde(serdes))
            .withTimestampExtractor(new EventTimeExtractor<>(input)).withName(sourceName))
        .mapValues(input::toEvent, Named.as(checkName));
  }

  /**
   * The decider forwards verdicts and events to different children by name; each child sees only
   * its own type, so these views only restate what the decider sends where.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static KStream<String, ConsentVerdict> verdictsOf(KStream<String, Object> decided) {
    return (KStream) decided;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static KStream<String, ConsentEvent> eventsOf(KStream<String, Object> decided) {
    return (KStream) decided;
  }

  /**
   * No record cache in front of the store: consecutive events of one contact rarely fall within a
   * commit interval, so the cache saved almost no changelog writes, yet its sorted map and its
   * flush on every commit took a quarter of the stream threads' time (JFR, bench).
   */
  private static StoreBuilder<KeyValueStore<String, ContactConsent>> consentStore(boolean durable) {
    return withDurability(Stores.keyValueStoreBuilder(supplier(CONSENT_STORE, durable), Serdes.String(),
        new ContactConsentSerde()).withCachingDisabled(), durable);
  }

  /**
   * No record cache either: each key is one lapse of one contact, written once and deleted once,
   * so the cache merged nothing and only added its sorted map and its flush.
   */
  private static StoreBuilder<KeyValueStore<Bytes, byte[]>> lapseIndexStore(boolean durable) {
    return withDurability(Stores.keyValueStoreBuilder(supplier(LAPSE_INDEX_STORE, durable), Serdes.Bytes(),
        Serdes.ByteArray()).withCachingDisabled(), durable);
  }

  /** No record cache: the contacts of an address are seldom registered within one commit interval. */
  private static StoreBuilder<KeyValueStore<String, io.consentgate.ledger.AddressEntry>> addressIndexStore(boolean durable) {
    return withDurability(Stores.keyValueStoreBuilder(supplier(ADDRESS_INDEX_STORE, durable), Serdes.String(),
        new AddressEntrySerde()).withCachingDisabled(), durable);
  }

  /**
   * Changelog records carry the event time of the record that caused them, often years old; with
   * CreateTime the broker would roll a segment on nearly every append, so changelogs are stamped
   * with the append time.
   */
  private static <S extends KeyValueStore<?, ?>> StoreBuilder<S> withDurability(StoreBuilder<S> store, boolean durable) {
    return durable
        ? store.withLoggingEnabled(Map.of("cleanup.policy", "compact", "message.timestamp.type", "LogAppendTime"))
        : store.withLoggingDisabled();
  }

  private static KeyValueBytesStoreSupplier supplier(String name, boolean durable) {
    return durable ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
  }
}
