package io.consentgate.client;

import io.consentgate.topics.GateApplication;
import io.consentgate.topics.GateTopics;
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
 * security and any other Kafka client setting, {@code application.id} for the gate whose progress
 * is checked (the gate's default when not set); and the client's own {@code client.*}. Keys of the
 * gate that the client does not use are ignored (logged once), so the gate's properties file works
 * as it is.
 */
final class ClientConfig {

  private static final Logger log = LoggerFactory.getLogger(ClientConfig.class);

  static final String KAFKA_PREFIX = "kafka.";
  static final String REGISTRY_SSL_PREFIX = "schema.registry.ssl.";
  private static final List<String> REGISTRY_KEYS = List.of(ConsentClient.SCHEMA_REGISTRY_URL,
      "basic.auth.credentials.source", "basic.auth.user.info", "http.connect.timeout.ms", "http.read.timeout.ms");
  private static final List<String> OWN_KEYS = List.of(ConsentClient.BOOTSTRAP_SERVERS, ConsentClient.SCHEMA_REGISTRY_URL,
      ConsentClient.TOPIC_VERDICTS, ConsentClient.TOPIC_CONTACT_CREATED, ConsentClient.TOPIC_CONSENT_EVIDENCE,
      ConsentClient.APPLICATION_ID, ConsentClient.CHECK_GATE, ConsentClient.STALE_AFTER, ConsentClient.GATE_BEHIND_AFTER,
      ConsentClient.KEEP_REASONS, ConsentClient.SNAPSHOT_INTERVAL, "basic.auth.credentials.source",
      "basic.auth.user.info", "http.connect.timeout.ms", "http.read.timeout.ms");

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
    bootstrapServers = c.getOrDefault(ConsentClient.BOOTSTRAP_SERVERS, "127.0.0.1:9092");
    verdictTopic = nonBlank(c, ConsentClient.TOPIC_VERDICTS, GateTopics.DEFAULTS.verdicts());
    contactCreatedTopic = nonBlank(c, ConsentClient.TOPIC_CONTACT_CREATED, GateTopics.DEFAULTS.contactCreated());
    consentEvidenceTopic = nonBlank(c, ConsentClient.TOPIC_CONSENT_EVIDENCE, GateTopics.DEFAULTS.consentEvidence());
    applicationId = checkGate(c) ? gateApplicationId(c) : null;
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

  /**
   * Whether answers wait for the gate to have processed its input; on unless turned off in so many
   * words, since without it a withdrawal the gate has not processed yet is not seen.
   */
  private static boolean checkGate(Map<String, String> c) {
    String v = c.getOrDefault(ConsentClient.CHECK_GATE, "true");
    if (!v.equals("true") && !v.equals("false")) {
      throw new ConfigException(ConsentClient.CHECK_GATE, v, "must be true (the default) or false (fails open: "
          + "answers no longer wait for the gate to process a withdrawal)");
    }
    if (v.equals("false")) {
      log.warn("consent client: the gate's progress is not checked ({}=false), so answers fail open: a withdrawal the "
          + "gate has not processed yet is not seen, and a stopped gate's last ALLOW keeps being answered", ConsentClient.CHECK_GATE);
    }
    return v.equals("true");
  }

  private static String gateApplicationId(Map<String, String> c) {
    String v = c.getOrDefault(ConsentClient.APPLICATION_ID, GateApplication.DEFAULT_ID);
    if (v.isBlank()) {
      throw new ConfigException(ConsentClient.APPLICATION_ID, v, "must name the gate whose progress is checked (unset: "
          + GateApplication.DEFAULT_ID + ", the gate's default); " + ConsentClient.CHECK_GATE + "=false turns the check "
          + "off and fails open");
    }
    return v;
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
