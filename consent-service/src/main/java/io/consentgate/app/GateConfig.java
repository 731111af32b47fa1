package io.consentgate.app;


import io.consentgate.client.ClientConfig;
import io.consentgate.config.ConfigDefs;
import io.consentgate.policy.PolicySettings;
import io.consentgate.policy.Profile;
import io.consentgate.policy.RoleAddresses;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.runtime.query.QuerySettings;
import io.consentgate.runtime.query.QueryTls;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.types.Password;
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

  public static final String APPLICATION_ID = ClientConfig.APPLICATION_ID_CONFIG;
  public static final String TOPIC_CONTACT_CREATED = ClientConfig.TOPIC_CONTACT_CREATED_CONFIG;
  public static final String TOPIC_CONSENT_EVIDENCE = ClientConfig.TOPIC_CONSENT_EVIDENCE_CONFIG;
  public static final String TOPIC_VERDICTS = ClientConfig.TOPIC_VERDICTS_CONFIG;
  public static final String TOPIC_DLQ = "topic.dlq";
  public static final String TOPIC_VERDICTS_AUDIT = "topic.verdicts-audit";
  /** Whether the gate also writes every verdict to {@link #TOPIC_VERDICTS_AUDIT}. */
  public static final String AUDIT_ENABLED = "audit.enabled";
  public static final String DEFAULT_PROFILE = "policy.default-profile";
  public static final String BRAND_PROFILE_PREFIX = "policy.profile.";
  public static final String ROLE_ADDRESSES_FILE = "policy.role-addresses.file";
  public static final String LAPSE_CHECK_INTERVAL = "lapse.check-interval";
  public static final String BOOTSTRAP_SERVERS = ClientConfig.BOOTSTRAP_SERVERS_CONFIG;
  public static final String SCHEMA_REGISTRY_URL = ClientConfig.SCHEMA_REGISTRY_URL_CONFIG;
  public static final String BASIC_AUTH_SOURCE = ClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG;
  public static final String BASIC_AUTH_USER_INFO = ClientConfig.BASIC_AUTH_USER_INFO_CONFIG;
  public static final String AUTO_REGISTER_SCHEMAS = RestSchemaRegistry.AUTO_REGISTER_SCHEMAS;
  public static final String USE_LATEST_VERSION = RestSchemaRegistry.USE_LATEST_VERSION;
  public static final String VALUE_SERDE = "value.serde";
  public static final String STATE_DIR = StreamsSettings.STATE_DIR_CONFIG;
  public static final String PROCESSING_GUARANTEE = StreamsSettings.PROCESSING_GUARANTEE_CONFIG;
  public static final String STANDBY_REPLICAS = StreamsSettings.STANDBY_REPLICAS_CONFIG;
  public static final String REPLICATION_FACTOR = StreamsSettings.REPLICATION_FACTOR_CONFIG;
  /** How often the gate commits; {@code kafka.commit.interval.ms}, the old spelling, has the same effect. */
  public static final String COMMIT_INTERVAL = StreamsSettings.COMMIT_INTERVAL_CONFIG;
  public static final String TOPIC_PARTITIONS = "topics.partitions";
  public static final String TOPIC_REPLICATION_FACTOR = "topics.replication-factor";
  public static final String SHUTDOWN_TIMEOUT = "shutdown.timeout";
  public static final String HEALTH_STALL_TIMEOUT = "health.stall-timeout";
  public static final String ROCKSDB_MEMORY_BYTES = StreamsSettings.ROCKSDB_MEMORY_BYTES_CONFIG;
  public static final String METRICS_PORT = "metrics.port";
  public static final String METRICS_HOST = "metrics.host";
  public static final String ROCKSDB_WRITE_BUFFER_RATIO = StreamsSettings.ROCKSDB_WRITE_BUFFER_RATIO_CONFIG;
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
  public static final String KAFKA_PREFIX = ClientConfig.KAFKA_PREFIX;
  /** Registry client TLS settings, Confluent's names (schema.registry.ssl.truststore.location ...). */
  public static final String REGISTRY_SSL_PREFIX = ClientConfig.REGISTRY_SSL_PREFIX;
  /** Environment variables that configure the gate start with this. */
  public static final String ENV_PREFIX = "CONSENT_GATE_";

  /** The old spelling of {@link #COMMIT_INTERVAL}, still read, with the same effect. */
  static final String OLD_COMMIT_INTERVAL = KAFKA_PREFIX + StreamsConfig.COMMIT_INTERVAL_MS_CONFIG;

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
    if (file != null) {
      merged.putAll(readFile(file));
    }
    merged.putAll(fromEnvironment(environment));
    merged.putAll(flags);
    List<String> unknown = merged.keySet().stream().filter(k -> !isKnown(k)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown configuration key(s) " + unknown + "; known keys: "
          + GateConfigDef.DEF.names().stream().sorted().toList() + ", " + BRAND_PROFILE_PREFIX + "<brandId>, "
          + KAFKA_PREFIX + "<any Kafka property> and " + REGISTRY_SSL_PREFIX + "<setting>");
    }
    commitIntervalOfOldSpelling(merged);
    Map<String, Object> parsed;
    try {
      parsed = ConfigDefs.parse(GateConfigDef.DEF, merged);
    } catch (org.apache.kafka.common.config.ConfigException e) {
      throw new ConfigException(e.getMessage());
    }
    return new Values(merged, parsed).read();
  }

  /** Moves {@code kafka.commit.interval.ms} (milliseconds) to {@link #COMMIT_INTERVAL}, which then checks it. */
  private static void commitIntervalOfOldSpelling(Map<String, String> merged) throws ConfigException {
    String old = merged.remove(OLD_COMMIT_INTERVAL);
    if (old == null) {
      return;
    }
    if (merged.containsKey(COMMIT_INTERVAL)) {
      throw new ConfigException(COMMIT_INTERVAL + " and " + OLD_COMMIT_INTERVAL + " (its old spelling) are both set, to '"
          + merged.get(COMMIT_INTERVAL) + "' and '" + old + "': set only " + COMMIT_INTERVAL);
    }
    try {
      merged.put(COMMIT_INTERVAL, Duration.ofMillis(Long.parseLong(old.strip())).toString());
    } catch (NumberFormatException e) {
      throw new ConfigException(OLD_COMMIT_INTERVAL + " must be a whole number of milliseconds (or set " + COMMIT_INTERVAL
          + ", an ISO-8601 duration such as PT0.1S), got '" + old + "'");
    }
  }

  private static boolean isKnown(String key) {
    return GateConfigDef.DEF.names().contains(key) || key.startsWith(BRAND_PROFILE_PREFIX) || key.startsWith(KAFKA_PREFIX)
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
    GateConfigDef.DEF.names().forEach(k -> byEnvName.put(environmentName(k), k));
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
   * The merged keys of every layer, read once into typed settings. Each key's value alone has been
   * checked against its definition ({@link GateConfigDef}); what is checked here is what no single
   * key's definition can say: keys that depend on each other, files to read, prefixed keys.
   */
  private static final class Values {

    private final Map<String, String> values;
    private final Map<String, Object> parsed;

    Values(Map<String, String> values, Map<String, Object> parsed) {
      this.values = Map.copyOf(values);
      this.parsed = parsed;
    }

    GateConfig read() throws ConfigException {
      RegistrySettings registry = registry();
      boolean audit = bool(AUDIT_ENABLED);
      if (audit && string(TOPIC_VERDICTS_AUDIT).equals(string(TOPIC_VERDICTS))) {
        throw new ConfigException(TOPIC_VERDICTS_AUDIT + " must differ from " + TOPIC_VERDICTS + " ("
            + string(TOPIC_VERDICTS) + "): the verdict topic is compacted, the audit topic keeps every verdict");
      }
      GateTopics topics = new GateTopics(string(TOPIC_CONTACT_CREATED), string(TOPIC_CONSENT_EVIDENCE),
          string(TOPIC_VERDICTS), string(TOPIC_DLQ), audit ? string(TOPIC_VERDICTS_AUDIT) : null);
      PolicySettings policy = policySettings();
      Duration lapseCheckInterval = ConfigDefs.duration(parsed, LAPSE_CHECK_INTERVAL);
      TopicCreation topicCreation = new TopicCreation((Integer) parsed.get(TOPIC_PARTITIONS),
          (Short) parsed.get(TOPIC_REPLICATION_FACTOR));
      KafkaSettings kafka = new KafkaSettings(string(BOOTSTRAP_SERVERS), withoutPrefix(KAFKA_PREFIX));
      StreamsSettings streams = StreamsSettings.fromConfig(string(APPLICATION_ID), kafka.bootstrapServers(), parsed,
          kafka.overrides());
      ServiceSettings service = new ServiceSettings(ConfigDefs.duration(parsed, SHUTDOWN_TIMEOUT),
          ConfigDefs.duration(parsed, HEALTH_STALL_TIMEOUT), string(METRICS_HOST), (Integer) parsed.get(METRICS_PORT));
      return new GateConfig(kafka, registry, topics, policy, lapseCheckInterval, streams, service, topicCreation, query());
    }

    private String string(String key) {
      Object v = parsed.get(key);
      return v instanceof Password p ? p.value() : (String) v;
    }

    private boolean bool(String key) {
      return (Boolean) parsed.get(key);
    }

    private static boolean isSet(String value) {
      return value != null && !value.isBlank();
    }

    private QuerySettings query() throws ConfigException {
      if (values.containsKey(KAFKA_PREFIX + StreamsConfig.APPLICATION_SERVER_CONFIG)) {
        throw new ConfigException(KAFKA_PREFIX + StreamsConfig.APPLICATION_SERVER_CONFIG + " is the query API's address: "
            + "set " + QUERY_ADVERTISED + " (and " + QUERY_PORT + ") instead");
      }
      int port = (Integer) parsed.get(QUERY_PORT);
      String advertised = string(QUERY_ADVERTISED);
      List<String> tokens = tokens();
      try {
        QueryTls tls = port == QuerySettings.OFF ? null : queryTls();
        return new QuerySettings(string(QUERY_HOST), port, isSet(advertised) ? advertised : null, tokens,
            (Long) parsed.get(QUERY_STANDBY_MAX_LAG), tls, bool(QUERY_INSECURE));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }

    /** The query API's certificate, loaded now so that a wrong path or password stops the start; null: plain HTTP. */
    private QueryTls queryTls() throws ConfigException {
      String keystore = string(QUERY_TLS_KEYSTORE);
      String truststore = string(QUERY_TLS_TRUSTSTORE);
      if (!isSet(keystore)) {
        if (isSet(truststore)) {
          throw new ConfigException(QUERY_TLS_TRUSTSTORE + " is set but " + QUERY_TLS_KEYSTORE + " is not: the instances "
              + "call each other over TLS only when they serve it");
        }
        return null;
      }
      try {
        return QueryTls.load(Path.of(keystore), string(QUERY_TLS_KEYSTORE_PASSWORD),
            isSet(truststore) ? Path.of(truststore) : null, string(QUERY_TLS_TRUSTSTORE_PASSWORD));
      } catch (java.nio.file.InvalidPathException e) {
        throw new ConfigException(QUERY_TLS_KEYSTORE + ": not a path: " + e.getMessage());
      }
    }

    /** The bearer tokens of the query API: one a line; blank lines and {@code #} comments skipped. */
    private List<String> tokens() throws ConfigException {
      String file = string(QUERY_TOKENS_FILE);
      if (!isSet(file)) {
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

    /**
     * The registry client's settings, Confluent's names; the registry client checks them (the URL, the
     * credentials, the truststore) when the gate's own serde uses them.
     */
    private RegistrySettings registry() throws ConfigException {
      Map<String, String> props = new HashMap<>();
      for (String key : List.of(SCHEMA_REGISTRY_URL, BASIC_AUTH_SOURCE, BASIC_AUTH_USER_INFO)) {
        if (string(key) != null) {
          props.put(key, string(key));
        }
      }
      for (String key : List.of(AUTO_REGISTER_SCHEMAS, USE_LATEST_VERSION)) {
        props.put(key, String.valueOf(bool(key)));
      }
      values.forEach((k, v) -> {
        if (k.startsWith(REGISTRY_SSL_PREFIX)) {
          props.put(k, v);
        }
      });
      RegistrySettings registry = new RegistrySettings(props, string(VALUE_SERDE));
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
      Profile defaultProfile;
      try {
        defaultProfile = Profile.byName(string(DEFAULT_PROFILE));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(DEFAULT_PROFILE + ": " + e.getMessage());
      }
      Map<String, Profile> brands = new HashMap<>();
      for (String key : values.keySet()) {
        if (key.startsWith(BRAND_PROFILE_PREFIX)) {
          String brand = key.substring(BRAND_PROFILE_PREFIX.length());
          if (brand.isEmpty()) {
            throw new ConfigException(key + ": a brand id must follow " + BRAND_PROFILE_PREFIX);
          }
          try {
            brands.put(brand, Profile.byName(values.get(key)));
          } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
          }
        }
      }
      return new PolicySettings(defaultProfile, brands, roleAddresses());
    }

    private RoleAddresses roleAddresses() throws ConfigException {
      String file = string(ROLE_ADDRESSES_FILE);
      if (!isSet(file)) {
        return RoleAddresses.defaults();
      }
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        return RoleAddresses.parse(in);
      } catch (IOException e) {
        throw new ConfigException(ROLE_ADDRESSES_FILE + ": cannot read " + file + ": " + e);
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
