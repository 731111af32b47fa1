package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.registry.server.InMemoryRegistryStorage;
import io.consentgate.registry.server.SchemaRegistryServer;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.TopicSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate on a broker that speaks only SASL_SSL (PLAIN) and authorizes with ACLs: it runs with
 * exactly the ACLs an operator would grant it, and a principal without them is refused with a
 * message that says so.
 */
class GateSecurityIT {

  private static final String APP = "secure-gate";
  private static final String STORE_PASSWORD = "changeit-test";
  private static final Duration WAIT = Duration.ofSeconds(60);

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
            + "user_admin=\"admin-secret\" user_gate=\"gate-secret\" user_intruder=\"intruder-secret\";");
    broker.put("ssl.keystore.location", keystore.toString());
    broker.put("ssl.keystore.password", STORE_PASSWORD);
    broker.put("ssl.keystore.type", "PKCS12");
    broker.put("ssl.key.password", STORE_PASSWORD);
    broker.put("ssl.truststore.location", truststore.toString());
    broker.put("ssl.truststore.password", STORE_PASSWORD);
    broker.put("ssl.truststore.type", "PKCS12");
    broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // The broker talks to itself as admin over SASL_SSL; the PLAINTEXT controller listener is ANONYMOUS.
    broker.put("super.users", "User:admin;User:ANONYMOUS");
    broker.put("allow.everyone.if.no.acl.found", "false");

    Map<String, Object> adminClient = new HashMap<>();
    clientSecurity("admin", "admin-secret").forEach((k, v) -> adminClient.put(k.substring(GateConfig.KAFKA_PREFIX.length()), v));
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0, broker, adminClient);
    registry = new SchemaRegistryServer("127.0.0.1", 0, new InMemoryRegistryStorage());

    GateRuntime admin = runtime("admin", "admin-secret");
    GateOnKafkaIT.createTopics(admin); // the operator creates the topics ...
    try (Admin client = Admin.create(admin.config().kafka().clientProperties())) {
      client.createAcls(gateAcls()).all().get(30, TimeUnit.SECONDS); // ... and grants the gate its ACLs
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

  /** Exactly what the gate needs as User:gate with application.id secure-gate. */
  static List<AclBinding> gateAcls() {
    List<AclBinding> acls = new ArrayList<>();
    for (String input : List.of("contact-created", "consent-evidence")) {
      acls.add(allow(ResourceType.TOPIC, input, PatternType.LITERAL, AclOperation.READ));
      acls.add(allow(ResourceType.TOPIC, input, PatternType.LITERAL, AclOperation.DESCRIBE));
    }
    for (String output : List.of("consent-verdicts", "consent-gate-dlq", "consent-verdicts-audit")) {
      acls.add(allow(ResourceType.TOPIC, output, PatternType.LITERAL, AclOperation.WRITE));
      acls.add(allow(ResourceType.TOPIC, output, PatternType.LITERAL, AclOperation.DESCRIBE));
      // The startup check reads their message.timestamp.type.
      acls.add(allow(ResourceType.TOPIC, output, PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS));
    }
    // Its changelog topics: created, described (configs too), written and restored by Streams.
    acls.add(allow(ResourceType.TOPIC, APP + "-", PatternType.PREFIXED, AclOperation.ALL));
    acls.add(allow(ResourceType.GROUP, APP, PatternType.LITERAL, AclOperation.READ));
    acls.add(allow(ResourceType.TRANSACTIONAL_ID, APP + "-", PatternType.PREFIXED, AclOperation.WRITE));
    acls.add(allow(ResourceType.TRANSACTIONAL_ID, APP + "-", PatternType.PREFIXED, AclOperation.DESCRIBE));
    return acls;
  }

  private static AclBinding allow(ResourceType type, String name, PatternType pattern, AclOperation op) {
    return new AclBinding(new ResourcePattern(type, name, pattern),
        new AccessControlEntry("User:gate", "*", op, AclPermissionType.ALLOW));
  }

  @Test
  void theGateRunsOnTlsAndSaslWithExactlyItsAcls() throws Exception {
    long start = System.nanoTime();
    GateRuntime admin = runtime("admin", "admin-secret");
    GateRuntime gateRuntime = runtime("gate", "gate-secret");
    GateConfig config = gateRuntime.config();
    // The startup check of `run`, with the gate's own credentials.
    try (Admin client = Admin.create(config.kafka().clientProperties())) {
      TopicSetup.ensure(client, config.topics(), config.streams().applicationId(), false, config.topicCreation().partitions(), config.topicCreation().replicationFactor());
    }
    String history = Files.readString(Path.of("../examples/history.jsonl"));
    Set<String> contacts = history.lines().filter(l -> l.contains("\"type\":\"contact\""))
        .map(l -> l.replaceAll(".*\"contactId\":\"([^\"]*)\".*", "$1")).collect(Collectors.toSet());
    assertThat(contacts).hasSize(15);
    KafkaStack.publish(admin, history);
    try (GateService gate = gateRuntime.gateService()) {
      gate.start();
      assertThat(gate.awaitRunning(WAIT)).as("the gate reaches RUNNING as User:gate").isTrue();
      await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
          assertThat(KafkaStack.verdicts(admin).stream().map(ConsentVerdict::getContactId).collect(Collectors.toSet()))
              .containsAll(contacts));
      assertThat(gate.state().isRunningOrRebalancing()).as("still running, no authorization error").isTrue();
    }
    assertThat(GateFaultsIT.deadLetters(admin)).isZero();
    System.out.printf("secure gate: %d verdicts for %d contacts over SASL_SSL with %d ACLs in %d ms%n",
        KafkaStack.verdicts(admin).size(), contacts.size(), gateAcls().size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  @Test
  void aPrincipalWithoutAclsIsToldItIsNotAuthorized() throws Exception {
    GateRuntime intruder = runtime("intruder", "intruder-secret");
    GateConfig config = intruder.config();
    try (Admin client = Admin.create(config.kafka().clientProperties())) {
      // The broker does say so: a describe by a principal without ACLs is refused ...
      assertThatThrownBy(() -> client.describeTopics(List.of(config.topics().contactCreated())).allTopicNames()
          .get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TopicAuthorizationException.class);
      // ... and the gate's startup check must pass that on, not report the topics as missing.
      assertThatThrownBy(() ->
          TopicSetup.ensure(client, config.topics(), config.streams().applicationId(), false, config.topicCreation().partitions(), config.topicCreation().replicationFactor()))
          .isInstanceOf(TopicSetup.TopicProblem.class)
          .satisfies(e -> System.out.println("intruder: " + e.getMessage()))
          .extracting(Throwable::getMessage).asString().containsIgnoringCase("authoriz");
    }
  }

  private static GateRuntime runtime(String user, String password) throws GateConfig.ConfigException {
    Map<String, String> flags = new HashMap<>(clientSecurity(user, password));
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

  /** The client settings for one principal, as the gate's {@code kafka.*} configuration keys. */
  private static Map<String, String> clientSecurity(String user, String password) {
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
