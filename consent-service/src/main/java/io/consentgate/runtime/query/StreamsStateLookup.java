package io.consentgate.runtime.query;

import io.consentgate.ledger.ContactConsent;
import io.consentgate.topology.ConsentGateTopology;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.InvalidStateStorePartitionException;
import org.apache.kafka.streams.errors.StateStoreMigratedException;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The consent store ({@value ConsentGateTopology#CONSENT_STORE}) of a running gate, through Kafka
 * Streams' interactive queries.
 *
 * <p>Ownership: the gate gives a contact to the input partition that murmur2 of its id gives over
 * the input partitions ({@link io.consentgate.topology.ContactOwnership}), which is what Kafka
 * Streams' default partitioner computes for the String key, so {@code queryMetadataForKey} names
 * the task that decides for the contact. Reads are read committed: the gate's stores are
 * transactional and queried {@code READ_COMMITTED} ({@link io.consentgate.topology.GateStreamsConfig}).
 */
public final class StreamsStateLookup implements StateLookup {

  private static final Serializer<String> KEYS = Serdes.String().serializer();

  private final KafkaStreams streams;

  public StreamsStateLookup(KafkaStreams streams) {
    this.streams = streams;
  }

  @Override
  public Optional<Owners> owners(String contactId) {
    if (!streams.state().isRunningOrRebalancing()) {
      return Optional.empty();
    }
    KeyQueryMetadata metadata;
    try {
      metadata = streams.queryMetadataForKey(ConsentGateTopology.CONSENT_STORE, contactId, KEYS);
    } catch (IllegalStateException e) {
      return Optional.empty(); // not running (any more)
    }
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null
        || metadata.partition() < 0) {
      return Optional.empty();
    }
    return Optional.of(new Owners(metadata.activeHost(), metadata.standbyHosts(), metadata.partition()));
  }

  @Override
  public Read read(String contactId, int partition, boolean standbyAllowed) {
    StoreQueryParameters<ReadOnlyKeyValueStore<String, ContactConsent>> which = StoreQueryParameters
        .fromNameAndType(ConsentGateTopology.CONSENT_STORE, QueryableStoreTypes.<String, ContactConsent>keyValueStore())
        .withPartition(partition);
    if (standbyAllowed) {
      which = which.enableStaleStores();
    }
    ContactConsent consent;
    try {
      consent = streams.store(which).get(contactId);
    } catch (StreamsNotStartedException e) {
      return new Unavailable("the gate is starting");
    } catch (StateStoreMigratedException e) {
      return new Unavailable("the contact's partition " + partition + " is moving between instances (rebalancing)");
    } catch (InvalidStateStorePartitionException e) {
      return new Unavailable("this instance holds no " + (standbyAllowed ? "copy" : "active copy") + " of partition "
          + partition + " (rebalancing)");
    } catch (InvalidStateStoreException e) {
      return new Unavailable("the store of partition " + partition + " is not ready (restoring or rebalancing)");
    }
    Copy copy = standbyAllowed ? standbyCopy(partition) : Copy.ACTIVE;
    if (copy == null) {
      return new Unavailable("the lag of this instance's copy of partition " + partition + " is unknown");
    }
    return consent == null ? new Missing(copy) : new Found(consent, copy);
  }

  /** How far this instance's copy of the partition is behind its changelog (asks the brokers). */
  private Copy standbyCopy(int partition) {
    Map<Integer, LagInfo> lags;
    try {
      lags = streams.allLocalStorePartitionLags().get(ConsentGateTopology.CONSENT_STORE);
    } catch (RuntimeException e) {
      return null;
    }
    LagInfo lag = lags == null ? null : lags.get(partition);
    return lag == null ? null : new Copy(true, lag.offsetLag());
  }
}
