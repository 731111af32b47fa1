package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.TopicSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  static Path dir;

  private static SecureKafka cluster;

  @BeforeAll
  static void startSecureBroker() throws Exception {
    cluster = SecureKafka.start(dir, Map.of("gate", "gate-secret", "intruder", "intruder-secret"));
    GateRuntime admin = runtime("admin", "admin-secret");
    GateOnKafkaIT.createTopics(admin); // the operator creates the topics ...
    try (Admin client = Admin.create(admin.config().kafka().clientProperties())) {
      client.createAcls(gateAcls()).all().get(30, TimeUnit.SECONDS); // ... and grants the gate its ACLs
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
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
    // The claims log of the verdict topic: created at the first start, appended to and read (one writer per topic).
    for (AclOperation op : List.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE)) {
      acls.add(allow(ResourceType.TOPIC, "consent-verdicts-writer-claims", PatternType.LITERAL, op));
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
    assertThat(contacts).hasSize(22);
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
    return cluster.runtime(user, password, APP);
  }
}
