package io.consentgate.app;

import io.consentgate.runtime.GateService;
import io.consentgate.runtime.GateStart;
import io.consentgate.runtime.MetricsEndpoint;
import io.consentgate.runtime.TopicSetup;
import io.consentgate.runtime.VerdictTopicClaims;
import io.consentgate.runtime.query.QueryEndpoint;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Runs the gate against an existing Kafka cluster and schema registry until stopped (SIGTERM / Ctrl-C).")
public final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--create-topics", description = "Create missing topics (inputs kept forever, verdicts compacted, DLQ).")
  boolean createTopics;

  static final String TAKE_OVER_FLAG = "--take-over-verdict-topic";

  @Option(names = TAKE_OVER_FLAG,
      description = "Take the verdict topic over from the application id that owns it (stop that gate first; a gate "
          + "that is still running stops when it sees the take-over). Without it the gate refuses with exit 4, naming "
          + "both ids: one writer per verdict topic.")
  boolean takeOverVerdictTopic;

  @Override
  public Integer call() throws Exception {
    GateRuntime runtime = new GateRuntime(options.load(cluster.flags()));
    return runUntilStopped(runtime, createTopics, takeOverVerdictTopic, spec, () -> { });
  }

  /** {@link #runUntilStopped(GateRuntime, boolean, boolean, CommandSpec, Runnable)} without a takeover. */
  public static int runUntilStopped(GateRuntime runtime, boolean createTopics, CommandSpec spec, Runnable afterGate)
      throws Exception {
    return runUntilStopped(runtime, createTopics, false, spec, afterGate);
  }

  /**
   * Shared by run and dev: lock the state directory, check the metrics port and the topics, start,
   * block until SIGTERM or failure.
   *
   * @param afterGate what to stop once the gate has closed (dev: the registry and the broker); it
   *     runs in the shutdown hook so that it completes before the JVM exits
   * @throws Unavailable the state directory is another process's, or the metrics port is in use
   */
  public static int runUntilStopped(GateRuntime runtime, boolean createTopics, boolean takeOverVerdictTopic,
                                    CommandSpec spec, Runnable afterGate) throws Exception {
    // Two gates on one state directory fail deep inside Kafka Streams ("Unable to initialize
    // state"); say so first, and what the second one needs. Released when this returns, or by the
    // operating system when the process ends, however it ends.
    DirectoryLock stateLock = lockStateDir(runtime.config().streams().stateDir());
    try {
      return runLocked(runtime, createTopics, takeOverVerdictTopic, spec, afterGate);
    } finally {
      stateLock.close();
    }
  }

  public static DirectoryLock lockStateDir(Path stateDir) throws Unavailable {
    return DirectoryLock.acquire(stateDir, "state directory", holder -> "state directory " + stateDir
        + " is in use by " + holder + "; a second instance on this machine needs its own state.dir (--set state.dir=DIR)");
  }

  /** Fails at once, before anything starts, when the metrics port is taken. */
  public static void requireMetricsPort(String host, int port) throws Unavailable {
    Ports.requireFree(host, port, "metrics port", METRICS_PORT_FIX);
  }

  private static int runLocked(GateRuntime runtime, boolean createTopics, boolean takeOverVerdictTopic, CommandSpec spec,
                               Runnable afterGate) throws Exception {
    GateConfig config = runtime.config();
    ServiceSettings service = config.service();
    requireMetricsPort(service.metricsHost(), service.metricsPort());
    requireQueryPort(config);
    int inputPartitions;
    try (Admin admin = runtime.admin()) {
      inputPartitions = TopicSetup.ensure(admin, config.topics(), config.streams().applicationId(), createTopics,
          config.topicCreation().partitions(), config.topicCreation().replicationFactor());
    } catch (TopicSetup.KafkaUnanswered e) {
      throw new Unavailable(runtime.kafkaUnanswered());
    } catch (TopicSetup.TopicProblem e) {
      throw new Unavailable(e.getMessage());
    }
    runtime.requireRegistry();
    GateStart start;
    try (Admin admin = runtime.admin()) {
      start = GateStart.prepare(admin, config.kafka().clientProperties(), config.streams().applicationId(), config.topics(),
          config.topicCreation().replicationFactor(), takeOverVerdictTopic);
    } catch (GateStart.VerdictTopicTaken e) {
      throw new Unavailable(e.getMessage() + ". Give this gate its own verdict topic (--set " + GateConfig.TOPIC_VERDICTS
          + "=NAME; blue/green in docs/operating.md), or stop " + e.owner() + " and start this gate with "
          + TAKE_OVER_FLAG);
    }
    // The query port before the gate: its Streams advertise the address (application.server).
    QueryEndpoint query = runtime.openQueryEndpoint();
    GateService gate = runtime.gateService(inputPartitions, start, query);
    MetricsEndpoint metrics;
    try {
      metrics = service.metricsEnabled() ? openMetrics(gate, service.metricsHost(), service.metricsPort()) : null;
    } catch (Unavailable e) {
      gate.close();
      if (query != null) {
        query.close();
      }
      throw e;
    }
    // A take-over by another application id while this gate runs: stop writing at once, exit 4.
    VerdictTopicClaims.Watch claims = start.watchClaims(config.kafka().clientProperties(), config.topics().verdicts(),
        config.streams().applicationId(), owner -> new Thread(gate::stop, "consent-gate-taken-over").start());
    Thread hook = new Thread(() -> {
      claims.close();
      boolean signal = ConsentGateCli.stoppingOnSignal();
      LOG.info("stopping the gate");
      if (query != null) {
        query.close();
      }
      // The metrics before the gate: the Kafka metrics binder reads store gauges from its own
      // thread, and one of them (uncommitted bytes of a transactional store) reads a RocksDB
      // write batch that closing the store frees: the JVM crashed with SIGSEGV in
      // WriteBatch.getDataSize once in the lifecycle chaos suite.
      if (metrics != null) {
        metrics.close();
      }
      boolean clean = gate.stop();
      start.catchUp().close();
      afterGate.run();
      if (!clean) {
        LOG.error("the gate did not stop cleanly within {} (see the log)", service.shutdownTimeout());
      }
      if (signal) {
        ConsentGateCli.exitAfterSignal(clean ? 0 : ConsentGateCli.EXIT_GATE_FAILED);
      }
    }, "consent-gate-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    gate.start();
    if (query != null) {
      gate.serveQueries(query);
    }
    LOG.info("gate {} running on {}; verdicts to {}; metrics {}; query API {}", config.streams().applicationId(),
        config.kafka().bootstrapServers(), config.topics().verdicts(),
        metrics == null ? "off" : "on http://" + metrics.host() + ":" + metrics.port() + "/metrics",
        query == null ? "off" : "on " + query.url() + "/v1/contacts/{contactId} (advertised as "
            + query.applicationServer() + ")");
    boolean failed = gate.awaitStop();
    if (claims.lostTo() != null) {
      if (query != null) {
        query.close();
      }
      gate.close();
      start.catchUp().close();
      afterGate.run();
      throw new Unavailable("verdict topic " + config.topics().verdicts() + " was taken over by application id "
          + claims.lostTo() + " while this gate (" + config.streams().applicationId() + ") ran: it stopped writing. Start "
          + "it again with " + TAKE_OVER_FLAG + " once " + claims.lostTo() + " is stopped");
    }
    claims.close();
    if (failed) {
      if (query != null) {
        query.close();
      }
      gate.close();
      start.catchUp().close();
      afterGate.run();
      spec.commandLine().getErr().println("consent-gate: the gate stopped after an error (see the log)");
      return ConsentGateCli.EXIT_GATE_FAILED;
    }
    return 0;
  }

  /** Fails at once, before anything starts, when the query port is taken. */
  public static void requireQueryPort(GateConfig config) throws Unavailable {
    if (config.query().enabled()) {
      Ports.requireFree(config.query().host(), config.query().port(), "query port", GateRuntime.QUERY_PORT_FIX);
    }
  }

  private static final String METRICS_PORT_FIX =
      "pick another with --set metrics.port=PORT (0: any free port, -1: no metrics endpoint)";

  private static MetricsEndpoint openMetrics(GateService gate, String host, int port) throws Unavailable {
    try {
      return gate.metricsEndpoint(host, port);
    } catch (UncheckedIOException e) {
      if (Ports.isBindFailure(e)) {
        throw Ports.inUse(host, port, "metrics port", METRICS_PORT_FIX, e); // taken since the check
      }
      throw new Unavailable(e.getMessage(), e);
    }
  }
}
