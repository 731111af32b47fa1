package io.consentgate.app;


import io.consentgate.policy.PolicySettings;
import io.consentgate.policy.Profile;
import io.consentgate.policy.RoleAddresses;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.query.QuerySettings;
import io.consentgate.runtime.query.QueryTls;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.topics.GateApplication;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.StreamsSettings;
import io.consentgate.topology.TopologySettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The gate's configuration, layered: built-in defaults, then a properties file, then
 * {@code CONSENT_GATE_*} environment variables, then command-line flags; a later layer wins for a
 * key set in two. {@link #load} reads and checks every key once (an unknown key or a bad value is
 * an error at startup, not a surprise later) and hands out typed settings, one group per concern:
 * {@link #kafka()}, {@link #registry()}, {@link #topics()}, {@link #policy()}, {@link #streams()},
 * {@link #service()}, {@link #query()}, {@link #topicCreation()}. The key constants are for those who set keys
 * (flags, tests); nobody reads a key back.
 */
public final class GateConfig {

  public static final String APPLICATION_ID = GateApplication.ID_KEY;
  public static final String TOPIC_CONTACT_CREATED = "topic.contact-created";
  public static final String TOPIC_CONSENT_EVIDENCE = "topic.consent-evidence";
  public static final String TOPIC_VERDICTS = "topic.consent-verdicts";
  public static final String TOPIC_DLQ = "topic.dlq";
  public static final String TOPIC_VERDICTS_AUDIT = "topic.verdicts-audit";
  /** Whether the gate also writes every verdict to {@link #TOPIC_VERDICTS_AUDIT}. */
  public static final String AUDIT_ENABLED = "audit.enabled";
  public static final String DEFAULT_PROFILE = "policy.default-profile";
  public static final String BRAND_PROFILE_PREFIX = "policy.profile.";
  public static final String ROLE_ADDRESSES_FILE = "policy.role-addresses.file";
  public static final String LAPSE_CHECK_INTERVAL = "lapse.check-interval";
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String VALUE_SERDE = "value.serde";
  public static final String STATE_DIR = "state.dir";
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";
  public static final String STANDBY_REPLICAS = "num.standby.replicas";
  public static final String REPLICATION_FACTOR = "replication.factor";
  public static final String TOPIC_PARTITIONS = "topics.partitions";
  public static final String TOPIC_REPLICATION_FACTOR = "topics.replication-factor";
  public static final String SHUTDOWN_TIMEOUT = "shutdown.timeout";
  public static final String HEALTH_STALL_TIMEOUT = "health.stall-timeout";
  public static final String ROCKSDB_MEMORY_BYTES = "rocksdb.memory.bytes";
  public static final String METRICS_PORT = "metrics.port";
  public static final String METRICS_HOST = "metrics.host";
  public static final String ROCKSDB_WRITE_BUFFER_RATIO = "rocksdb.write-buffer.ratio";
  public static final String QUERY_PORT = "query.port";
  public static final String QUERY_HOST = "query.host";
  public static final String QUERY_ADVERTISED = "query.advertised";
  public static final String QUERY_TOKENS_FILE = "query.tokens.file";
  public static final String QUERY_STANDBY_MAX_LAG = "query.standby.max-lag";
  public static final String QUERY_TLS_KEYSTORE = QueryTls.KEYSTORE;
  public static final String QUERY_TLS_KEYSTORE_PASSWORD = QueryTls.KEYSTORE_PASSWORD;
  public static final String QUERY_TLS_TRUSTSTORE = QueryTls.TRUSTSTORE;
  public static final String QUERY_TLS_TRUSTSTORE_PASSWORD = QueryTls.TRUSTSTORE_PASSWORD;
  /** Plain HTTP beyond loopback, on purpose: something else encrypts the traffic. */
  public static final String QUERY_INSECURE = "query.insecure";
  /** Any Kafka client or Streams property, passed through without the prefix (e.g. kafka.security.protocol). */
  public static final String KAFKA_PREFIX = "kafka.";
  /** Registry client TLS settings, Confluent's names (schema.registry.ssl.truststore.location ...). */
  public static final String REGISTRY_SSL_PREFIX = "schema.registry.ssl.";
  /** Environment variables that configure the gate start with this. */
  public static final String ENV_PREFIX = "CONSENT_GATE_";

  /** Each known key with its default ({@code null}: none). */
  static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(APPLICATION_ID, GateApplication.DEFAULT_ID); // the senders' client watches this gate by the same default
    d.put(TOPIC_CONTACT_CREATED, GateTopics.DEFAULTS.contactCreated());
    d.put(TOPIC_CONSENT_EVIDENCE, GateTopics.DEFAULTS.consentEvidence());
    d.put(TOPIC_VERDICTS, GateTopics.DEFAULTS.verdicts());
    d.put(TOPIC_DLQ, GateTopics.DEFAULTS.deadLetters());
    d.put(TOPIC_VERDICTS_AUDIT, GateTopics.DEFAULT_VERDICTS_AUDIT);
    d.put(AUDIT_ENABLED, "true");
    d.put(DEFAULT_PROFILE, Profile.OPTIN.profileName());
    d.put(ROLE_ADDRESSES_FILE, null);
    d.put(LAPSE_CHECK_INTERVAL, TopologySettings.DEFAULT_LAPSE_CHECK_INTERVAL.toString());
    d.put(BOOTSTRAP_SERVERS, StreamsSettings.DEFAULT_BOOTSTRAP_SERVERS);
    d.put(SCHEMA_REGISTRY_URL, "http://127.0.0.1:8081");
    d.put(BASIC_AUTH_SOURCE, null);
    d.put(BASIC_AUTH_USER_INFO, null);
    d.put(AUTO_REGISTER_SCHEMAS, "true");
    d.put(USE_LATEST_VERSION, "false");
    d.put(VALUE_SERDE, ConfluentAvroSerde.class.getName());
    d.put(STATE_DIR, StreamsSettings.DEFAULT_STATE_DIR.toString());
    d.put(PROCESSING_GUARANTEE, StreamsSettings.DEFAULT_PROCESSING_GUARANTEE);
    d.put(STANDBY_REPLICAS, String.valueOf(StreamsSettings.DEFAULT_STANDBY_REPLICAS));
    d.put(REPLICATION_FACTOR, String.valueOf(StreamsSettings.DEFAULT_REPLICATION_FACTOR));
    d.put(TOPIC_PARTITIONS, "6");
    d.put(TOPIC_REPLICATION_FACTOR, "-1");
    d.put(SHUTDOWN_TIMEOUT, GateService.DEFAULT_SHUTDOWN_TIMEOUT.toString());
    d.put(HEALTH_STALL_TIMEOUT, GateService.DEFAULT_STALL_TIMEOUT.toString());
    d.put(ROCKSDB_MEMORY_BYTES, String.valueOf(StreamsSettings.DEFAULT_ROCKSDB_MEMORY_BYTES));
    d.put(METRICS_PORT, "9464");
    d.put(METRICS_HOST, "0.0.0.0");
    d.put(ROCKSDB_WRITE_BUFFER_RATIO, String.valueOf(StreamsSettings.DEFAULT_ROCKSDB_WRITE_BUFFER_RATIO));
    // Off for run: a port an upgrade would start opening (and a second instance on the machine would
    // then need its own); dev turns it on at 8088.
    d.put(QUERY_PORT, String.valueOf(QuerySettings.OFF));
    d.put(QUERY_HOST, QuerySettings.DEFAULT_HOST);
    d.put(QUERY_ADVERTISED, null);
    d.put(QUERY_TOKENS_FILE, null);
    d.put(QUERY_STANDBY_MAX_LAG, String.valueOf(QuerySettings.DEFAULT_STANDBY_MAX_LAG));
    d.put(QUERY_TLS_KEYSTORE, null);
    d.put(QUERY_TLS_KEYSTORE_PASSWORD, null);
    d.put(QUERY_TLS_TRUSTSTORE, null);
    d.put(QUERY_TLS_TRUSTSTORE_PASSWORD, null);
    d.put(QUERY_INSECURE, "false");
    DEFAULTS = java.util.Collections.unmodifiableMap(d);
  }

  private final KafkaSettings kafka;
  private final RegistrySettings registry;
  private final GateTopics topics;
  private final PolicySettings policy;
  private final Duration lapseCheckInterval;
  private final StreamsSettings streams;
  private final ServiceSettings service;
  private final TopicCreation topicCreation;
  private final QuerySettings query;

  private GateConfig(KafkaSettings kafka, RegistrySettings registry, GateTopics topics, PolicySettings policy,
                     Duration lapseCheckInterval, StreamsSettings streams, ServiceSettings service,
                     TopicCreation topicCreation, QuerySettings query) {
    this.kafka = kafka;
    this.registry = registry;
    this.topics = topics;
    this.policy = policy;
    this.lapseCheckInterval = lapseCheckInterval;
    this.streams = streams;
    this.service = service;
    this.topicCreation = topicCreation;
    this.query = query;
  }

  /** Defaults, then the file, then flags; no environment. */
  public static GateConfig load(Path file, Map<String, String> flags) throws ConfigException {
    return load(file, Map.of(), flags);
  }

  /**
   * Layers, each winning over the one before: built-in defaults, the properties file, environment
   * variables ({@code CONSENT_GATE_*}), flags.
   *
   * @param file a properties file, or {@code null}
   * @param environment the process environment; only {@code CONSENT_GATE_*} variables are read
   * @param flags values given on the command line
   */
  public static GateConfig load(Path file, Map<String, String> environment, Map<String, String> flags)
      throws ConfigException {
    Map<String, String> merged = new HashMap<>();
    DEFAULTS.forEach((k, v) -> {
      if (v != null) {
        merged.put(k, v);
      }
    });
    if (file != null) {
      merged.putAll(readFile(file));
    }
    merged.putAll(fromEnvironment(environment));
    merged.putAll(flags);
    List<String> unknown = merged.keySet().stream().filter(k -> !isKnown(k)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown configuration key(s) " + unknown + "; known keys: "
          + DEFAULTS.keySet().stream().sorted().toList() + ", " + BRAND_PROFILE_PREFIX + "<brandId>, "
          + KAFKA_PREFIX + "<any Kafka property> and " + REGISTRY_SSL_PREFIX + "<setting>");
    }
    return new Values(merged).read();
  }

  private static boolean isKnown(String key) {
    return DEFAULTS.containsKey(key) || key.startsWith(BRAND_PROFILE_PREFIX) || key.startsWith(KAFKA_PREFIX)
        || key.startsWith(REGISTRY_SSL_PREFIX);
  }

  /** The environment variable that sets {@code key}: CONSENT_GATE_ and the key in upper case, . and - as _. */
  private static String environmentName(String key) {
    return ENV_PREFIX + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Maps CONSENT_GATE_* variables to keys: a known key by its environment name; otherwise
   * CONSENT_GATE_KAFKA_X_Y to kafka.x.y and CONSENT_GATE_POLICY_PROFILE_B to policy.profile.b
   * (brand in lower case). Any other CONSENT_GATE_* variable is an error, like an unknown key.
   */
  private static Map<String, String> fromEnvironment(Map<String, String> environment) throws ConfigException {
    Map<String, String> byEnvName = new HashMap<>();
    DEFAULTS.keySet().forEach(k -> byEnvName.put(environmentName(k), k));
    Map<String, String> values = new HashMap<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(ENV_PREFIX)) {
        continue;
      }
      String rest = name.substring(ENV_PREFIX.length()).toLowerCase(java.util.Locale.ROOT);
      if (byEnvName.containsKey(name)) {
        values.put(byEnvName.get(name), e.getValue());
      } else if (rest.startsWith("kafka_") && rest.length() > "kafka_".length()) {
        values.put(KAFKA_PREFIX + rest.substring("kafka_".length()).replace('_', '.'), e.getValue());
      } else if (rest.startsWith("policy_profile_") && rest.length() > "policy_profile_".length()) {
        values.put(BRAND_PROFILE_PREFIX + rest.substring("policy_profile_".length()), e.getValue());
      } else {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown environment variable(s) " + unknown.stream().sorted().toList()
          + "; a CONSENT_GATE_ variable must name a configuration key (see docs/configuration.md)");
    }
    return values;
  }

  private static Map<String, String> readFile(Path file) throws ConfigException {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new HashMap<>();
    props.stringPropertyNames().forEach(k -> values.put(k.trim(), props.getProperty(k).trim()));
    return values;
  }

  /** Kafka's address and the {@code kafka.*} client properties. */
  public KafkaSettings kafka() {
    return kafka;
  }

  /** The schema registry client and the value serde. */
  public RegistrySettings registry() {
    return registry;
  }

  public GateTopics topics() {
    return topics;
  }

  /** Profiles per brand and the role addresses. */
  public PolicySettings policy() {
    return policy;
  }

  /** How often the gate looks (wall clock) for implicit consents that have lapsed. */
  public Duration lapseCheckInterval() {
    return lapseCheckInterval;
  }

  /** The topology built from this configuration. */
  public TopologySettings topologySettings(boolean durableStores) {
    return new TopologySettings(topics, policy, lapseCheckInterval, durableStores);
  }

  /** How the gate runs as a Kafka Streams application (see {@link io.consentgate.topology.GateStreamsConfig}). */
  public StreamsSettings streams() {
    return streams;
  }

  /** Shutdown, health and metrics of the running gate. */
  public ServiceSettings service() {
    return service;
  }

  /** The query API ({@code run}, {@code dev}): where it listens, who may ask. */
  public QuerySettings query() {
    return query;
  }

  /** How missing topics are created. */
  public TopicCreation topicCreation() {
    return topicCreation;
  }

  /**
   * The merged keys of every layer, read once into typed settings. Each value is checked here, so
   * that a bad one stops the command at startup with a message that names its key.
   */
  private static final class Values {

    private final Map<String, String> values;

    Values(Map<String, String> values) {
      this.values = Map.copyOf(values);
    }

    GateConfig read() throws ConfigException {
      RegistrySettings registry = registry();
      String audit = values.get(AUDIT_ENABLED);
      if (!audit.equals("true") && !audit.equals("false")) {
        throw new ConfigException(AUDIT_ENABLED + " must be true or false, got '" + audit + "'");
      }
      if (audit.equals("true") && values.get(TOPIC_VERDICTS_AUDIT).equals(values.get(TOPIC_VERDICTS))) {
        throw new ConfigException(TOPIC_VERDICTS_AUDIT + " must differ from " + TOPIC_VERDICTS + " ("
            + values.get(TOPIC_VERDICTS) + "): the verdict topic is compacted, the audit topic keeps every verdict");
      }
      GateTopics topics = new GateTopics(values.get(TOPIC_CONTACT_CREATED), values.get(TOPIC_CONSENT_EVIDENCE),
          values.get(TOPIC_VERDICTS), values.get(TOPIC_DLQ), audit.equals("true") ? values.get(TOPIC_VERDICTS_AUDIT) : null);
      PolicySettings policy = policySettings();
      Duration lapseCheckInterval = duration(LAPSE_CHECK_INTERVAL);
      TopicCreation topicCreation = new TopicCreation(positiveInt(TOPIC_PARTITIONS),
          (short) intValue(TOPIC_REPLICATION_FACTOR));
      Duration shutdownTimeout = duration(SHUTDOWN_TIMEOUT);
      Duration healthStallTimeout = duration(HEALTH_STALL_TIMEOUT);
      int standbyReplicas = intValue(STANDBY_REPLICAS);
      int metricsPort = intValue(METRICS_PORT);
      if (metricsPort < -1 || metricsPort > 65535) {
        throw new ConfigException(METRICS_PORT + " must be a port, 0 for any free one, or -1 for none");
      }
      String metricsHost = values.get(METRICS_HOST);
      if (metricsHost.isBlank()) {
        throw new ConfigException(METRICS_HOST + " must be an address to listen on, e.g. 0.0.0.0 (every interface) or 127.0.0.1");
      }
      long rocksDbMemoryBytes;
      double writeBufferRatio;
      try {
        rocksDbMemoryBytes = Long.parseLong(values.get(ROCKSDB_MEMORY_BYTES));
        if (rocksDbMemoryBytes < StreamsSettings.MIN_ROCKSDB_MEMORY_BYTES) {
          throw new ConfigException(ROCKSDB_MEMORY_BYTES + " must be at least 16 MiB, got " + values.get(ROCKSDB_MEMORY_BYTES));
        }
        writeBufferRatio = Double.parseDouble(values.get(ROCKSDB_WRITE_BUFFER_RATIO));
        if (!(writeBufferRatio > 0 && writeBufferRatio < 1)) {
          throw new ConfigException(ROCKSDB_WRITE_BUFFER_RATIO + " must be between 0 and 1, got " + writeBufferRatio);
        }
      } catch (NumberFormatException e) {
        throw new ConfigException("rocksdb settings must be numbers: " + e.getMessage());
      }
      int replicationFactor = intValue(REPLICATION_FACTOR);
      for (String key : List.of(AUTO_REGISTER_SCHEMAS, USE_LATEST_VERSION)) {
        if (!values.get(key).equals("true") && !values.get(key).equals("false")) {
          throw new ConfigException(key + " must be true or false, got '" + values.get(key) + "'");
        }
      }
      String guarantee = values.get(PROCESSING_GUARANTEE);
      if (!StreamsSettings.PROCESSING_GUARANTEES.contains(guarantee)) {
        throw new ConfigException(PROCESSING_GUARANTEE + " must be exactly_once_v2 or at_least_once, got '"
            + guarantee + "'");
      }

      KafkaSettings kafka = new KafkaSettings(values.get(BOOTSTRAP_SERVERS), withoutPrefix(KAFKA_PREFIX));
      StreamsSettings streams = new StreamsSettings(values.get(APPLICATION_ID), kafka.bootstrapServers(), guarantee,
          standbyReplicas, replicationFactor, path(STATE_DIR), rocksDbMemoryBytes, writeBufferRatio, kafka.overrides());
      ServiceSettings service = new ServiceSettings(shutdownTimeout, healthStallTimeout, metricsHost, metricsPort);
      return new GateConfig(kafka, registry, topics, policy, lapseCheckInterval, streams, service, topicCreation, query());
    }

    private QuerySettings query() throws ConfigException {
      if (values.containsKey(KAFKA_PREFIX + StreamsConfig.APPLICATION_SERVER_CONFIG)) {
        throw new ConfigException(KAFKA_PREFIX + StreamsConfig.APPLICATION_SERVER_CONFIG + " is the query API's address: "
            + "set " + QUERY_ADVERTISED + " (and " + QUERY_PORT + ") instead");
      }
      int port = intValue(QUERY_PORT);
      if (values.get(QUERY_HOST).isBlank()) {
        throw new ConfigException(QUERY_HOST + " must be an address to listen on, e.g. 127.0.0.1");
      }
      long maxLag;
      try {
        maxLag = Long.parseLong(values.get(QUERY_STANDBY_MAX_LAG));
      } catch (NumberFormatException e) {
        throw new ConfigException(QUERY_STANDBY_MAX_LAG + " must be a whole number of offsets, got '"
            + values.get(QUERY_STANDBY_MAX_LAG) + "'");
      }
      String advertised = values.get(QUERY_ADVERTISED);
      List<String> tokens = tokens();
      String insecure = values.get(QUERY_INSECURE);
      if (!insecure.equals("true") && !insecure.equals("false")) {
        throw new ConfigException(QUERY_INSECURE + " must be true or false, got '" + insecure + "'");
      }
      try {
        QueryTls tls = port == QuerySettings.OFF ? null : queryTls();
        return new QuerySettings(values.get(QUERY_HOST), port, advertised == null || advertised.isBlank() ? null : advertised,
            tokens, maxLag, tls, insecure.equals("true"));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }

    /** The query API's certificate, loaded now so that a wrong path or password stops the start; null: plain HTTP. */
    private QueryTls queryTls() throws ConfigException {
      String keystore = values.get(QUERY_TLS_KEYSTORE);
      String truststore = values.get(QUERY_TLS_TRUSTSTORE);
      if (keystore == null || keystore.isBlank()) {
        if (truststore != null && !truststore.isBlank()) {
          throw new ConfigException(QUERY_TLS_TRUSTSTORE + " is set but " + QUERY_TLS_KEYSTORE + " is not: the instances "
              + "call each other over TLS only when they serve it");
        }
        return null;
      }
      try {
        return QueryTls.load(Path.of(keystore), values.get(QUERY_TLS_KEYSTORE_PASSWORD),
            truststore == null || truststore.isBlank() ? null : Path.of(truststore), values.get(QUERY_TLS_TRUSTSTORE_PASSWORD));
      } catch (java.nio.file.InvalidPathException e) {
        throw new ConfigException(QUERY_TLS_KEYSTORE + ": not a path: " + e.getMessage());
      }
    }

    /** The bearer tokens of the query API: one a line; blank lines and {@code #} comments skipped. */
    private List<String> tokens() throws ConfigException {
      String file = values.get(QUERY_TOKENS_FILE);
      if (file == null || file.isBlank()) {
        return List.of();
      }
      List<String> tokens = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
          String token = line.strip();
          if (!token.isEmpty() && !token.startsWith("#")) {
            tokens.add(token);
          }
        }
      } catch (IOException | java.nio.file.InvalidPathException e) {
        throw new ConfigException(QUERY_TOKENS_FILE + ": cannot read " + file + ": " + e.getMessage());
      }
      if (tokens.isEmpty()) {
        throw new ConfigException(QUERY_TOKENS_FILE + ": " + file + " holds no token (one token a line)");
      }
      return tokens;
    }

    /** The registry client's settings, Confluent's names; checked here when the gate's own serde uses them. */
    private RegistrySettings registry() throws ConfigException {
      Map<String, String> props = new HashMap<>();
      for (String key : List.of(SCHEMA_REGISTRY_URL, BASIC_AUTH_SOURCE, BASIC_AUTH_USER_INFO, AUTO_REGISTER_SCHEMAS,
          USE_LATEST_VERSION)) {
        if (values.get(key) != null) {
          props.put(key, values.get(key));
        }
      }
      values.forEach((k, v) -> {
        if (k.startsWith(REGISTRY_SSL_PREFIX)) {
          props.put(k, v);
        }
      });
      RegistrySettings registry = new RegistrySettings(props, values.get(VALUE_SERDE));
      if (registry.usesGateSerde()) {
        try {
          RestSchemaRegistry.checkSettings(registry.clientProperties());
        } catch (org.apache.kafka.common.config.ConfigException e) {
          throw new ConfigException(e.getMessage());
        }
      }
      return registry;
    }

    /** The keys that start with {@code prefix}, without it. */
    private Map<String, String> withoutPrefix(String prefix) {
      Map<String, String> out = new HashMap<>();
      values.forEach((k, v) -> {
        if (k.startsWith(prefix)) {
          out.put(k.substring(prefix.length()), v);
        }
      });
      return out;
    }

    private PolicySettings policySettings() throws ConfigException {
      Profile defaultProfile = profile(DEFAULT_PROFILE);
      Map<String, Profile> brands = new HashMap<>();
      for (String key : values.keySet()) {
        if (key.startsWith(BRAND_PROFILE_PREFIX)) {
          String brand = key.substring(BRAND_PROFILE_PREFIX.length());
          if (brand.isEmpty()) {
            throw new ConfigException(key + ": a brand id must follow " + BRAND_PROFILE_PREFIX);
          }
          brands.put(brand, profile(key));
        }
      }
      return new PolicySettings(defaultProfile, brands, roleAddresses());
    }

    private Profile profile(String key) throws ConfigException {
      try {
        return Profile.byName(values.get(key));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key + ": " + e.getMessage());
      }
    }

    private RoleAddresses roleAddresses() throws ConfigException {
      String file = values.get(ROLE_ADDRESSES_FILE);
      if (file == null || file.isBlank()) {
        return RoleAddresses.defaults();
      }
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        return RoleAddresses.parse(in);
      } catch (IOException e) {
        throw new ConfigException(ROLE_ADDRESSES_FILE + ": cannot read " + file + ": " + e);
      }
    }

    private Path path(String key) throws ConfigException {
      try {
        return Path.of(values.get(key));
      } catch (java.nio.file.InvalidPathException e) {
        throw new ConfigException(key + " must be a path, got '" + values.get(key) + "': " + e.getMessage());
      }
    }

    private int positiveInt(String key) throws ConfigException {
      int v = intValue(key);
      if (v <= 0) {
        throw new ConfigException(key + " must be positive, got " + v);
      }
      return v;
    }

    private int intValue(String key) throws ConfigException {
      try {
        return Integer.parseInt(values.get(key));
      } catch (NumberFormatException e) {
        throw new ConfigException(key + " must be a whole number, got '" + values.get(key) + "'");
      }
    }

    private Duration duration(String key) throws ConfigException {
      String value = values.get(key);
      try {
        Duration d = Duration.parse(value);
        if (d.isNegative() || d.isZero()) {
          throw new ConfigException(key + " must be positive, got " + value);
        }
        return d;
      } catch (DateTimeParseException e) {
        throw new ConfigException(key + " must be an ISO-8601 duration such as PT1M, got '" + value + "'");
      }
    }
  }

  /** A configuration that cannot be used; the message says which key and why. */
  public static final class ConfigException extends Exception {
    public ConfigException(String message) {
      super(message);
    }
  }
}
