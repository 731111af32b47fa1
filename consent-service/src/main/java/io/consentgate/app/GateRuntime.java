package io.consentgate.app;

import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.TopicSetup;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.SchemaRegistry;
import io.consentgate.serde.ValueSerdes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** Turns a {@link GateConfig} into what the runtime needs: serdes, registry client, Streams settings. */
public final class GateRuntime {

  private final GateConfig config;
  private SchemaRegistry registry;

  public GateRuntime(GateConfig config) {
    this.config = config;
  }

  public GateConfig config() {
    return config;
  }

  public synchronized SchemaRegistry registry() {
    if (registry == null) {
      registry = new RestSchemaRegistry(config.registryProperties());
    }
    return registry;
  }

  /**
   * How long a command waits for Kafka to answer an administrative call before it says Kafka is
   * unavailable. The Admin client's own default (60 s, and as long again to close) made a command
   * without a broker hang for a minute before saying anything.
   */
  static final java.time.Duration KAFKA_ANSWER_TIMEOUT = java.time.Duration.ofSeconds(15);

  /** An Admin client whose calls give up after {@link #KAFKA_ANSWER_TIMEOUT} unless kafka.* says otherwise. */
  public Admin admin() {
    Map<String, Object> props = new HashMap<>();
    props.put(org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_ANSWER_TIMEOUT.toMillis());
    props.put(org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) KAFKA_ANSWER_TIMEOUT.toMillis());
    props.putAll(config.kafkaClientProperties());
    return Admin.create(props);
  }

  /** What a command tells the user when Kafka does not answer. */
  String kafkaUnanswered() {
    return "Kafka at " + config.get(GateConfig.BOOTSTRAP_SERVERS) + " did not answer within " + KAFKA_ANSWER_TIMEOUT.toSeconds()
        + " s (is bootstrap.servers right, and is the broker up?)";
  }

  /** Fails with exit 4, naming the address or the topic, unless Kafka answers and every topic exists. */
  public void requireTopics(java.util.Collection<String> topics) throws Unavailable {
    try (Admin admin = admin()) {
      java.util.Set<String> existing = admin.listTopics().names().get(KAFKA_ANSWER_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      List<String> missing = topics.stream().filter(t -> !existing.contains(t)).sorted().toList();
      if (!missing.isEmpty()) {
        String which = missing.size() == 1 ? "topic " + missing.get(0) + " does not exist" : "topics " + missing + " do not exist";
        throw new Unavailable(which + " on Kafka at " + config.get(GateConfig.BOOTSTRAP_SERVERS)
            + " (create the gate's topics with run --create-topics, or start dev)");
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new Unavailable(kafkaUnanswered());
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new Unavailable(kafkaUnanswered());
      }
      throw new Unavailable("Kafka at " + config.get(GateConfig.BOOTSTRAP_SERVERS) + " refused: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted while asking Kafka");
    }
  }

  /** Fails with exit 4, naming the URL, unless the schema registry answers. */
  public void requireRegistry() throws Unavailable {
    if (!config.valueSerdeClass().equals(ConfluentAvroSerde.class.getName())) {
      return; // another serde brings its own client
    }
    RestSchemaRegistry rest = (RestSchemaRegistry) registry();
    try {
      rest.checkReachable();
    } catch (io.consentgate.registry.RegistryUnreachableException e) {
      throw new Unavailable("the schema registry at " + String.join(", ", rest.urls()) + " did not answer: " + e.getMessage());
    } catch (io.consentgate.registry.RestClientException e) {
      throw new Unavailable("the schema registry at " + String.join(", ", rest.urls()) + " refused: " + e.getMessage());
    }
  }

  /** The gate's own serde over the REST registry, or the serde class the configuration names. */
  public ValueSerdes valueSerdes() {
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
        io.consentgate.topology.BoundedMemoryRocksDB.class);
    settings.put(io.consentgate.topology.BoundedMemoryRocksDB.MEMORY_BYTES, config.get(GateConfig.ROCKSDB_MEMORY_BYTES));
    settings.put(io.consentgate.topology.BoundedMemoryRocksDB.WRITE_BUFFER_RATIO, config.get(GateConfig.ROCKSDB_WRITE_BUFFER_RATIO));
    settings.putAll(config.kafkaClientProperties()); // kafka.* passthrough wins over the defaults
    return settings;
  }

  /** The gate for input topics as they are now on the cluster. */
  public GateService gateService() throws GateConfig.ConfigException, TopicSetup.TopicProblem {
    try (Admin admin = admin()) {
      return gateService(TopicSetup.inputPartitions(admin, config.topics()));
    }
  }

  /** @param inputPartitions the input topics' partition count, which decides which task owns a contact */
  public GateService gateService(int inputPartitions) throws GateConfig.ConfigException {
    return new GateService(config.topologySettings(true).withInputPartitions(inputPartitions), valueSerdes(),
        streamsSettings(), config.shutdownTimeout(), config.healthStallTimeout());
  }

  /** The gate as {@code run} starts it: in the epoch {@code start} decided, catching up quietly if it re-decides. */
  public GateService gateService(int inputPartitions, io.consentgate.runtime.GateStart start) throws GateConfig.ConfigException {
    return new GateService(config.topologySettings(true).withInputPartitions(inputPartitions)
        .inEpoch(start.epoch(), start.catchUp()), valueSerdes(), streamsSettings(), config.shutdownTimeout(),
        config.healthStallTimeout());
  }
}
