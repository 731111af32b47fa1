package io.consentgate.topology;

import io.consentgate.ledger.ContactConsent;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.PolicySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gate that ran before records were re-routed may hold a contact's state in a task that does not
 * own the contact. Such a task must never publish a verdict for it: its versions would compete with
 * the owner's.
 */
class ConsentDeciderOwnershipTest {

  private static final Instant T0 = Instant.parse("2024-03-10T08:00:00Z");
  private static final ContactOwnership OWNERSHIP = new ContactOwnership(3);
  private static final int THIS_TASK = 1;

  @TempDir
  Path stateDir;

  @Test
  void aTaskLapsesOnlyTheContactsItOwns() {
    MockProcessorContext<String, Object> context = context();
    TopologySettings settings = TopologySettings.defaults().withInputPartitions(OWNERSHIP.inputPartitions());
    ConsentDecider decider = new ConsentDecider(new ConsentPolicy(PolicySettings.defaults()), settings,
        ConsentDecider.Role.INPUT, ConsentGateTopology.VERDICT_SINK, null, ConsentGateTopology.ADDRESS_OUT); // no re-routing: as before it existed
    decider.init(context);
    String owned = contactOwnedBy(THIS_TASK);
    String foreign = contactOwnedBy(2);
    for (String id : List.of(owned, foreign)) { // the foreign one as state written before re-routing existed
      Contact contact = new Contact(id, "acme", id + "@example.org", ContactSource.OWN_CHANNEL, T0);
      decider.process(new Record<>(id, contact, T0.toEpochMilli()));
      // The suppression index's answer, as the decider behind the index would apply it: same stores.
      decider.process(new Record<>(id, io.consentgate.policy.AddressRegistered.of(contact), T0.toEpochMilli()));
      decider.process(new Record<>(id, new Evidence(id + "-order", id, "acme", EvidenceKind.PURCHASE, T0, "order-1"), T0.toEpochMilli()));
    }
    context.resetForwards();

    Instant afterLapse = T0.plus(Duration.ofDays(3 * 365));
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(afterLapse.toEpochMilli());
    assertThat(context.forwarded()).singleElement().satisfies(f -> {
      assertThat(f.record().key()).isEqualTo(owned);
      assertThat(((ConsentVerdict) f.record().value()).getStatus().name()).isEqualTo("EXPIRED");
    });

    context.resetForwards();
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(afterLapse.plusSeconds(60).toEpochMilli());
    assertThat(context.forwarded()).as("nothing later either: the foreign entry left the index").isEmpty();
    KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]> index = context.getStateStore(ConsentGateTopology.LAPSE_INDEX_STORE);
    assertThat(index.approximateNumEntries()).isZero();
  }

  private MockProcessorContext<String, Object> context() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ownership-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "test.invalid:9092");
    MockProcessorContext<String, Object> context = new MockProcessorContext<>(props, new TaskId(0, THIS_TASK), stateDir.toFile());
    KeyValueStore<String, ContactConsent> consents = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(ConsentGateTopology.CONSENT_STORE), Serdes.String(), new ContactConsentSerde())
        .withLoggingDisabled().build();
    KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]> index = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(ConsentGateTopology.LAPSE_INDEX_STORE), Serdes.Bytes(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    consents.init(context.getStateStoreContext(), consents);
    index.init(context.getStateStoreContext(), index);
    KeyValueStore<String, String> catchUp = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(ConsentGateTopology.CATCH_UP_STORE), Serdes.String(), Serdes.String())
        .withLoggingDisabled().build();
    catchUp.init(context.getStateStoreContext(), catchUp);
    context.addStateStore(consents);
    context.addStateStore(index);
    context.addStateStore(catchUp);
    return context;
  }

  private static String contactOwnedBy(int partition) {
    return IntStream.range(0, 1000).mapToObj(i -> "c-" + i).filter(id -> OWNERSHIP.partitionOf(id) == partition)
        .findFirst().orElseThrow();
  }
}
