package io.consentgate.app;

import static io.consentgate.app.GateConfig.*;

import io.consentgate.client.ClientConfig;
import io.consentgate.config.ConfigDefs;
import io.consentgate.policy.Profile;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.query.QuerySettings;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.StreamsSettings;
import io.consentgate.topology.TopologySettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Every configuration key of the gate, each defined once: its type, default, what it allows,
 * importance and documentation. The keys the senders' client shares come from
 * {@link ClientConfig#sharedWithGate()}, the Kafka Streams keys from {@link StreamsSettings#CONFIG_DEF};
 * the rest are the gate's own. {@link GateConfig} checks every value against these definitions, and
 * nothing else checks them again; docs/configuration.md is {@link #reference()}, generated
 * ({@code main} rewrites it).
 */
public final class GateConfigDef {

  private GateConfigDef() {}

  static final String GROUP_KAFKA = ClientConfig.GROUP_KAFKA;
  static final String GROUP_TOPICS = ClientConfig.GROUP_TOPICS;
  static final String GROUP_TOPIC_CREATION = "Topic creation (--create-topics)";
  static final String GROUP_POLICY = "Policy";
  static final String GROUP_SERVICE = "The running gate: shutdown, health, metrics";
  static final String GROUP_QUERY = "The query API";

  private static final ConfigDef.Validator PORT_OR_OFF = ConfigDefs.allowing("a port, 0 for any free one, or -1 for none",
      v -> (Integer) v >= -1 && (Integer) v <= 65535);

  /** The gate's keys. */
  public static final ConfigDef DEF = definitions();

  private static ConfigDef definitions() {
    ConfigDef def = ClientConfig.sharedWithGate()
        .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
            "Register the gate's schemas; false: they must already be registered", GROUP_KAFKA, 10,
            ConfigDef.Width.SHORT, AUTO_REGISTER_SCHEMAS)
        .define(USE_LATEST_VERSION, Type.BOOLEAN, false, Importance.LOW,
            "With auto.register.schemas=false: write with the subject's latest schema (it must encode like the gate's)",
            GROUP_KAFKA, 11, ConfigDef.Width.SHORT, USE_LATEST_VERSION)
        .define(VALUE_SERDE, Type.STRING, ConfluentAvroSerde.class.getName(), ConfigDefs.nonBlank("a class name"),
            Importance.LOW, "Value serde class; e.g. Confluent's io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde "
                + "if it is on the classpath (the wire format is the same)", GROUP_KAFKA, 12, ConfigDef.Width.LONG,
            VALUE_SERDE)
        .define(TOPIC_DLQ, Type.STRING, GateTopics.DEFAULTS.deadLetters(), ConfigDefs.nonBlank("a topic name"),
            Importance.HIGH, "Output: records the gate cannot use", GROUP_TOPICS, 10, ConfigDef.Width.MEDIUM, TOPIC_DLQ)
        .define(TOPIC_VERDICTS_AUDIT, Type.STRING, GateTopics.DEFAULT_VERDICTS_AUDIT, ConfigDefs.nonBlank("a topic name"),
            Importance.HIGH, "Output: every verdict the gate publishes, kept ten years (data-teams.md, The audit "
                + "topic); must differ from topic.consent-verdicts", GROUP_TOPICS, 11, ConfigDef.Width.MEDIUM,
            TOPIC_VERDICTS_AUDIT)
        .define(AUDIT_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
            "false: the gate writes no audit topic (and explain cannot say what the gate said)", GROUP_TOPICS, 12,
            ConfigDef.Width.SHORT, AUDIT_ENABLED);
    StreamsSettings.CONFIG_DEF.configKeys().values().forEach(def::define);
    return def
        .define(TOPIC_PARTITIONS, Type.INT, 6, ConfigDefs.allowing("a positive whole number", v -> (Integer) v > 0),
            Importance.LOW, "Partitions of topics created by --create-topics", GROUP_TOPIC_CREATION, 1,
            ConfigDef.Width.SHORT, TOPIC_PARTITIONS)
        .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.LOW,
            "Replication of topics created by --create-topics; -1: the broker's default", GROUP_TOPIC_CREATION, 2,
            ConfigDef.Width.SHORT, TOPIC_REPLICATION_FACTOR)
        // Checked once, by Profile.byName when GateConfig reads it (as for policy.profile.<brandId>), whose
        // message lists the profiles.
        .define(DEFAULT_PROFILE, Type.STRING, Profile.OPTIN.profileName(), ConfigDefs.describedAs("optin or strict"),
            Importance.HIGH, "Profile of brands not listed with policy.profile.<brandId>", GROUP_POLICY, 1,
            ConfigDef.Width.SHORT, DEFAULT_PROFILE)
        .define(ROLE_ADDRESSES_FILE, Type.STRING, null, Importance.LOW,
            "File of role local parts, one per line (# comments); replaces the shipped list (policy.md, Role-based "
                + "addresses). Unset: the shipped list", GROUP_POLICY, 2, ConfigDef.Width.LONG, ROLE_ADDRESSES_FILE)
        .define(LAPSE_CHECK_INTERVAL, Type.STRING, TopologySettings.DEFAULT_LAPSE_CHECK_INTERVAL.toString(),
            ConfigDefs.positiveDuration(), Importance.LOW,
            "How often the gate looks (wall clock) for implicit consents that have lapsed", GROUP_POLICY, 3,
            ConfigDef.Width.SHORT, LAPSE_CHECK_INTERVAL)
        .define(SHUTDOWN_TIMEOUT, Type.STRING, GateService.DEFAULT_SHUTDOWN_TIMEOUT.toString(),
            ConfigDefs.positiveDuration(), Importance.LOW, "Bound on a clean stop", GROUP_SERVICE, 1,
            ConfigDef.Width.SHORT, SHUTDOWN_TIMEOUT)
        .define(HEALTH_STALL_TIMEOUT, Type.STRING, GateService.DEFAULT_STALL_TIMEOUT.toString(),
            ConfigDefs.positiveDuration(), Importance.MEDIUM,
            "How long input may wait without a commit, or since a stream thread failed, before /health answers 503 "
                + "(never less than twice the commit interval)", GROUP_SERVICE, 2, ConfigDef.Width.SHORT,
            HEALTH_STALL_TIMEOUT)
        .define(METRICS_PORT, Type.INT, 9464, PORT_OR_OFF, Importance.MEDIUM,
            "Prometheus /metrics and /health (run and dev, plain HTTP; operating.md, Metrics)", GROUP_SERVICE, 3,
            ConfigDef.Width.SHORT, METRICS_PORT)
        .define(METRICS_HOST, Type.STRING, "0.0.0.0",
            ConfigDefs.nonBlank("an address to listen on, e.g. 0.0.0.0 (every interface) or 127.0.0.1"), Importance.LOW,
            "Address the metrics endpoint listens on (dev: its --host); 0.0.0.0 is every interface, so that Prometheus "
                + "can scrape it", GROUP_SERVICE, 4, ConfigDef.Width.MEDIUM, METRICS_HOST)
        // Off for run: a port an upgrade would start opening (and a second instance on the machine would
        // then need its own); dev turns it on at 8088.
        .define(QUERY_PORT, Type.INT, QuerySettings.OFF, PORT_OR_OFF, Importance.MEDIUM,
            "The query API over HTTP (GET /v1/contacts/{contactId}, POST /v1/contacts:check; senders.md, Asking the gate "
                + "over HTTP; openapi.yaml). Off (-1) for run so that an upgrade opens no new port and a second instance "
                + "on a machine needs nothing new; dev: 8088", GROUP_QUERY, 1, ConfigDef.Width.SHORT, QUERY_PORT)
        .define(QUERY_HOST, Type.STRING, QuerySettings.DEFAULT_HOST, ConfigDefs.nonBlank("an address to listen on, e.g. "
                + "127.0.0.1"), Importance.HIGH,
            "Address the query API listens on (dev: its --host). The answers hold email addresses and the tokens travel "
                + "in headers: on any address beyond loopback (0.0.0.0 included) the gate refuses to start (exit 2) "
                + "without query.tokens.file, and without query.tls.keystore unless query.insecure=true", GROUP_QUERY, 2,
            ConfigDef.Width.MEDIUM, QUERY_HOST)
        .define(QUERY_ADVERTISED, Type.STRING, null, ConfigDefs.describedAs("host:port"), Importance.MEDIUM,
            "host:port the other instances call this one at (Kafka Streams' application.server, which "
                + "kafka.application.server may not set); unset: query.host and the port; required when query.host is "
                + "a wildcard (0.0.0.0)", GROUP_QUERY, 3, ConfigDef.Width.MEDIUM, QUERY_ADVERTISED)
        .define(QUERY_TOKENS_FILE, Type.STRING, null, Importance.HIGH,
            "File of bearer tokens, one a line (blank lines and # comments skipped): every request must carry one "
                + "(Authorization: Bearer <token>); the first is what this instance presents to the others, so give "
                + "every instance the same tokens", GROUP_QUERY, 4, ConfigDef.Width.LONG, QUERY_TOKENS_FILE)
        .define(QUERY_STANDBY_MAX_LAG, Type.LONG, QuerySettings.DEFAULT_STANDBY_MAX_LAG,
            ConfigDefs.allowing("a whole number of offsets, 1 or more", v -> (Long) v >= 1), Importance.LOW,
            "The most changelog offsets a standby copy may be behind and still answer \"mayEmail\": true, when the owner "
                + "does not answer (under exactly-once a caught-up standby is 1 behind, the commit marker)", GROUP_QUERY, 5,
            ConfigDef.Width.SHORT, QUERY_STANDBY_MAX_LAG)
        .define(QUERY_TLS_KEYSTORE, Type.STRING, null, Importance.HIGH,
            "PKCS12 keystore with this instance's certificate and private key: the query API then serves HTTPS, and "
                + "this instance calls the others over HTTPS (unset: plain HTTP). Every instance of one gate must serve "
                + "TLS, or none. The certificate must name the host each instance is called at (query.advertised, or "
                + "query.host) in its subject alternative names: callers, and the other instances, check it",
            GROUP_QUERY, 6, ConfigDef.Width.LONG, QUERY_TLS_KEYSTORE)
        .define(QUERY_TLS_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.HIGH,
            "The keystore's password (and its key's); required with query.tls.keystore. In the environment: "
                + "CONSENT_GATE_QUERY_TLS_KEYSTORE_PASSWORD", GROUP_QUERY, 7, ConfigDef.Width.MEDIUM,
            QUERY_TLS_KEYSTORE_PASSWORD)
        .define(QUERY_TLS_TRUSTSTORE, Type.STRING, null, Importance.MEDIUM,
            "PKCS12 file of the certificates this instance trusts when it calls the other instances. Unset, an instance "
                + "trusts the certificate of its own keystore, which is enough when every instance has the same keystore "
                + "(one certificate naming every instance's host); with a certificate per instance, give each a "
                + "truststore holding the CA that signed them (or every instance's certificate)", GROUP_QUERY, 8,
            ConfigDef.Width.LONG, QUERY_TLS_TRUSTSTORE)
        .define(QUERY_TLS_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
            "The truststore's password, if it has one", GROUP_QUERY, 9, ConfigDef.Width.MEDIUM, QUERY_TLS_TRUSTSTORE_PASSWORD)
        .define(QUERY_INSECURE, Type.BOOLEAN, false, Importance.MEDIUM,
            "true: serve plain HTTP beyond loopback on purpose, because something else encrypts the traffic (a service "
                + "mesh, a TLS-terminating proxy on the same host). Tokens are still required beyond loopback",
            GROUP_QUERY, 10, ConfigDef.Width.SHORT, QUERY_INSECURE);
  }

  /** docs/configuration.md, from the definitions (with its fixed prose). */
  public static String reference() {
    return HEADER
        + ConfigDefs.markdown(DEF, Map.of(), "###")
        + "### Keys by prefix\n\n"
        + "| key | default | description |\n|---|---|---|\n"
        + "| `" + BRAND_PROFILE_PREFIX + "<brandId>` | — | profile of one brand (`optin` or `strict`), e.g. `"
        + BRAND_PROFILE_PREFIX + "acme=strict` (in the environment the brand id is lower-cased) |\n"
        + "| `" + REGISTRY_SSL_PREFIX + "*` | — | registry TLS, Confluent's names (`"
        + REGISTRY_SSL_PREFIX + "truststore.location` …) |\n"
        + "| `" + KAFKA_PREFIX + "<property>` | — | any Kafka client or Streams property, passed through without the prefix |\n"
        + "\n" + CLIENT_HEADER
        + ConfigDefs.markdown(ClientConfig.CONFIG_DEF, Map.of(), "###")
        + CLIENT_FOOTER;
  }

  /** Rewrites docs/configuration.md: {@code main [path]} (default ../docs/configuration.md, from a module). */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args.length > 0 ? args[0] : "../docs/configuration.md");
    Files.writeString(file, reference(), StandardCharsets.UTF_8);
    System.out.println("wrote " + file.toAbsolutePath().normalize());
  }

  private static final String HEADER = """
      # Configuration

      <!-- Generated from the definitions of the keys (GateConfigDef, ClientConfig, StreamsSettings):
           do not edit by hand. Regenerate with
           ./mvnw -B -q -o test -pl consent-service -Dtest=ConfigurationReferenceTest -Dconsentgate.regenerate-docs=true -->

      Every configuration key of consent-gate, its default and what it does. Every command (`run`,
      `publish`, `verdicts`, `dead-letters`, `export`, `replay`, `explain`, `whatif`, and `dev` in the
      dev stack's jar) reads its
      configuration the same way, with the same checks, so a gate configured by environment and its
      offline replay decide alike. A short summary, with the keys grouped by what they are for, is in
      [operating.md, Configuration](operating.md#configuration).

      Contents: [layers](#layers) · [environment variables](#environment-variables) ·
      [Kafka properties](#kafka-and-kafka-streams-properties) · [unknown keys](#unknown-keys) ·
      [`dev`](#dev) · [the keys](#the-keys) · [the senders' client library](#the-senders-client-library)

      ## Layers

      There are four layers. A key set in two layers takes the value of the later one:

      1. built-in defaults;
      2. the properties file (`--config FILE`);
      3. environment variables;
      4. flags: `--set KEY=VALUE` (repeatable), then `--bootstrap-servers` and `--schema-registry-url`
         (commands that talk to a cluster), then a command's own flags (`replay --profile`).

      `replay --profile NAME` sets the default profile for all brands, after all four layers.
      `whatif` reads two configurations: the baseline (`--baseline-config FILE`, else `--config FILE`)
      and the candidate (`--candidate-config FILE`), each with the same defaults, environment and `--set`.

      ## Environment variables

      A variable is named `CONSENT_GATE_` followed by the key in upper case, with `.` and `-` written
      as `_`. For example:
      - `CONSENT_GATE_BOOTSTRAP_SERVERS`
      - `CONSENT_GATE_SCHEMA_REGISTRY_URL`
      - `CONSENT_GATE_TOPICS_REPLICATION_FACTOR`
      - `CONSENT_GATE_POLICY_DEFAULT_PROFILE=strict`, which applies to a replay as to the live gate.

      In the environment, the brand id of `policy.profile.<brandId>` is lower-cased.

      ## Kafka and Kafka Streams properties

      Any Kafka client or Streams property can be passed with the prefix `kafka.`; it is passed through
      without the prefix and wins over the gate's defaults. For example,
      `kafka.security.protocol=SASL_SSL`, or in the environment `CONSENT_GATE_KAFKA_SASL_MECHANISM=PLAIN`.
      The gate's own defaults are safe for production: `processing.guarantee=exactly_once_v2`, producer
      `acks=all`, one standby replica, every processor, store and internal topic named explicitly
      (`ensure.explicit.internal.resource.naming=true`), and transactional state stores queried
      read-committed (`enable.transactional.statestores=true`,
      `default.interactive.query.isolation.level=READ_COMMITTED`), whose buffer of uncommitted writes
      `statestore.uncommitted.max.bytes` bounds ([operating.md](operating.md#memory)).
      The commit interval has a key of its own, `commit.interval`; `kafka.commit.interval.ms` still
      sets it, with the same effect.

      ## Unknown keys

      An unknown key, or an unknown `CONSENT_GATE_*` variable, stops the gate at startup with a message
      that names it (exit 2, like any configuration error). So does a value a key does not allow: the
      message names the key, the value and what is allowed (the "valid values" below).

      ## `dev`

      `dev` runs its own broker and registry, so it takes no `bootstrap.servers` or
      `schema.registry.url`: it refuses `--bootstrap-servers` and `--schema-registry-url`, also as
      `--set`, with exit 2. Of `--config FILE` it uses everything but those two. Where its own parts
      listen is set with `--host` (Kafka, the registry and the metrics endpoint), `--kafka-port` and
      `--registry-port`; `metrics.host` and `query.host` default to its `--host`, and `query.port` to `8088`.
      A `--host` beyond loopback needs the query API's tokens and TLS (or `query.insecure=true`), as for
      `run`.

      ## The keys

      Durations are ISO-8601 (`PT1M`, `PT0.1S`). "—": no default (unset).

      """;

  private static final String CLIENT_HEADER = """
      ## The senders' client library

      The client library `consent-client` ([senders.md, The Java client library](senders.md#the-java-client-library-may-i-email-this-contact-now))
      takes a map of the gate's own keys, so the gate's properties file works as it is; it ignores the
      gate's keys it does not use (it logs them once). It is not read in layers: the map is all there
      is. `check` builds it from the gate's configuration, layers and all. The keys it shares with the
      gate (the first ones below) mean the same and have the same defaults; `kafka.*` is any consumer
      or Admin setting, security included, and `schema.registry.ssl.*` the registry's TLS, as for the gate.

      """;

  private static final String CLIENT_FOOTER = """
      A value the client cannot use (`client.check-gate=yes`, a duration that is not ISO-8601) fails
      `build()` with a `ConfigException` that names the key.
      """;
}
