package io.consentgate.app;

import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.TopicSetup;
import io.consentgate.runtime.query.QueryEndpoint;
import io.consentgate.runtime.query.QuerySettings;
import io.consentgate.serde.SchemaRegistry;
import io.consentgate.serde.ValueSerdes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** Turns a {@link GateConfig} into what the commands need: the registry client, serdes, an admin client, the gate. */
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
      registry = new RestSchemaRegistry(config.registry().clientProperties());
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
    props.putAll(config.kafka().clientProperties());
    return Admin.create(props);
  }

  /** What a command tells the user when Kafka does not answer. */
  String kafkaUnanswered() {
    return "Kafka at " + config.kafka().bootstrapServers() + " did not answer within " + KAFKA_ANSWER_TIMEOUT.toSeconds()
        + " s (is bootstrap.servers right, and is the broker up?)";
  }

  /** Fails with exit 4, naming the address or the topic, unless Kafka answers and every topic exists. */
  public void requireTopics(java.util.Collection<String> topics) throws Unavailable {
    try (Admin admin = admin()) {
      java.util.Set<String> existing = admin.listTopics().names().get(KAFKA_ANSWER_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      List<String> missing = topics.stream().filter(t -> !existing.contains(t)).sorted().toList();
      if (!missing.isEmpty()) {
        String which = missing.size() == 1 ? "topic " + missing.get(0) + " does not exist" : "topics " + missing + " do not exist";
        throw new Unavailable(which + " on Kafka at " + config.kafka().bootstrapServers()
            + " (create the gate's topics with run --create-topics, or start dev)");
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new Unavailable(kafkaUnanswered());
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new Unavailable(kafkaUnanswered());
      }
      throw new Unavailable("Kafka at " + config.kafka().bootstrapServers() + " refused: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted while asking Kafka");
    }
  }

  /** Fails with exit 4, naming the URL, unless the schema registry answers. */
  public void requireRegistry() throws Unavailable {
    if (!config.registry().usesGateSerde()) {
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
    if (config.registry().usesGateSerde()) {
      return ValueSerdes.using(registry());
    }
    Map<String, Object> serdeConfig = config.kafka().clientProperties();
    serdeConfig.putAll(config.registry().clientProperties());
    serdeConfig.put("specific.avro.reader", true);
    return ValueSerdes.byClassName(config.registry().serdeClass(), serdeConfig);
  }

  /** The gate for input topics as they are now on the cluster. */
  public GateService gateService() throws TopicSetup.TopicProblem {
    try (Admin admin = admin()) {
      return gateService(TopicSetup.inputPartitions(admin, config.topics()));
    }
  }

  /** @param inputPartitions the input topics' partition count, which decides which task owns a contact */
  public GateService gateService(int inputPartitions) {
    return new GateService(config.topologySettings(true).withInputPartitions(inputPartitions), valueSerdes(),
        config.streams(), config.service().shutdownTimeout(), config.service().healthStallTimeout());
  }

  /** The gate as {@code run} starts it: in the epoch {@code start} decided, catching up quietly if it re-decides. */
  public GateService gateService(int inputPartitions, io.consentgate.runtime.GateStart start) {
    return gateService(inputPartitions, start, null);
  }

  /**
   * The gate as {@code run} starts it, advertising {@code query} (null: no query API) as its
   * {@code application.server}; {@link GateService#serveQueries} then answers it from the gate.
   */
  public GateService gateService(int inputPartitions, io.consentgate.runtime.GateStart start, QueryEndpoint query) {
    return new GateService(config.topologySettings(true).withInputPartitions(inputPartitions)
        .inEpoch(start.epoch(), start.catchUp()), valueSerdes(),
        query == null ? config.streams() : query.advertisedIn(config.streams()), config.service().shutdownTimeout(),
        config.service().healthStallTimeout());
  }

  static final String QUERY_PORT_FIX = "pick another with --set query.port=PORT (0: any free port, -1: no query API)";

  /**
   * Opens the query port when {@code query.port} is on (it answers 503 until a gate serves it), else null.
   *
   * @throws Unavailable the port is in use or cannot be opened (exit 4)
   */
  public QueryEndpoint openQueryEndpoint() throws Unavailable {
    QuerySettings query = config.query();
    if (!query.enabled()) {
      return null;
    }
    try {
      return QueryEndpoint.open(query);
    } catch (java.io.UncheckedIOException e) {
      if (Ports.isBindFailure(e)) {
        throw Ports.inUse(query.host(), query.port(), "query port", QUERY_PORT_FIX, e);
      }
      throw new Unavailable(e.getMessage(), e);
    }
  }
}
