package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.client.ConsentClient;
import io.consentgate.client.Reason;
import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.registry.server.InMemoryRegistryStorage;
import io.consentgate.registry.server.SchemaRegistryServer;
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
 * The senders' client on a SASL_SSL broker with ACLs, with exactly what README's ACL table grants
 * it: READ on the verdict topic answers; DESCRIBE on the gate's group and input topics adds the
 * GATE_BEHIND rule, and without it a client asked to watch the gate fails closed.
 */
class SenderClientSecurityIT {

  private static final String APP = "secure-gate";
  private static final String STORE_PASSWORD = "changeit-test";
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  static Path dir;

  private static EmbeddedKafka kafka;
  private static SchemaRegistryServer registry;
  private static Path truststore;

  @BeforeAll
  static void startSecureBroker() throws Exception {
    Path keystore = dir.resolve("broker.p12");
    truststore = dir.resolve("truststore.p12");
    Path cert = dir.resolve("broker.crt");
    keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storetype", "PKCS12",
        "-storepass", STORE_PASSWORD, "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(),
        "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);

    Map<String, String> broker = new HashMap<>();
    broker.put("inter.broker.listener.name", "SASL_SSL");
    broker.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
    broker.put("sasl.enabled.mechanisms", "PLAIN");
    broker.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    broker.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\" "
            + "user_admin=\"admin-secret\" user_gate=\"gate-secret\" user_sender=\"sender-secret\" "
            + "user_reader=\"reader-secret\";");
    broker.put("ssl.keystore.location", keystore.toString());
    broker.put("ssl.keystore.password", STORE_PASSWORD);
    broker.put("ssl.keystore.type", "PKCS12");
    broker.put("ssl.key.password", STORE_PASSWORD);
    broker.put("ssl.truststore.location", truststore.toString());
    broker.put("ssl.truststore.password", STORE_PASSWORD);
    broker.put("ssl.truststore.type", "PKCS12");
    broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    broker.put("super.users", "User:admin;User:ANONYMOUS");
    broker.put("allow.everyone.if.no.acl.found", "false");

    Map<String, Object> adminClient = new HashMap<>();
    security("admin", "admin-secret").forEach((k, v) -> adminClient.put(k.substring(GateConfig.KAFKA_PREFIX.length()), v));
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0, broker, adminClient);
    registry = new SchemaRegistryServer("127.0.0.1", 0, new InMemoryRegistryStorage());

    GateRuntime admin = runtime("admin", "admin-secret");
    GateOnKafkaIT.createTopics(admin);
    List<AclBinding> acls = new ArrayList<>(GateSecurityIT.gateAcls());
    // README's ACL table, for a sender's client: READ (and DESCRIBE) on the verdict topic ...
    for (String user : List.of("sender", "reader")) {
      acls.add(allow(user, ResourceType.TOPIC, "consent-verdicts", AclOperation.READ));
      acls.add(allow(user, ResourceType.TOPIC, "consent-verdicts", AclOperation.DESCRIBE));
    }
    // ... and, for GATE_BEHIND, DESCRIBE on the gate's group and input topics: granted to "sender" only.
    acls.add(allow("sender", ResourceType.GROUP, APP, AclOperation.DESCRIBE));
    acls.add(allow("sender", ResourceType.TOPIC, "contact-created", AclOperation.DESCRIBE));
    acls.add(allow("sender", ResourceType.TOPIC, "consent-evidence", AclOperation.DESCRIBE));
    try (Admin client = Admin.create(admin.config().kafka().clientProperties())) {
      client.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static AclBinding allow(String user, ResourceType type, String name, AclOperation op) {
    return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
  }

  private static ConsentClient client(String user, String password, boolean watchGate) throws Exception {
    Map<String, Object> c = new HashMap<>(security(user, password));
    c.put(ConsentClient.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    c.put(ConsentClient.SCHEMA_REGISTRY_URL, registry.url());
    c.put(ConsentClient.SNAPSHOT_INTERVAL, "PT0.2S");
    c.put(ConsentClient.GATE_BEHIND_AFTER, "PT5S");
    if (watchGate) {
      c.put(ConsentClient.APPLICATION_ID, APP);
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
    Map<String, String> flags = new HashMap<>(security(user, password));
    flags.put(GateConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    flags.put(GateConfig.SCHEMA_REGISTRY_URL, registry.url());
    flags.put(GateConfig.STATE_DIR, dir.resolve("state-" + user).toString());
    flags.put(GateConfig.APPLICATION_ID, APP);
    flags.put(GateConfig.TOPIC_PARTITIONS, "2");
    flags.put(GateConfig.TOPIC_REPLICATION_FACTOR, "1");
    flags.put(GateConfig.REPLICATION_FACTOR, "1");
    flags.put(GateConfig.SHUTDOWN_TIMEOUT, "PT20S");
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1H");
    flags.put("kafka.commit.interval.ms", "100");
    return KafkaStack.runtime(flags);
  }

  private static Map<String, String> security(String user, String password) {
    return Map.of(
        "kafka.security.protocol", "SASL_SSL",
        "kafka.sasl.mechanism", "PLAIN",
        "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + user + "\" password=\"" + password + "\";",
        "kafka.ssl.truststore.location", truststore.toString(),
        "kafka.ssl.truststore.password", STORE_PASSWORD,
        "kafka.ssl.truststore.type", "PKCS12");
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }
}
