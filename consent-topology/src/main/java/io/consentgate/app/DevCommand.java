package io.consentgate.app;

import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.registry.KafkaRegistryStorage;
import io.consentgate.registry.SchemaRegistryServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "dev", mixinStandardHelpOptions = true,
    description = {"Starts a whole local stack in this process: a real single-node KRaft Kafka broker, a "
        + "Confluent-compatible schema registry, the topics and the gate. Stops cleanly on Ctrl-C.",
        "Schemas, topics and gate state live under --data-dir and survive restarts."})
final class DevCommand implements Callable<Integer> {

  static final String SCHEMAS_TOPIC = "_schemas";

  private static final Logger LOG = LoggerFactory.getLogger(DevCommand.class);

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Option(names = "--data-dir", defaultValue = ".consent-gate", paramLabel = "DIR",
      description = "Where Kafka, the registry and the gate keep their data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--demo", description = "Publish the example history once the stack is up.")
  boolean demo;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka port (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry port (default: ${DEFAULT-VALUE}).")
  int registryPort;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    long started = System.nanoTime();
    EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), host, kafkaPort, Map.of());
    Map<String, Object> kafkaClient = Map.of("bootstrap.servers", kafka.bootstrapServers());
    Stack stack = new Stack(kafka);
    try {
      stack.storage = new KafkaRegistryStorage(kafkaClient, SCHEMAS_TOPIC, (short) 1);
      stack.registry = new SchemaRegistryServer(host, registryPort, stack.storage);
      return runGate(err, started, kafka, stack);
    } finally {
      // Here on a return or a failure; on SIGTERM or Ctrl-C also in the shutdown hook, which waits
      // until this has finished, so that the JVM does not halt in the middle of the broker's
      // controlled shutdown (a broker cut off there costs the next start on this directory about
      // ten seconds: its old registration has to expire, then every partition recovers).
      stack.stop();
    }
  }

  private int runGate(PrintWriter err, long started, EmbeddedKafka kafka, Stack stack) throws Exception {
    SchemaRegistryServer registry = stack.registry;
    Map<String, String> dev = new HashMap<>();
    dev.put(GateConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    dev.put(GateConfig.SCHEMA_REGISTRY_URL, registry.url());
    dev.put(GateConfig.STATE_DIR, dataDir.resolve("state").toString());
    dev.put(GateConfig.REPLICATION_FACTOR, "1");
    dev.put(GateConfig.TOPIC_REPLICATION_FACTOR, "1");
    dev.put(GateConfig.TOPIC_PARTITIONS, "3");
    dev.put(GateConfig.STANDBY_REPLICAS, "0");
    options.set.forEach(dev::put); // explicit --set still wins
    GateRuntime runtime = new GateRuntime(GateConfig.load(options.file, System.getenv(), dev));
    GateConfig config = runtime.config();

    err.printf("consent-gate dev stack up in %.1f s%n", (System.nanoTime() - started) / 1e9);
    err.println("  Kafka            " + kafka.bootstrapServers() + "   (data in " + dataDir.resolve("kafka") + ")");
    err.println("  schema registry  " + registry.url() + "   (schemas in topic " + SCHEMAS_TOPIC + ")");
    err.println("  topics           " + config.topics().contactCreated() + ", " + config.topics().consentEvidence()
        + " -> " + config.topics().verdicts() + " (dead letters: " + config.topics().deadLetters() + ")");
    err.println("  gate state       " + config.stateDir());
    err.println("  watch verdicts:  java -jar consent-topology/target/consent-gate.jar verdicts --follow --from-beginning");
    err.println("  stop:            Ctrl-C");
    err.flush();

    if (demo) {
      // Topics first, so the demo records do not wait for them.
      try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(config.kafkaClientProperties())) {
        io.consentgate.runtime.TopicSetup.ensure(admin, config.topics(), config.applicationId(), true, config.topicPartitions(),
            config.topicReplicationFactor());
      }
      Thread publisher = new Thread(() -> publishDemo(runtime, err), "consent-gate-demo");
      publisher.setDaemon(true);
      publisher.start();
    }
    return RunCommand.runUntilStopped(runtime, true, spec, stack::stop);
  }

  /**
   * The broker, the registry's storage and the registry, stopped once, in that order reversed, by
   * whichever comes first of the command and the shutdown hook; the other waits until it is done.
   */
  private static final class Stack {
    private final EmbeddedKafka kafka;
    private KafkaRegistryStorage storage;
    private SchemaRegistryServer registry;
    private boolean stopped;

    Stack(EmbeddedKafka kafka) {
      this.kafka = kafka;
    }

    synchronized void stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      if (registry != null) {
        registry.close();
      }
      if (storage != null) {
        try {
          storage.close();
        } catch (RuntimeException e) {
          LOG.warn("cannot close the registry storage; stopping the broker anyway", e);
        }
      }
      kafka.close();
    }
  }

  /** Publishes the example history shipped in the jar once the gate has had a moment to start. */
  private static void publishDemo(GateRuntime runtime, PrintWriter err) {
    try (InputStream in = DevCommand.class.getResourceAsStream("/examples/history.jsonl")) {
      if (in == null) {
        err.println("consent-gate: the example history is missing from the jar");
        return;
      }
      PublishCommand.Result result = PublishCommand.publish(runtime,
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), err);
      err.printf("demo: published %d contacts and %d evidence records from the example history%n",
          result.contacts, result.evidence);
      err.flush();
    } catch (Exception e) {
      err.println("consent-gate: demo publish failed: " + e.getMessage());
    }
  }
}
