package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.policy.Profile;
import io.consentgate.topology.TopologySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    assertThat(config.get(GateConfig.BOOTSTRAP_SERVERS)).as("flags win over the environment").isEqualTo("flag:9092");
    assertThat(config.get(GateConfig.SCHEMA_REGISTRY_URL)).as("the environment wins over the file").isEqualTo("http://env:8081");
    assertThat(config.topicReplicationFactor()).isEqualTo((short) 3);
    assertThat(config.kafkaClientProperties()).containsEntry("sasl.mechanism", "PLAIN").containsEntry("bootstrap.servers", "flag:9092");
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
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("policy.profile.acme", "lax")))
        .hasMessageContaining("policy.profile.acme").hasMessageContaining("unknown profile");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("policy.role-addresses.file", dir.resolve("none").toString())))
        .hasMessageContaining("policy.role-addresses.file");
    assertThatThrownBy(() -> GateConfig.load(dir.resolve("absent.properties"), Map.of()))
        .hasMessageContaining("cannot read config file");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of("policy.profile.", "strict")))
        .hasMessageContaining("a brand id must follow");
  }

}
