package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.client.ConsentClient;
import io.consentgate.client.Reason;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.TopicSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The senders' client on a SASL_SSL broker with ACLs, with exactly what docs/operating.md's ACL table grants
 * it: READ on the verdict topic answers with the gate check off (failing open); DESCRIBE on the gate's
 * group and input topics lets the default gate check work, and without it the client fails closed.
 */
class SenderClientSecurityIT {

  private static final String APP = "secure-gate";
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  static Path dir;

  private static SecureKafka cluster;

  @BeforeAll
  static void startSecureBroker() throws Exception {
    cluster = SecureKafka.start(dir, Map.of("gate", "gate-secret", "sender", "sender-secret", "reader", "reader-secret"));
    GateRuntime admin = runtime("admin", "admin-secret");
    GateOnKafkaIT.createTopics(admin);
    List<AclBinding> acls = new ArrayList<>(GateSecurityIT.gateAcls());
    // docs/operating.md's ACL table, for a sender's client: READ (and DESCRIBE) on the verdict topic ...
    for (String user : List.of("sender", "reader")) {
      acls.add(allow(user, ResourceType.TOPIC, "consent-verdicts", AclOperation.READ));
      acls.add(allow(user, ResourceType.TOPIC, "consent-verdicts", AclOperation.DESCRIBE));
    }
    // ... and, for GATE_BEHIND, DESCRIBE on the gate's group and input topics: granted to "sender" only.
    acls.add(allow("sender", ResourceType.GROUP, APP, AclOperation.DESCRIBE));
    acls.add(allow("sender", ResourceType.TOPIC, "contact-created", AclOperation.DESCRIBE));
    acls.add(allow("sender", ResourceType.TOPIC, "consent-evidence", AclOperation.DESCRIBE));
    // ... and, for REPUBLISHING, READ on the gate's epoch topic.
    acls.add(allow("sender", ResourceType.TOPIC, APP + "-consent-epoch", AclOperation.READ));
    acls.add(allow("sender", ResourceType.TOPIC, APP + "-consent-epoch", AclOperation.DESCRIBE));
    try (Admin client = Admin.create(admin.config().kafka().clientProperties())) {
      client.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static AclBinding allow(String user, ResourceType type, String name, AclOperation op) {
    return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
  }

  private static ConsentClient client(String user, String password, boolean watchGate) throws Exception {
    Map<String, Object> c = new HashMap<>(cluster.security(user, password));
    c.put(ConsentClient.BOOTSTRAP_SERVERS, cluster.kafka.bootstrapServers());
    c.put(ConsentClient.SCHEMA_REGISTRY_URL, cluster.registry.url());
    c.put(ConsentClient.SNAPSHOT_INTERVAL, "PT0.2S");
    c.put(ConsentClient.GATE_BEHIND_AFTER, "PT5S");
    if (watchGate) {
      c.put(ConsentClient.APPLICATION_ID, APP);
    } else {
      c.put(ConsentClient.CHECK_GATE, "false"); // all that READ on the verdict topic alone allows, failing open
    }
    return ConsentClient.builder(c).meterRegistry(new SimpleMeterRegistry()).build();
  }

  @Test
  void aSendersPrincipalWithTheReadmeAclsGetsAnswersAndAPrincipalWithoutGroupDescribeFailsClosed() throws Exception {
    GateRuntime admin = runtime("admin", "admin-secret");
    GateRuntime gateRuntime = runtime("gate", "gate-secret");
    GateConfig config = gateRuntime.config();
    try (Admin client = Admin.create(config.kafka().clientProperties())) {
      TopicSetup.ensure(client, config.topics(), config.streams().applicationId(), false, config.topicCreation().partitions(), config.topicCreation().replicationFactor());
    }
    KafkaStack.publish(admin, Files.readString(Path.of("../examples/history.jsonl")));
    try (GateService gate = gateRuntime.gateService()) {
      gate.start();
      assertThat(gate.awaitRunning(WAIT)).isTrue();
      try (ConsentClient sender = client("sender", "sender-secret", true);
           ConsentClient reader = client("reader", "reader-secret", false);
           ConsentClient readerWatchingTheGate = client("reader", "reader-secret", true)) {
        await().atMost(WAIT).until(() -> sender.check("c-ann").mayEmail());
        assertThat(sender.status().gateWatched()).isTrue();
        assertThat(sender.check("c-chen").reason()).isEqualTo(Reason.DENIED);

        await().atMost(WAIT).until(() -> reader.check("c-ann").mayEmail());
        assertThat(reader.status().gateWatched()).isFalse();

        // Without DESCRIBE on the group the gate's offsets cannot be seen: no answer may say yes.
        assertThat(readerWatchingTheGate.awaitReady(Duration.ofSeconds(8))).isFalse();
        assertThat(readerWatchingTheGate.check("c-ann").reason()).isEqualTo(Reason.GATE_BEHIND);
        assertThat(readerWatchingTheGate.check("c-ann").mayEmail()).isFalse();
      }
    }
  }

  private static GateRuntime runtime(String user, String password) throws GateConfig.ConfigException {
    return cluster.runtime(user, password, APP);
  }

}
