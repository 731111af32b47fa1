package io.consentgate.dev;

import io.consentgate.app.ConfigOptions;
import io.consentgate.app.ConsentGateCli;
import io.consentgate.app.DirectoryLock;
import io.consentgate.app.GateConfig;
import io.consentgate.app.GateRuntime;
import io.consentgate.app.Ports;
import io.consentgate.app.PublishCommand;
import io.consentgate.app.RunCommand;
import io.consentgate.app.Unavailable;
import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.registry.server.KafkaRegistryStorage;
import io.consentgate.registry.server.SchemaRegistryServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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
        "Schemas, topics and gate state live under --data-dir and survive restarts.",
        "Of --config, the environment and --set it uses everything but bootstrap.servers and schema.registry.url: "
            + "its own broker's and registry's."})
public final class DevCommand implements Callable<Integer>, io.consentgate.app.CommandExtension {

  static final String SCHEMAS_TOPIC = "_schemas";
  /** The jar's name in the printed commands when this does not run from a jar (tests, an IDE). */
  static final String JAR_FALLBACK = "consent-gate-dev.jar";

  private static final Logger LOG = LoggerFactory.getLogger(DevCommand.class);

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Mixin
  OtherStackOptions otherStack;

  @Option(names = "--data-dir", defaultValue = ".consent-gate", paramLabel = "DIR",
      description = "Where Kafka, the registry and the gate keep their data (default: ${DEFAULT-VALUE}). "
          + "One dev at a time per directory.")
  Path dataDir;

  @Option(names = "--demo", description = "Publish the example history once the stack is up.")
  boolean demo;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address Kafka, the registry, the metrics endpoint and the query API listen on (default: "
          + "${DEFAULT-VALUE}). The query API refuses a non-loopback address without query.tokens.file, and without "
          + "TLS (query.tls.keystore) unless query.insecure=true.")
  String host;

  @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka port (default: ${DEFAULT-VALUE}; 0: a free one).")
  int kafkaPort;

  @Option(names = "--registry-port", defaultValue = "8081",
      description = "Schema registry port (default: ${DEFAULT-VALUE}; 0: a free one).")
  int registryPort;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    otherStack.refuse(spec.commandLine(), options);
    // The configuration as it will be, so that a bad key or value stops dev before anything starts.
    GateConfig planned = config(host + ":" + kafkaPort, "http://" + host + ":" + registryPort);
    DirectoryLock dataLock = DirectoryLock.acquire(dataDir, "data directory", holder -> "data directory " + dataDir
        + " is in use by " + holder + "; a second dev on this machine needs its own --data-dir DIR"
        + " (and its own ports: --kafka-port, --registry-port, --set metrics.port=PORT)");
    try {
      Ports.requireFree(host, kafkaPort, "Kafka port", KAFKA_PORT_FIX);
      Ports.requireFree(host, registryPort, "schema registry port", REGISTRY_PORT_FIX);
      RunCommand.requireMetricsPort(planned.service().metricsHost(), planned.service().metricsPort());
      RunCommand.requireQueryPort(planned);
      return runStack(started);
    } finally {
      dataLock.close();
    }
  }

  private static final String KAFKA_PORT_FIX = "pick another with --kafka-port";
  private static final String REGISTRY_PORT_FIX = "pick another with --registry-port";

  private int runStack(long started) throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    EmbeddedKafka kafka;
    try {
      kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), host, kafkaPort, Map.of());
    } catch (RuntimeException e) {
      if (Ports.isBindFailure(e)) {
        throw Ports.inUse(host, kafkaPort, "Kafka port", KAFKA_PORT_FIX, e); // taken since the check
      }
      throw e;
    }
    Stack stack = new Stack(kafka);
    try {
      stack.storage = new KafkaRegistryStorage(Map.of("bootstrap.servers", kafka.bootstrapServers()), SCHEMAS_TOPIC,
          (short) 1);
      try {
        stack.registry = new SchemaRegistryServer(host, registryPort, stack.storage);
      } catch (UncheckedIOException e) {
        if (Ports.isBindFailure(e)) {
          throw Ports.inUse(host, registryPort, "schema registry port", REGISTRY_PORT_FIX, e);
        }
        throw new Unavailable(e.getMessage(), e);
      }
      String bootstrap = kafka.bootstrapServers();
      String registryUrl = stack.registry.url();
      GateRuntime runtime = new GateRuntime(config(bootstrap, registryUrl));
      GateConfig config = runtime.config();

      err.printf("consent-gate dev stack up in %.1f s%n", (System.nanoTime() - started) / 1e9);
      err.println("  Kafka            " + bootstrap + "   (data in " + dataDir.resolve("kafka") + ")");
      err.println("  schema registry  " + registryUrl + "   (schemas in topic " + SCHEMAS_TOPIC + ")");
      err.println("  topics           " + config.topics().contactCreated() + ", " + config.topics().consentEvidence()
          + " -> " + config.topics().verdicts() + " (dead letters: " + config.topics().deadLetters()
          + (config.topics().audits() ? ", every verdict also to " + config.topics().verdictsAudit() : "") + ")");
      err.println("  gate state       " + config.streams().stateDir());
      err.println("  query API        " + queryUrl(config));
      err.println("  watch verdicts:  " + watchCommand(config));
      err.println("  stop:            Ctrl-C");
      err.flush();

      if (demo) {
        // Topics first, so the demo records do not wait for them.
        try (org.apache.kafka.clients.admin.Admin admin = runtime.admin()) {
          io.consentgate.runtime.TopicSetup.ensure(admin, config.topics(), config.streams().applicationId(), true,
              config.topicCreation().partitions(), config.topicCreation().replicationFactor());
        }
        Thread publisher = new Thread(() -> publishDemo(runtime, err), "consent-gate-demo");
        publisher.setDaemon(true);
        publisher.start();
      }
      return RunCommand.runUntilStopped(runtime, true, spec, stack::stop);
    } finally {
      // Here on a return or a failure; on SIGTERM or Ctrl-C also in the shutdown hook, which waits
      // until this has finished, so that the JVM does not halt in the middle of the broker's
      // controlled shutdown (a broker cut off there costs the next start on this directory about
      // ten seconds: its old registration has to expire, then every partition recovers).
      stack.stop();
    }
  }

  /**
   * Dev's own settings over the file and the environment, under --set; the addresses are always
   * dev's own (--set of them is refused).
   */
  private GateConfig config(String bootstrap, String registryUrl) throws GateConfig.ConfigException {
    Map<String, String> dev = new HashMap<>();
    dev.put(GateConfig.STATE_DIR, dataDir.resolve("state").toString());
    dev.put(GateConfig.REPLICATION_FACTOR, "1");
    dev.put(GateConfig.TOPIC_REPLICATION_FACTOR, "1");
    dev.put(GateConfig.TOPIC_PARTITIONS, "3");
    dev.put(GateConfig.STANDBY_REPLICAS, "0");
    dev.put(GateConfig.METRICS_HOST, host);
    dev.put(GateConfig.QUERY_PORT, String.valueOf(DEV_QUERY_PORT));
    dev.put(GateConfig.QUERY_HOST, host);
    return options.load(dev, Map.of(GateConfig.BOOTSTRAP_SERVERS, bootstrap, GateConfig.SCHEMA_REGISTRY_URL, registryUrl));
  }

  /** The query API's port in dev unless --set says otherwise ({@code run}'s default is off). */
  static final int DEV_QUERY_PORT = 8088;

  /** Where the query API answers, as dev prints it. */
  static String queryUrl(GateConfig config) {
    var query = config.query();
    if (!query.enabled()) {
      return "off (query.port=-1)";
    }
    String host = query.host().contains(":") ? "[" + query.host() + "]" : query.host();
    if (query.port() == 0) {
      return query.scheme() + "://" + host + ":<a free port, named in the log>/v1/contacts/{contactId}";
    }
    return query.scheme() + "://" + host + ":" + query.port() + "/v1/contacts/{contactId}"
        + (query.tokens().isEmpty() ? "" : "   (Authorization: Bearer <a token of " + GateConfig.QUERY_TOKENS_FILE + ">)");
  }

  /**
   * The command that shows this stack's verdicts from another terminal: this jar as it was
   * started, and every flag without which {@code verdicts} would read elsewhere (its defaults, with
   * the same --config and environment, are what it would use otherwise).
   */
  String watchCommand(GateConfig config) {
    GateConfig elsewhere;
    try {
      elsewhere = options.loadFileAndEnvironment();
    } catch (GateConfig.ConfigException e) {
      elsewhere = null; // cannot tell: name everything
    }
    List<String> words = new ArrayList<>(List.of("java", "-jar", jarPath(), "verdicts", "--follow", "--from-beginning"));
    if (options.file() != null) {
      words.addAll(List.of("--config", options.file().toString()));
    }
    String bootstrap = config.kafka().bootstrapServers();
    if (elsewhere == null || !bootstrap.equals(elsewhere.kafka().bootstrapServers())) {
      words.addAll(List.of("--bootstrap-servers", bootstrap));
    }
    String registryUrl = config.registry().url();
    if (elsewhere == null || !registryUrl.equals(elsewhere.registry().url())) {
      words.addAll(List.of("--schema-registry-url", registryUrl));
    }
    String verdicts = config.topics().verdicts();
    if (elsewhere == null || !verdicts.equals(elsewhere.topics().verdicts())) {
      words.addAll(List.of("--set", GateConfig.TOPIC_VERDICTS + "=" + verdicts));
    }
    return words.stream().map(DevCommand::shellWord).collect(Collectors.joining(" "));
  }

  /**
   * The jar this runs from, relative to the working directory when it lies below it, else
   * absolute; {@value #JAR_FALLBACK} when this does not run from a jar.
   */
  static String jarPath() {
    try {
      CodeSource source = DevCommand.class.getProtectionDomain().getCodeSource();
      if (source != null && source.getLocation() != null) {
        Path jar = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
        if (Files.isRegularFile(jar) && jar.getFileName().toString().endsWith(".jar")) {
          Path workingDir = Path.of("").toAbsolutePath();
          return jar.startsWith(workingDir) ? workingDir.relativize(jar).toString() : jar.toString();
        }
      }
    } catch (URISyntaxException | RuntimeException e) {
      LOG.debug("cannot tell which jar this runs from", e);
    }
    return JAR_FALLBACK;
  }

  /** {@code word} as one word for a POSIX shell: as it is when that is safe, else single-quoted. */
  static String shellWord(String word) {
    if (!word.isEmpty() && word.matches("[A-Za-z0-9_./:=@%+,-]+")) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
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
