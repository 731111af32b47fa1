package io.consentgate.app;

import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.registry.server.InMemoryRegistryStorage;
import io.consentgate.registry.server.SchemaRegistryServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A broker that speaks only SASL_SSL (PLAIN, a self-signed certificate made with keytool) and
 * authorizes with ACLs, beside a schema registry: the cluster an operator secures, for the tests
 * of who may do what. {@code admin} is a super user; every other principal has only the ACLs a
 * test grants it.
 */
final class SecureKafka implements AutoCloseable {

  static final String ADMIN = "admin";
  static final String ADMIN_PASSWORD = "admin-secret";
  private static final String STORE_PASSWORD = "changeit-test";

  final EmbeddedKafka kafka;
  final SchemaRegistryServer registry;
  private final Path dir;
  private final Path truststore;

  private SecureKafka(Path dir, Path truststore, EmbeddedKafka kafka, SchemaRegistryServer registry) {
    this.dir = dir;
    this.truststore = truststore;
    this.kafka = kafka;
    this.registry = registry;
  }

  /** @param users the principals besides {@code admin}, by name, with their passwords */
  static SecureKafka start(Path dir, Map<String, String> users) throws Exception {
    Path keystore = dir.resolve("broker.p12");
    Path truststore = dir.resolve("truststore.p12");
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
    Map<String, String> all = new HashMap<>(users);
    all.put(ADMIN, ADMIN_PASSWORD);
    broker.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN + "\" password=\""
            + ADMIN_PASSWORD + "\" " + all.entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(u -> "user_" + u.getKey() + "=\"" + u.getValue() + "\"").collect(Collectors.joining(" ")) + ";");
    broker.put("ssl.keystore.location", keystore.toString());
    broker.put("ssl.keystore.password", STORE_PASSWORD);
    broker.put("ssl.keystore.type", "PKCS12");
    broker.put("ssl.key.password", STORE_PASSWORD);
    broker.put("ssl.truststore.location", truststore.toString());
    broker.put("ssl.truststore.password", STORE_PASSWORD);
    broker.put("ssl.truststore.type", "PKCS12");
    broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // The broker talks to itself as admin over SASL_SSL; the PLAINTEXT controller listener is ANONYMOUS.
    broker.put("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
    broker.put("allow.everyone.if.no.acl.found", "false");

    Map<String, Object> adminClient = new HashMap<>();
    security(truststore, ADMIN, ADMIN_PASSWORD)
        .forEach((k, v) -> adminClient.put(k.substring(GateConfig.KAFKA_PREFIX.length()), v));
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0, broker, adminClient);
    SchemaRegistryServer registry;
    try {
      registry = new SchemaRegistryServer("127.0.0.1", 0, new InMemoryRegistryStorage());
    } catch (Exception e) {
      kafka.close();
      throw e;
    }
    return new SecureKafka(dir, truststore, kafka, registry);
  }

  /** The client settings for one principal, as the gate's {@code kafka.*} configuration keys. */
  Map<String, String> security(String user, String password) {
    return security(truststore, user, password);
  }

  private static Map<String, String> security(Path truststore, String user, String password) {
    return Map.of(
        "kafka.security.protocol", "SASL_SSL",
        "kafka.sasl.mechanism", "PLAIN",
        "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + user + "\" password=\"" + password + "\";",
        "kafka.ssl.truststore.location", truststore.toString(),
        "kafka.ssl.truststore.password", STORE_PASSWORD,
        "kafka.ssl.truststore.type", "PKCS12");
  }

  /** The gate's configuration for one principal and application id, on this cluster. */
  GateRuntime runtime(String user, String password, String applicationId) throws GateConfig.ConfigException {
    Map<String, String> flags = new HashMap<>(security(user, password));
    flags.put(GateConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    flags.put(GateConfig.SCHEMA_REGISTRY_URL, registry.url());
    flags.put(GateConfig.STATE_DIR, dir.resolve("state-" + user).toString());
    flags.put(GateConfig.APPLICATION_ID, applicationId);
    flags.put(GateConfig.TOPIC_PARTITIONS, "2");
    flags.put(GateConfig.TOPIC_REPLICATION_FACTOR, "1");
    flags.put(GateConfig.REPLICATION_FACTOR, "1");
    flags.put(GateConfig.SHUTDOWN_TIMEOUT, "PT20S");
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1H");
    flags.put("kafka.commit.interval.ms", "100");
    return KafkaStack.runtime(flags);
  }

  @Override
  public void close() {
    registry.close();
    kafka.close();
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
