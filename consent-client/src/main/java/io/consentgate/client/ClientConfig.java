package io.consentgate.client;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's settings, read from the gate's own keys so a sender can reuse the gate's
 * configuration: {@code bootstrap.servers}, {@code schema.registry.url} and the registry's
 * {@code basic.auth.*} and {@code schema.registry.ssl.*}, {@code topic.*}, {@code kafka.*} for
 * security and any other Kafka client setting, {@code application.id} to watch the gate; and the
 * client's own {@code client.*}. Keys of the gate that the client does not use are ignored (logged
 * once), so the gate's properties file works as it is.
 */
final class ClientConfig {

  private static final Logger log = LoggerFactory.getLogger(ClientConfig.class);

  static final String KAFKA_PREFIX = "kafka.";
  static final String REGISTRY_SSL_PREFIX = "schema.registry.ssl.";
  private static final List<String> REGISTRY_KEYS = List.of(ConsentClient.SCHEMA_REGISTRY_URL,
      "basic.auth.credentials.source", "basic.auth.user.info", "http.connect.timeout.ms", "http.read.timeout.ms");
  private static final List<String> OWN_KEYS = List.of(ConsentClient.BOOTSTRAP_SERVERS, ConsentClient.SCHEMA_REGISTRY_URL,
      ConsentClient.TOPIC_VERDICTS, ConsentClient.TOPIC_CONTACT_CREATED, ConsentClient.TOPIC_CONSENT_EVIDENCE,
      ConsentClient.APPLICATION_ID, ConsentClient.STALE_AFTER, ConsentClient.GATE_BEHIND_AFTER,
      ConsentClient.KEEP_REASONS, ConsentClient.SNAPSHOT_INTERVAL, "basic.auth.credentials.source",
      "basic.auth.user.info", "http.connect.timeout.ms", "http.read.timeout.ms");

  final String bootstrapServers;
  final String verdictTopic;
  final String contactCreatedTopic;
  final String consentEvidenceTopic;
  /** The gate to watch, or null. */
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
    bootstrapServers = c.getOrDefault(ConsentClient.BOOTSTRAP_SERVERS, "127.0.0.1:9092");
    verdictTopic = nonBlank(c, ConsentClient.TOPIC_VERDICTS, "consent-verdicts");
    contactCreatedTopic = nonBlank(c, ConsentClient.TOPIC_CONTACT_CREATED, "contact-created");
    consentEvidenceTopic = nonBlank(c, ConsentClient.TOPIC_CONSENT_EVIDENCE, "consent-evidence");
    String app = c.get(ConsentClient.APPLICATION_ID);
    applicationId = app == null || app.isBlank() ? null : app;
    staleAfter = duration(c, ConsentClient.STALE_AFTER, ConsentClient.DEFAULT_STALE_AFTER);
    gateBehindAfter = duration(c, ConsentClient.GATE_BEHIND_AFTER, ConsentClient.DEFAULT_GATE_BEHIND_AFTER);
    Duration fallbackInterval = Duration.ofMillis(Math.max(50, Math.min(5_000,
        Math.min(staleAfter.toMillis(), gateBehindAfter.toMillis()) / 6)));
    snapshotInterval = duration(c, ConsentClient.SNAPSHOT_INTERVAL, fallbackInterval);
    String keep = c.getOrDefault(ConsentClient.KEEP_REASONS, "false");
    if (!keep.equals("true") && !keep.equals("false")) {
      throw new ConfigException(ConsentClient.KEEP_REASONS, keep, "must be true or false");
    }
    keepReasons = keep.equals("true");

    kafka = new HashMap<>();
    kafka.put("bootstrap.servers", bootstrapServers);
    registry = new HashMap<>();
    c.forEach((k, v) -> {
      if (k.startsWith(KAFKA_PREFIX)) {
        kafka.put(k.substring(KAFKA_PREFIX.length()), v);
      }
      if (REGISTRY_KEYS.contains(k) || k.startsWith(REGISTRY_SSL_PREFIX)) {
        registry.put(k, v);
      }
    });
    registry.putIfAbsent(ConsentClient.SCHEMA_REGISTRY_URL, "http://127.0.0.1:8081");
    TreeSet<String> ignored = new TreeSet<>();
    for (String k : c.keySet()) {
      if (!OWN_KEYS.contains(k) && !k.startsWith(KAFKA_PREFIX) && !k.startsWith(REGISTRY_SSL_PREFIX)) {
        ignored.add(k);
      }
    }
    if (!ignored.isEmpty()) {
      log.info("consent client: ignoring keys it does not use: {}", ignored);
    }
  }

  private static String nonBlank(Map<String, String> c, String key, String fallback) {
    String v = c.getOrDefault(key, fallback);
    if (v.isBlank()) {
      throw new ConfigException(key, v, "must name a topic");
    }
    return v;
  }

  private static Duration duration(Map<String, String> c, String key, Duration fallback) {
    String v = c.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      Duration d = Duration.parse(v);
      if (d.isNegative() || d.isZero()) {
        throw new ConfigException(key, v, "must be positive");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new ConfigException(key, v, "must be an ISO-8601 duration such as PT1M");
    }
  }
}
