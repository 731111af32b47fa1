package io.consentgate.chaos;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.test.api.TestKitDefaults;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Three brokers and one controller in this JVM, from Kafka's own test kit
 * ({@link KafkaClusterTestKit}): replication factor 3 and {@code min.insync.replicas} 2 for every
 * topic, so that one broker may die without a write being refused. Brokers are killed and restarted
 * by id on the same port and log directories.
 */
final class ThreeBrokers implements ChaosCluster {

  private static final int BROKERS = 3;

  private final KafkaClusterTestKit kit;
  private final String bootstrapServers;

  ThreeBrokers(Path dir) throws Exception {
    TestKitNodes.Builder nodes = new TestKitNodes.Builder()
        // The kit formats with the newest, unstable metadata version unless told otherwise.
        .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
        .setCombined(false)
        .setNumControllerNodes(1)
        .setNumBrokerNodes(BROKERS)
        .setBaseDirectory(dir);
    Map<Integer, Map<String, String>> loopback = new HashMap<>();
    for (int b = 0; b < BROKERS; b++) {
      loopback.put(TestKitDefaults.BROKER_ID_OFFSET + b,
          Map.of("listeners", TestKitDefaults.DEFAULT_BROKER_LISTENER_NAME + "://127.0.0.1:0"));
    }
    loopback.put(TestKitDefaults.CONTROLLER_ID_OFFSET,
        Map.of("listeners", TestKitDefaults.DEFAULT_CONTROLLER_LISTENER_NAME + "://127.0.0.1:0"));
    nodes.setPerServerProperties(loopback);
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build());
    Map<String, String> props = new HashMap<>();
    props.put("min.insync.replicas", "2");
    props.put("default.replication.factor", "3");
    props.put("offsets.topic.replication.factor", "3");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "3");
    props.put("transaction.state.log.min.isr", "2");
    props.put("transaction.state.log.num.partitions", "4");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    // A killed broker says no goodbye: its partitions stay led by it until the controller misses
    // its heartbeats, as after a crash. The session is shortened so that a run sees several.
    props.put("controlled.shutdown.enable", "false");
    props.put("broker.session.timeout.ms", "6000");
    props.put("broker.heartbeat.interval.ms", "1000");
    // Four server JVMs' worth of threads share two cores with the gates.
    props.put("num.network.threads", "2");
    props.put("num.io.threads", "2");
    props.put("num.replica.fetchers", "1");
    props.put("background.threads", "2");
    props.put("log.cleaner.threads", "1");
    props.forEach(builder::setConfigProp);
    kit = builder.build();
    try {
      bindOnLoopbackOnly(kit);
      kit.format();
      kit.startup();
      kit.waitForReadyBrokers();
      bootstrapServers = kit.bootstrapServers();
      requireLoopbackListeners();
    } catch (Exception e) {
      kit.close();
      throw e;
    }
  }

  /**
   * The kit reserves every port by binding it on all interfaces before the servers start, and
   * hands that socket to the server. Closing those reservations makes the kit bind each port again
   * where the node's listener says, 127.0.0.1, which it also does on a restart.
   */
  private static void bindOnLoopbackOnly(KafkaClusterTestKit kit) throws ReflectiveOperationException, IOException {
    Field managerField = KafkaClusterTestKit.class.getDeclaredField("socketFactoryManager");
    managerField.setAccessible(true);
    Object manager = managerField.get(kit);
    Field socketsField = manager.getClass().getDeclaredField("sockets");
    socketsField.setAccessible(true);
    @SuppressWarnings("unchecked")
    Map<Integer, Map<String, ServerSocketChannel>> sockets = (Map<Integer, Map<String, ServerSocketChannel>>) socketsField.get(manager);
    synchronized (manager) {
      for (Map<String, ServerSocketChannel> byListener : sockets.values()) {
        for (ServerSocketChannel channel : byListener.values()) {
          channel.close();
        }
      }
    }
  }

  /** 127.0.0.1, as IPv4 and as IPv4-mapped IPv6, and ::1, as the socket tables write them. */
  private static final Set<String> LOOPBACK = Set.of("0100007F", "0000000000000000FFFF00000100007F",
      "00000000000000000000000001000000");

  /** Fails when a broker port listens beyond loopback (Linux's socket tables say where). */
  private void requireLoopbackListeners() throws IOException {
    Path table = Path.of("/proc/net/tcp");
    if (!Files.isReadable(table)) {
      return; // not Linux: the listeners' configuration is all there is to go by
    }
    Set<Integer> ports = new java.util.HashSet<>();
    for (BrokerServer broker : kit.brokers().values()) {
      ports.add(broker.boundPort(ListenerName.normalised(TestKitDefaults.DEFAULT_BROKER_LISTENER_NAME)));
    }
    List<String> wide = new ArrayList<>();
    for (Path t : List.of(table, Path.of("/proc/net/tcp6"))) {
      if (!Files.isReadable(t)) {
        continue;
      }
      for (String line : Files.readAllLines(t)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4 || !f[3].equals("0A") || !f[1].contains(":")) {
          continue; // the header, or not a listening socket
        }
        String[] local = f[1].split(":");
        int port = Integer.parseInt(local[1], 16);
        if (ports.contains(port) && !LOOPBACK.contains(local[0])) {
          wide.add(local[0] + ":" + port);
        }
      }
    }
    if (!wide.isEmpty()) {
      throw new IllegalStateException("broker listeners beyond loopback: " + wide);
    }
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public short replicationFactor() {
    return BROKERS;
  }

  @Override
  public List<Integer> killableBrokers() {
    return new ArrayList<>(kit.brokers().keySet());
  }

  @Override
  public void killBroker(int id) {
    BrokerServer broker = kit.brokers().get(id);
    broker.shutdown();
    broker.awaitShutdown();
  }

  @Override
  public void restartBroker(int id) throws Exception {
    kit.restartBroker(id, Map.of());
    // Back in the cluster once the controller has unfenced it; its replicas then catch up.
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().noneMatch(n -> n.id() == id)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("broker " + id + " did not rejoin the cluster within 60 s");
        }
        Thread.sleep(200);
      }
    }
  }

  @Override
  public String describe() {
    return BROKERS + " brokers (replication factor 3, min.insync.replicas 2) at " + bootstrapServers;
  }

  @Override
  public void close() {
    try {
      kit.close();
    } catch (Exception e) {
      throw new IllegalStateException("the 3-broker cluster did not close: " + e.getMessage(), e);
    }
  }
}
