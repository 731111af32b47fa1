package io.consentgate.dev;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka cluster in this JVM: one KRaft node that is both controller and
 * broker, built from Kafka's own production classes (the storage formatter and
 * {@link KafkaRaftServer}), not a mock. Used by {@code dev} and by the integration tests.
 *
 * <p>The data directory is formatted once and reused, so topics, offsets and committed
 * transactions survive a restart on the same directory.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  /** A broker on free loopback ports. */
  public static EmbeddedKafka start(Path dataDir) {
    return start(dataDir, "127.0.0.1", 0, Map.of());
  }

  /**
   * @param port the client port, 0 for a free one
   * @param overrides broker settings that win over the single-node defaults (e.g. listeners with TLS)
   */
  public static EmbeddedKafka start(Path dataDir, String host, int port, Map<String, String> overrides) {
    return start(dataDir, host, port, overrides, Map.of());
  }

  /**
   * A broker whose client listener may be secured. The client listener is named after
   * {@code inter.broker.listener.name} in the overrides (default {@code PLAINTEXT}), so e.g.
   * {@code inter.broker.listener.name=SASL_SSL} gives {@code SASL_SSL://host:port}; the controller
   * listener stays PLAINTEXT.
   *
   * @param adminClientProps client settings (security protocol, SASL, truststore) with which the
   *     readiness check connects to the client listener
   */
  public static EmbeddedKafka start(Path dataDir, String host, int port, Map<String, String> overrides,
      Map<String, Object> adminClientProps) {
    String listener = overrides.getOrDefault("inter.broker.listener.name", "PLAINTEXT");
    int brokerPort = port == 0 ? freePort(host) : port;
    int controllerPort = freePort(host);
    Path logDir = dataDir.resolve("kraft");
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
    props.put("listeners", listener + "://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
    props.put("advertised.listeners", listener + "://" + host + ":" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", listener);
    props.put("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    // One node: every internal topic has one replica.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "4");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "1");
    // The default, stated because close() relies on it: see there.
    props.put("controlled.shutdown.enable", "true");
    props.putAll(overrides);
    try {
      Files.createDirectories(logDir);
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(logDir); // once: a restart on the same directory keeps its cluster and data
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
    EmbeddedKafka kafka = new EmbeddedKafka(server, host + ":" + brokerPort);
    try {
      server.startup();
      kafka.awaitReady(adminClientProps);
    } catch (RuntimeException e) {
      // E.g. the port is taken (a BindException among the causes): stop what did start, so that
      // no controller, thread or lock on the data directory outlives the failure.
      try {
        kafka.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    return kafka;
  }

  private static void format(Path logDir) throws Exception {
    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .setDirectories(List.of(logDir.toString()))
        .setMetadataLogDirectory(logDir.toString())
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .setControllerListenerName("CONTROLLER")
        .run();
  }

  private void awaitReady(Map<String, Object> adminClientProps) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Map<String, Object> adminProps = new HashMap<>(adminClientProps);
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(adminProps)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Kafka did not become ready at " + bootstrapServers, e);
          }
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka", e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * Stops the node and waits until it has stopped: first the broker, with a controlled shutdown
   * (it tells the controller it is leaving, is fenced, and marks its logs cleanly closed), then
   * the controller. A start on the same directory afterwards is as fast as the first one. A node
   * that is not stopped this way (its process killed, or a JVM that halts before this returns)
   * costs the next start about ten seconds: the controller waits out the old registration
   * ({@code broker.session.timeout.ms}) and then recovers every partition.
   */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }

  static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }
}
