package io.consentgate.client;

import io.consentgate.config.ConfigDefs;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.topics.GateApplication;
import io.consentgate.topics.GateTopics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The senders' client's configuration keys, each defined once in {@link #CONFIG_DEF} (type, default,
 * what it allows, documentation), like Kafka's {@code ConsumerConfig}. The client reads the gate's own
 * keys so a sender can reuse the gate's configuration: {@code bootstrap.servers},
 * {@code schema.registry.url} and the registry's {@code basic.auth.*} and {@code schema.registry.ssl.*},
 * {@code topic.*}, {@code kafka.*} for security and any other Kafka client setting,
 * {@code application.id} for the gate whose progress is checked; and the client's own
 * {@code client.*}. The keys it shares with the gate are defined here once ({@link #sharedWithGate()})
 * and the gate's definitions reuse them. Keys of the gate that the client does not use are ignored
 * (logged once), so the gate's properties file works as it is.
 */
public final class ClientConfig {

  private static final Logger log = LoggerFactory.getLogger(ClientConfig.class);

  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  public static final String SCHEMA_REGISTRY_URL_CONFIG = RestSchemaRegistry.SCHEMA_REGISTRY_URL;
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = RestSchemaRegistry.BASIC_AUTH_CREDENTIALS_SOURCE;
  public static final String BASIC_AUTH_USER_INFO_CONFIG = RestSchemaRegistry.BASIC_AUTH_USER_INFO;
  public static final String TOPIC_CONTACT_CREATED_CONFIG = "topic.contact-created";
  public static final String TOPIC_CONSENT_EVIDENCE_CONFIG = "topic.consent-evidence";
  public static final String TOPIC_VERDICTS_CONFIG = "topic.consent-verdicts";
  /** The application id of the gate (the gate's and the client's alike, see {@link GateApplication}). */
  public static final String APPLICATION_ID_CONFIG = GateApplication.ID_KEY;
  public static final String CHECK_GATE_CONFIG = "client.check-gate";
  public static final String STALE_AFTER_CONFIG = "client.stale-after";
  public static final String GATE_BEHIND_AFTER_CONFIG = "client.gate-behind-after";
  public static final String SNAPSHOT_INTERVAL_CONFIG = "client.snapshot-interval";
  public static final String KEEP_REASONS_CONFIG = "client.keep-reasons";
  /** Any Kafka consumer or Admin setting, passed through without the prefix (security included). */
  public static final String KAFKA_PREFIX = "kafka.";
  /** The registry client's TLS settings, Confluent's names. */
  public static final String REGISTRY_SSL_PREFIX = "schema.registry.ssl.";

  public static final String DEFAULT_SCHEMA_REGISTRY_URL = "http://127.0.0.1:8081";
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(1);
  public static final Duration DEFAULT_GATE_BEHIND_AFTER = Duration.ofMinutes(1);

  /** Groups of the reference (docs/configuration.md), shared with the gate's. */
  public static final String GROUP_KAFKA = "Kafka and the schema registry";
  public static final String GROUP_TOPICS = "Topics";
  public static final String GROUP_CLIENT = "The client";

  private static final ConfigDef SHARED = new ConfigDef()
      .define(APPLICATION_ID_CONFIG, Type.STRING, GateApplication.DEFAULT_ID, Importance.HIGH,
          "The gate's Kafka Streams application id: its consumer group, transactional ids and internal topic prefix. "
              + "The senders' client checks the progress of the gate of this id: its group's committed offsets against "
              + "the end offsets of topic.contact-created and topic.consent-evidence. For the client, blank is an error, "
              + "not a way to turn the check off (client.check-gate=false does that)", GROUP_KAFKA, 1, ConfigDef.Width.MEDIUM,
          APPLICATION_ID_CONFIG)
      .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, GateApplication.DEFAULT_BOOTSTRAP_SERVERS,
          ConfigDefs.nonBlank("host:port[,host:port...]"), Importance.HIGH, "Kafka", GROUP_KAFKA, 2,
          ConfigDef.Width.LONG, BOOTSTRAP_SERVERS_CONFIG)
      .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, DEFAULT_SCHEMA_REGISTRY_URL, Importance.HIGH,
          "The schema registry; a comma-separated list is tried in order (checked by the registry client: http or https "
              + "URLs)", GROUP_KAFKA, 3, ConfigDef.Width.LONG, SCHEMA_REGISTRY_URL_CONFIG)
      .define(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, Type.STRING, null,
          ConfigDefs.describedAs("USER_INFO or URL (checked by the registry client)"), Importance.MEDIUM,
          "Where the registry's credentials come from: USER_INFO (basic.auth.user.info) or URL (user info in the URL)",
          GROUP_KAFKA, 4, ConfigDef.Width.SHORT, BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG)
      .define(BASIC_AUTH_USER_INFO_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, "user:password for the registry",
          GROUP_KAFKA, 5, ConfigDef.Width.MEDIUM, BASIC_AUTH_USER_INFO_CONFIG)
      .define(TOPIC_CONTACT_CREATED_CONFIG, Type.STRING, GateTopics.DEFAULTS.contactCreated(),
          ConfigDefs.nonBlank("a topic name"), Importance.HIGH, "Input of the gate: contact records", GROUP_TOPICS, 1,
          ConfigDef.Width.MEDIUM, TOPIC_CONTACT_CREATED_CONFIG)
      .define(TOPIC_CONSENT_EVIDENCE_CONFIG, Type.STRING, GateTopics.DEFAULTS.consentEvidence(),
          ConfigDefs.nonBlank("a topic name"), Importance.HIGH, "Input of the gate: evidence records", GROUP_TOPICS, 2,
          ConfigDef.Width.MEDIUM, TOPIC_CONSENT_EVIDENCE_CONFIG)
      .define(TOPIC_VERDICTS_CONFIG, Type.STRING, GateTopics.DEFAULTS.verdicts(), ConfigDefs.nonBlank("a topic name"),
          Importance.HIGH, "The verdicts: the gate writes them, the senders' client reads them", GROUP_TOPICS, 3,
          ConfigDef.Width.MEDIUM, TOPIC_VERDICTS_CONFIG);

  /** Every key of the client, each defined once; the first ones are {@link #sharedWithGate()}. */
  public static final ConfigDef CONFIG_DEF = new ConfigDef(SHARED)
      .define(CHECK_GATE_CONFIG, Type.BOOLEAN, true,
          ConfigDefs.describedAs("true (the default) or false (fails open: answers no longer wait for the gate to "
              + "process a withdrawal)"), Importance.HIGH,
          "true: no answer is yes while the gate has not processed input that waited longer than "
              + "client.gate-behind-after (GATE_BEHIND). false FAILS OPEN: a withdrawal the gate has not processed yet "
              + "is not seen, and a stopped gate's last ALLOW keeps being answered; the client logs a warning. For a "
              + "verdict topic no gate writes. check sets it with --no-check-gate", GROUP_CLIENT, 1,
          ConfigDef.Width.SHORT, CHECK_GATE_CONFIG)
      .define(GATE_BEHIND_AFTER_CONFIG, Type.STRING, DEFAULT_GATE_BEHIND_AFTER.toString(), ConfigDefs.positiveDuration(),
          Importance.MEDIUM, "How old the newest input snapshot the gate has processed may be", GROUP_CLIENT, 2,
          ConfigDef.Width.SHORT, GATE_BEHIND_AFTER_CONFIG)
      .define(STALE_AFTER_CONFIG, Type.STRING, DEFAULT_STALE_AFTER.toString(), ConfigDefs.positiveDuration(),
          Importance.MEDIUM, "How old the newest reached snapshot of the verdict topic's end offsets may be (STALE)",
          GROUP_CLIENT, 3, ConfigDef.Width.SHORT, STALE_AFTER_CONFIG)
      .define(SNAPSHOT_INTERVAL_CONFIG, Type.STRING, null, ConfigDefs.positiveDuration(), Importance.LOW,
          "How often end offsets are snapshotted; unset: a sixth of the shorter of client.stale-after and "
              + "client.gate-behind-after, at least 50 ms and at most PT5S", GROUP_CLIENT, 4, ConfigDef.Width.SHORT,
          SNAPSHOT_INTERVAL_CONFIG)
      .define(KEEP_REASONS_CONFIG, Type.BOOLEAN, false, Importance.LOW, "Keep each verdict's reason codes (more memory)",
          GROUP_CLIENT, 5, ConfigDef.Width.SHORT, KEEP_REASONS_CONFIG)
      .define(RestSchemaRegistry.HTTP_CONNECT_TIMEOUT_MS, Type.LONG, 10_000L, Importance.LOW,
          "The registry client's connect timeout in milliseconds (checked by the registry client: positive)",
          GROUP_CLIENT, 6, ConfigDef.Width.SHORT, RestSchemaRegistry.HTTP_CONNECT_TIMEOUT_MS)
      .define(RestSchemaRegistry.HTTP_READ_TIMEOUT_MS, Type.LONG, 30_000L, Importance.LOW,
          "The registry client's read timeout in milliseconds (checked by the registry client: positive)",
          GROUP_CLIENT, 7, ConfigDef.Width.SHORT, RestSchemaRegistry.HTTP_READ_TIMEOUT_MS);

  /** The registry client's keys among {@link #CONFIG_DEF}'s (besides {@link #REGISTRY_SSL_PREFIX}). */
  private static final List<String> REGISTRY_KEYS = List.of(SCHEMA_REGISTRY_URL_CONFIG, BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG,
      BASIC_AUTH_USER_INFO_CONFIG, RestSchemaRegistry.HTTP_CONNECT_TIMEOUT_MS, RestSchemaRegistry.HTTP_READ_TIMEOUT_MS);

  /** The keys the gate reads too, with the same meaning and default: the gate's definitions take them from here. */
  public static ConfigDef sharedWithGate() {
    return new ConfigDef(SHARED);
  }

  final String bootstrapServers;
  final String verdictTopic;
  final String contactCreatedTopic;
  final String consentEvidenceTopic;
  /** The gate whose progress is checked; null only with {@code client.check-gate=false}, which fails open. */
  final String applicationId;
  final Duration staleAfter;
  final Duration gateBehindAfter;
  final Duration snapshotInterval;
  final boolean keepReasons;
  final Map<String, Object> kafka;
  final Map<String, Object> registry;

  ClientConfig(Map<String, ?> config) {
    Map<String, String> c = new HashMap<>();
    config.forEach((k, v) -> {
      if (v != null) {
        c.put(k.trim(), String.valueOf(v).trim());
      }
    });
    Map<String, Object> parsed = ConfigDefs.parse(CONFIG_DEF, c);
    bootstrapServers = (String) parsed.get(BOOTSTRAP_SERVERS_CONFIG);
    verdictTopic = (String) parsed.get(TOPIC_VERDICTS_CONFIG);
    contactCreatedTopic = (String) parsed.get(TOPIC_CONTACT_CREATED_CONFIG);
    consentEvidenceTopic = (String) parsed.get(TOPIC_CONSENT_EVIDENCE_CONFIG);
    applicationId = checkGate((Boolean) parsed.get(CHECK_GATE_CONFIG)) ? gateApplicationId(parsed) : null;
    staleAfter = ConfigDefs.duration(parsed, STALE_AFTER_CONFIG);
    gateBehindAfter = ConfigDefs.duration(parsed, GATE_BEHIND_AFTER_CONFIG);
    Duration interval = ConfigDefs.duration(parsed, SNAPSHOT_INTERVAL_CONFIG);
    snapshotInterval = interval != null ? interval : Duration.ofMillis(Math.max(50, Math.min(5_000,
        Math.min(staleAfter.toMillis(), gateBehindAfter.toMillis()) / 6)));
    keepReasons = (Boolean) parsed.get(KEEP_REASONS_CONFIG);

    kafka = new HashMap<>();
    kafka.put(BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    registry = new HashMap<>();
    for (String k : REGISTRY_KEYS) {
      Object v = parsed.get(k);
      if (v != null && (c.containsKey(k) || k.equals(SCHEMA_REGISTRY_URL_CONFIG))) {
        registry.put(k, v instanceof Password p ? p.value() : v);
      }
    }
    c.forEach((k, v) -> {
      if (k.startsWith(KAFKA_PREFIX)) {
        kafka.put(k.substring(KAFKA_PREFIX.length()), v);
      }
      if (k.startsWith(REGISTRY_SSL_PREFIX)) {
        registry.put(k, v);
      }
    });
    TreeSet<String> ignored = new TreeSet<>();
    for (String k : c.keySet()) {
      if (!CONFIG_DEF.names().contains(k) && !k.startsWith(KAFKA_PREFIX) && !k.startsWith(REGISTRY_SSL_PREFIX)) {
        ignored.add(k);
      }
    }
    if (!ignored.isEmpty()) {
      log.info("consent client: ignoring keys it does not use: {}", ignored);
    }
  }

  /**
   * Whether answers wait for the gate to have processed its input; on unless turned off in so many
   * words, since without it a withdrawal the gate has not processed yet is not seen.
   */
  private static boolean checkGate(boolean checkGate) {
    if (!checkGate) {
      log.warn("consent client: the gate's progress is not checked ({}=false), so answers fail open: a withdrawal the "
          + "gate has not processed yet is not seen, and a stopped gate's last ALLOW keeps being answered", CHECK_GATE_CONFIG);
    }
    return checkGate;
  }

  /** Cross-key, so not the definition's: a blank id is refused only when the gate is checked. */
  private static String gateApplicationId(Map<String, Object> parsed) {
    String v = (String) parsed.get(APPLICATION_ID_CONFIG);
    if (v.isBlank()) {
      throw new ConfigException(APPLICATION_ID_CONFIG, v, "must name the gate whose progress is checked (unset: "
          + GateApplication.DEFAULT_ID + ", the gate's default); " + CHECK_GATE_CONFIG + "=false turns the check "
          + "off and fails open");
    }
    return v;
  }
}
