package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.client.ConsentClient;
import io.consentgate.policy.Profile;
import io.consentgate.topology.BoundedMemoryRocksDB;
import io.consentgate.topology.GateStreamsConfig;
import io.consentgate.topology.StreamsSettings;
import io.consentgate.topology.TopologySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateConfigTest {

  @TempDir
  Path dir;

  @Test
  void defaultsAreTheSpecsTopicNamesAndProfileOptin() throws Exception {
    TopologySettings s = GateConfig.load(null, Map.of()).topologySettings(true);
    assertThat(s.topics().contactCreated()).isEqualTo("contact-created");
    assertThat(s.topics().consentEvidence()).isEqualTo("consent-evidence");
    assertThat(s.topics().verdicts()).isEqualTo("consent-verdicts");
    assertThat(s.topics().deadLetters()).isEqualTo("consent-gate-dlq");
    assertThat(s.policy().defaultProfile()).isEqualTo(Profile.OPTIN);
    assertThat(s.lapseCheckInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.policy().roleAddresses().names()).contains("info", "sales", "admin");
  }

  @Test
  void aSendersClientWithoutAnApplicationIdChecksTheGateThatRunsWithoutOne() throws Exception {
    assertThat(GateConfig.load(null, Map.of()).streams().applicationId()).isEqualTo(ConsentClient.DEFAULT_APPLICATION_ID);
    assertThat(GateConfig.APPLICATION_ID).isEqualTo(ConsentClient.APPLICATION_ID);
  }

  @Test
  void theFileOverridesDefaultsAndFlagsOverrideTheFile() throws Exception {
    Path file = dir.resolve("gate.properties");
    Files.writeString(file, "topic.consent-verdicts=verdicts-v2\npolicy.default-profile=strict\npolicy.profile.acme=optin\n");
    GateConfig config = GateConfig.load(file, Map.of("policy.default-profile", "optin", "policy.profile.acme", "strict"));
    TopologySettings s = config.topologySettings(true);
    assertThat(s.topics().verdicts()).isEqualTo("verdicts-v2");
    assertThat(s.policy().defaultProfile()).isEqualTo(Profile.OPTIN);
    assertThat(s.policy().profileFor("acme")).isEqualTo(Profile.STRICT);
    assertThat(s.policy().profileFor("globex")).isEqualTo(Profile.OPTIN);
  }

  @Test
  void environmentVariablesSitBetweenTheFileAndTheFlags() throws Exception {
    Path file = dir.resolve("gate.properties");
    Files.writeString(file, "bootstrap.servers=file:9092\nschema.registry.url=http://file:8081\ntopics.replication-factor=2\n");
    Map<String, String> env = Map.of(
        "CONSENT_GATE_BOOTSTRAP_SERVERS", "env:9092",
        "CONSENT_GATE_SCHEMA_REGISTRY_URL", "http://env:8081",
        "CONSENT_GATE_TOPICS_REPLICATION_FACTOR", "3",
        "CONSENT_GATE_KAFKA_SASL_MECHANISM", "PLAIN",
        "CONSENT_GATE_POLICY_PROFILE_ACME", "strict",
        "PATH", "/usr/bin");
    GateConfig config = GateConfig.load(file, env, Map.of(GateConfig.BOOTSTRAP_SERVERS, "flag:9092"));
    assertThat(config.kafka().bootstrapServers()).as("flags win over the environment").isEqualTo("flag:9092");
    assertThat(config.registry().url()).as("the environment wins over the file").isEqualTo("http://env:8081");
    assertThat(config.topicCreation().replicationFactor()).isEqualTo((short) 3);
    assertThat(config.kafka().clientProperties()).containsEntry("sasl.mechanism", "PLAIN").containsEntry("bootstrap.servers", "flag:9092");
    assertThat(config.streams().bootstrapServers()).isEqualTo("flag:9092");
    assertThat(config.streams().overrides()).containsEntry("sasl.mechanism", "PLAIN");
    assertThat(config.topologySettings(true).policy().profileFor("acme")).isEqualTo(Profile.STRICT);
  }

  @Test
  void anUnknownConsentGateVariableOrKeyIsAnErrorAtStartup() {
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("CONSENT_GATE_BOOTSTRAP_SERVER", "x"), Map.of()))
        .isInstanceOf(GateConfig.ConfigException.class).hasMessageContaining("CONSENT_GATE_BOOTSTRAP_SERVER");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of(), Map.of("bootstrap.server", "x")))
        .hasMessageContaining("unknown configuration key(s) [bootstrap.server]");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of(), Map.of("processing.guarantee", "exactly_once")))
        .hasMessageContaining("processing.guarantee");
  }

  @Test
  void theRoleListCanBeReplaced() throws Exception {
    Path roles = dir.resolve("roles.txt");
    Files.writeString(roles, "# ours\nteam\n\nBOOKINGS\n");
    TopologySettings s = GateConfig.load(null, Map.of("policy.role-addresses.file", roles.toString())).topologySettings(true);
    assertThat(s.policy().roleAddresses().names()).containsExactlyInAnyOrder("team", "bookings");
  }

  @Test
  void badValuesAreErrorsThatNameTheKey() {
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("lapse.check-interval", "5 minutes")))
        .isInstanceOf(GateConfig.ConfigException.class).hasMessageContaining("lapse.check-interval");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("lapse.check-interval", "PT0S")))
        .hasMessage("lapse.check-interval must be a positive ISO-8601 duration such as PT1M, got 'PT0S'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("policy.profile.acme", "lax")))
        .hasMessageContaining("policy.profile.acme").hasMessageContaining("unknown profile");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("policy.role-addresses.file", dir.resolve("none").toString())))
        .hasMessageContaining("policy.role-addresses.file");
    assertThatThrownBy(() -> GateConfig.load(dir.resolve("absent.properties"), Map.of()))
        .hasMessageContaining("cannot read config file");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("policy.profile.", "strict")))
        .hasMessageContaining("a brand id must follow");
  }

  @Test
  void everyKeyIsReadOnceIntoTypedSettingsGroupedByConcern() throws Exception {
    GateConfig defaults = GateConfig.load(null, Map.of());
    assertThat(defaults.streams()).as("run's defaults are the ones the benchmark starts from")
        .isEqualTo(StreamsSettings.defaults());
    assertThat(defaults.kafka()).isEqualTo(new KafkaSettings("127.0.0.1:9092", Map.of()));
    assertThat(defaults.registry().url()).isEqualTo("http://127.0.0.1:8081");
    assertThat(defaults.registry().usesGateSerde()).isTrue();
    assertThat(defaults.registry().properties()).containsEntry("auto.register.schemas", "true")
        .containsEntry("use.latest.version", "false").doesNotContainKey("basic.auth.user.info");
    assertThat(defaults.service()).isEqualTo(new ServiceSettings(Duration.ofSeconds(30), Duration.ofSeconds(45), "0.0.0.0", 9464));
    assertThat(defaults.topicCreation()).isEqualTo(new TopicCreation(6, (short) -1));

    Map<String, String> flags = new HashMap<>();
    flags.put("application.id", "gate-b");
    flags.put("state.dir", "/var/gate");
    flags.put("processing.guarantee", "at_least_once");
    flags.put("num.standby.replicas", "2");
    flags.put("replication.factor", "3");
    flags.put("rocksdb.memory.bytes", String.valueOf(64L << 20));
    flags.put("rocksdb.write-buffer.ratio", "0.25");
    flags.put("kafka.num.stream.threads", "4");
    flags.put("shutdown.timeout", "PT10S");
    flags.put("health.stall-timeout", "PT2M");
    flags.put("metrics.host", "127.0.0.1");
    flags.put("metrics.port", "-1");
    flags.put("topics.partitions", "12");
    flags.put("topics.replication-factor", "3");
    flags.put("value.serde", "com.example.OtherSerde");
    flags.put("schema.registry.ssl.truststore.location", "/etc/trust.p12");
    GateConfig config = GateConfig.load(null, flags);

    assertThat(config.streams()).isEqualTo(new StreamsSettings("gate-b", "127.0.0.1:9092", "at_least_once", 2, 3,
        Path.of("/var/gate"), 64L << 20, 0.25, Map.of("num.stream.threads", "4")));
    assertThat(config.kafka().overrides()).isEqualTo(Map.of("num.stream.threads", "4"));
    assertThat(config.service()).isEqualTo(new ServiceSettings(Duration.ofSeconds(10), Duration.ofMinutes(2), "127.0.0.1", -1));
    assertThat(config.service().metricsEnabled()).isFalse();
    assertThat(config.topicCreation()).isEqualTo(new TopicCreation(12, (short) 3));
    assertThat(config.registry().serdeClass()).isEqualTo("com.example.OtherSerde");
    assertThat(config.registry().usesGateSerde()).isFalse();
    assertThat(config.registry().clientProperties()).containsEntry("schema.registry.ssl.truststore.location", "/etc/trust.p12");
  }

  @Test
  void runsStreamsPropertiesComeFromTheOneBuilderWithTheUsersKafkaKeysLast() throws Exception {
    GateConfig config = GateConfig.load(null, Map.of("kafka.max.task.idle.ms", "0", "kafka.producer.acks", "1",
        "rocksdb.memory.bytes", String.valueOf(32L << 20)));
    Properties props = GateStreamsConfig.properties(config.streams(), config.topologySettings(true));
    assertThat(props)
        .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDB.class)
        .containsEntry(BoundedMemoryRocksDB.MEMORY_BYTES, String.valueOf(32L << 20))
        .containsEntry(BoundedMemoryRocksDB.WRITE_BUFFER_RATIO, "0.5")
        .containsEntry(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true)
        .containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "consent-gate-dlq")
        .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "0")
        .containsEntry(StreamsConfig.producerPrefix("acks"), "1");
  }

  @Test
  void badValuesOfTypedKeysAreErrorsThatNameTheKey() {
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("num.standby.replicas", "one")))
        .isInstanceOf(GateConfig.ConfigException.class).hasMessage("num.standby.replicas must be a whole number, got 'one'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("replication.factor", "")))
        .hasMessage("replication.factor must be a whole number, got ''");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("topics.partitions", "0")))
        .hasMessage("topics.partitions must be a positive whole number, got '0'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("metrics.port", "70000")))
        .hasMessage("metrics.port must be a port, 0 for any free one, or -1 for none, got '70000'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("metrics.host", " ")))
        .hasMessageStartingWith("metrics.host must be an address to listen on");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("shutdown.timeout", "30s")))
        .hasMessage("shutdown.timeout must be a positive ISO-8601 duration such as PT1M, got '30s'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("rocksdb.memory.bytes", "1024")))
        .hasMessage("rocksdb.memory.bytes must be a whole number of bytes, at least 16 MiB (16777216), got '1024'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("rocksdb.write-buffer.ratio", "1")))
        .hasMessage("rocksdb.write-buffer.ratio must be a number between 0 and 1, both excluded, got '1'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("rocksdb.memory.bytes", "256MiB")))
        .hasMessage("rocksdb.memory.bytes must be a whole number of bytes, at least 16 MiB (16777216), got '256MiB'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("auto.register.schemas", "yes")))
        .hasMessage("auto.register.schemas must be true or false, got 'yes'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("auto.register.schemas", "yes", "value.serde", "com.example.OtherSerde")))
        .hasMessage("auto.register.schemas must be true or false, got 'yes'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("processing.guarantee", "exactly_once")))
        .hasMessage("processing.guarantee must be exactly_once_v2 or at_least_once, got 'exactly_once'");
  }

  @Test
  void theQueryApiIsOffForRunByDefaultAndOnLoopbackWhenTurnedOn() throws Exception {
    assertThat(GateConfig.load(null, Map.of()).query().enabled()).isFalse();

    var query = GateConfig.load(null, Map.of("query.port", "8088")).query();
    assertThat(query.enabled()).isTrue();
    assertThat(query.host()).isEqualTo("127.0.0.1");
    assertThat(query.advertised()).as("host:port").isNull();
    assertThat(query.tokens()).isEmpty();
    assertThat(query.standbyMaxLag()).isEqualTo(1);
  }

  @Test
  void aNonLoopbackQueryAddressNeedsTokensWhichComeOneALineFromAFile() throws Exception {
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.port", "8088", "query.host", "0.0.0.0",
        "query.advertised", "gate-1:8088")))
        .isInstanceOf(GateConfig.ConfigException.class)
        .hasMessageContaining("query.host=0.0.0.0 is not a loopback address").hasMessageContaining("query.tokens.file");

    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "# rotated 2026-11\n  new-token  \n\nold-token\n");
    var query = GateConfig.load(null, Map.of("query.port", "8088", "query.host", "0.0.0.0",
        "query.advertised", "gate-1.internal:8088", "query.tokens.file", tokens.toString(),
        "query.standby.max-lag", "5", "query.insecure", "true")).query();
    assertThat(query.tokens()).containsExactly("new-token", "old-token");
    assertThat(query.ownToken()).isEqualTo("new-token");
    assertThat(query.standbyMaxLag()).isEqualTo(5);

    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.port", "8088", "query.host", "0.0.0.0",
        "query.tokens.file", tokens.toString(), "query.insecure", "true"))).hasMessageContaining("query.advertised");
    Files.writeString(tokens, "# nothing yet\n");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.tokens.file", tokens.toString())))
        .hasMessageContaining("holds no token");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.tokens.file", dir.resolve("missing").toString())))
        .hasMessageContaining("cannot read");
  }

  @Test
  void beyondLoopbackTheQueryApiNeedsTlsUnlessTheOperatorSaysSomethingElseEncrypts() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "t-1\n");
    Map<String, String> exposed = Map.of("query.port", "8088", "query.host", "0.0.0.0", "query.advertised", "gate-1:8088",
        "query.tokens.file", tokens.toString());
    assertThatThrownBy(() -> GateConfig.load(null, exposed)).isInstanceOf(GateConfig.ConfigException.class)
        .hasMessageContaining("query.tls.keystore").hasMessageContaining("query.insecure=true");

    Path keystore = io.consentgate.runtime.http.TestCertificates.keystore(dir, "gate", "pw-123456");
    Map<String, String> withTls = new HashMap<>(exposed);
    withTls.put("query.tls.keystore", keystore.toString());
    withTls.put("query.tls.keystore.password", "pw-123456");
    var query = GateConfig.load(null, withTls).query();
    assertThat(query.scheme()).isEqualTo("https");
    assertThat(query.tls()).isNotNull();

    Map<String, String> insecure = new HashMap<>(exposed);
    insecure.put("query.insecure", "true");
    assertThat(GateConfig.load(null, insecure).query().scheme()).isEqualTo("http");

    withTls.put("query.tls.keystore.password", "wrong");
    assertThatThrownBy(() -> GateConfig.load(null, withTls)).isInstanceOf(GateConfig.ConfigException.class)
        .hasMessageContaining("query.tls.keystore");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.port", "8088", "query.tls.truststore", keystore.toString())))
        .hasMessageContaining("query.tls.keystore is not");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.insecure", "yes"))).hasMessageContaining("query.insecure");
    assertThat(GateConfig.load(null, Map.of("query.tls.keystore", "/no/such/file.p12")).query().enabled())
        .as("the query API off: its keystore is not read").isFalse();

    CliRun run = CliRun.of("run", "--set", "query.port=8088", "--set", "query.host=0.0.0.0", "--set",
        "query.advertised=gate-1:8088", "--set", "query.tokens.file=" + tokens);
    assertThat(run.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(run.err()).contains("query.tls.keystore");
  }

  @Test
  void theCommitIntervalHasAKeyAndItsOldSpellingHasTheSameEffect() throws Exception {
    assertThat(GateConfig.load(null, Map.of()).streams().commitInterval()).as("Kafka Streams' default").isNull();
    StreamsSettings typed = GateConfig.load(null, Map.of("commit.interval", "PT0.1S")).streams();
    StreamsSettings old = GateConfig.load(null, Map.of("kafka.commit.interval.ms", "100")).streams();
    assertThat(old).isEqualTo(typed);
    assertThat(typed.commitInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(old.overrides()).doesNotContainKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    assertThat(GateStreamsConfig.properties(old, TopologySettings.defaults()))
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    assertThat(GateConfig.load(null, Map.of("CONSENT_GATE_KAFKA_COMMIT_INTERVAL_MS", "250"), Map.of()).streams()
        .commitInterval()).as("the old spelling in the environment").isEqualTo(Duration.ofMillis(250));

    assertThatThrownBy(() -> GateConfig.load(null, Map.of("commit.interval", "PT1S", "kafka.commit.interval.ms", "100")))
        .isInstanceOf(GateConfig.ConfigException.class)
        .hasMessageContaining("commit.interval and kafka.commit.interval.ms (its old spelling) are both set");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("kafka.commit.interval.ms", "1s")))
        .hasMessageStartingWith("kafka.commit.interval.ms must be a whole number of milliseconds").hasMessageContaining("'1s'");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("commit.interval", "100")))
        .hasMessage("commit.interval must be a positive ISO-8601 duration of whole milliseconds, such as PT0.1S, got '100'");
  }

  @Test
  void queryValuesTheGateCannotUseAreRefusedByName() {
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.port", "70000"))).hasMessageContaining("query.port");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.port", "8088", "query.standby.max-lag", "0")))
        .hasMessageContaining("query.standby.max-lag");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.port", "8088", "query.advertised", "no-port")))
        .hasMessageContaining("query.advertised must be host:port");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("kafka.application.server", "h:1")))
        .hasMessageContaining("query.advertised");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.host", " "))).hasMessageContaining("query.host");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("query.standby.max-lag", "0")))
        .hasMessage("query.standby.max-lag must be a whole number of offsets, 1 or more, got '0'");
  }
}
