package io.consentgate.topology;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The gate's complete Kafka Streams configuration, built in one place for everything that runs the
 * gate on Kafka: {@code run}, {@code dev}, the integration tests (through the service) and the
 * benchmark. In order, each later step winning over the earlier ones:
 * <ol>
 *   <li>the application: id, cluster, processing guarantee, standbys, internal topics' replication,
 *       state directory, the commit interval if one is set;</li>
 *   <li>safety: producer {@code acks=all}; every processor, store and internal topic named
 *       explicitly ({@value StreamsConfig#ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG});
 *       transactional state stores read {@code READ_COMMITTED} by interactive queries, so that the
 *       query API never answers from a write whose transaction has not committed;</li>
 *   <li>what the topology relies on ({@link ConsentGateTopology#streamsProperties}): dead-lettering,
 *       no task idling;</li>
 *   <li>RocksDB's memory bound for the whole process ({@link BoundedMemoryRocksDB});</li>
 *   <li>the user's overrides ({@code kafka.*}), last, so that they win.</li>
 * </ol>
 * Anything not set here is Kafka Streams' own default; notably the commit interval, unless set:
 * 100 ms under exactly-once, 30 s under at-least-once.
 */
public final class GateStreamsConfig {

  private GateStreamsConfig() {}

  public static Properties properties(StreamsSettings streams, TopologySettings topology) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, streams.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, streams.bootstrapServers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, streams.processingGuarantee());
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, streams.standbyReplicas());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, streams.replicationFactor());
    props.put(StreamsConfig.STATE_DIR_CONFIG, streams.stateDir().toString());
    if (streams.commitInterval() != null) {
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(streams.commitInterval().toMillis()));
    }

    props.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // The query API answers only committed state: a store write stays in the store's transaction
    // buffer, invisible to interactive queries, until its Kafka transaction commits (under
    // exactly-once, together with the verdict it published). The isolation level alone changes
    // nothing; it needs the transactional stores. The buffer is bounded by
    // statestore.uncommitted.max.bytes (64 MiB per instance by default; docs/operating.md, Memory).
    props.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
    props.put(StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG, "READ_COMMITTED");

    props.putAll(ConsentGateTopology.streamsProperties(topology));

    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDB.class);
    props.put(BoundedMemoryRocksDB.MEMORY_BYTES, String.valueOf(streams.rocksDbMemoryBytes()));
    props.put(BoundedMemoryRocksDB.WRITE_BUFFER_RATIO, String.valueOf(streams.rocksDbWriteBufferRatio()));

    props.putAll(streams.overrides());
    return props;
  }
}
