package io.consentgate.app;

import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.TopicSetup;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.SchemaRegistry;
import io.consentgate.serde.ValueSerdes;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** Turns a {@link GateConfig} into what the runtime needs: serdes, registry client, Streams settings. */
final class GateRuntime {

  private final GateConfig config;
  private SchemaRegistry registry;

  GateRuntime(GateConfig config) {
    this.config = config;
  }

  GateConfig config() {
    return config;
  }

  synchronized SchemaRegistry registry() {
    if (registry == null) {
      registry = new RestSchemaRegistry(config.registryProperties());
    }
    return registry;
  }

  /** The gate's own serde over the REST registry, or the serde class the configuration names. */
  ValueSerdes valueSerdes() {
    if (config.valueSerdeClass().equals(ConfluentAvroSerde.class.getName())) {
      return ValueSerdes.using(registry());
    }
    Map<String, Object> serdeConfig = new HashMap<>(config.kafkaClientProperties());
    serdeConfig.putAll(config.registryProperties());
    serdeConfig.put("specific.avro.reader", true);
    return ValueSerdes.byClassName(config.valueSerdeClass(), serdeConfig);
  }

  Map<String, Object> streamsSettings() throws GateConfig.ConfigException {
    Map<String, Object> settings = new HashMap<>(GateService.defaultStreamsSettings(config.applicationId(),
        config.get(GateConfig.PROCESSING_GUARANTEE), Integer.parseInt(config.get(GateConfig.STANDBY_REPLICAS)),
        Integer.parseInt(config.get(GateConfig.REPLICATION_FACTOR)), config.stateDir().toString()));
    settings.put(org.apache.kafka.streams.StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
        io.consentgate.runtime.BoundedMemoryRocksDB.class);
    settings.put(io.consentgate.runtime.BoundedMemoryRocksDB.MEMORY_BYTES, config.get(GateConfig.ROCKSDB_MEMORY_BYTES));
    settings.put(io.consentgate.runtime.BoundedMemoryRocksDB.WRITE_BUFFER_RATIO, config.get(GateConfig.ROCKSDB_WRITE_BUFFER_RATIO));
    settings.putAll(config.kafkaClientProperties()); // kafka.* passthrough wins over the defaults
    return settings;
  }

  /** The gate for input topics as they are now on the cluster. */
  GateService gateService() throws GateConfig.ConfigException, TopicSetup.TopicProblem {
    try (Admin admin = Admin.create(config.kafkaClientProperties())) {
      return gateService(TopicSetup.inputPartitions(admin, config.topics()));
    }
  }

  /** @param inputPartitions the input topics' partition count, which decides which task owns a contact */
  GateService gateService(int inputPartitions) throws GateConfig.ConfigException {
    return new GateService(config.topologySettings(true).withInputPartitions(inputPartitions), valueSerdes(),
        streamsSettings(), config.shutdownTimeout(), config.healthStallTimeout());
  }
}
