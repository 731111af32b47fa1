package io.consentgate.runtime;

import io.consentgate.policy.ConsentPolicy;
import io.consentgate.runtime.query.ContactAnswers;
import io.consentgate.runtime.query.ContactQueries;
import io.consentgate.runtime.query.HttpPeers;
import io.consentgate.runtime.query.QueryEndpoint;
import io.consentgate.runtime.query.QuerySettings;
import io.consentgate.runtime.query.StreamsStateLookup;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topology.ConsentGateTopology;
import io.consentgate.topology.DeadLetterMetrics;
import io.consentgate.topology.GateStreamsConfig;
import io.consentgate.topology.ReroutingMetrics;
import io.consentgate.topology.StreamsSettings;
import io.consentgate.topology.TopologySettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gate as a running Kafka Streams application: start, wait, stop cleanly. */
public final class GateService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GateService.class);

  private static final Duration HEALTH_CHECK_PERIOD = Duration.ofSeconds(5);

  private final KafkaStreams streams;
  private final GateHealth health;
  private final ScheduledExecutorService healthChecks;
  private final Duration shutdownTimeout;
  private final List<String> inputTopics;
  private final TopologySettings topology;
  /** Kafka Streams' {@code application.server}: where the query API of this instance is called, or null. */
  private final String applicationServer;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean failed;

  /** How long input may wait without a commit before the gate reports itself stuck, unless configured. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(45);
  /** How long a clean stop may take, unless configured. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

  /** A gate that reports itself stuck after {@link #DEFAULT_STALL_TIMEOUT}. */
  public GateService(TopologySettings settings, ValueSerdes serdes, StreamsSettings streamsSettings,
                     Duration shutdownTimeout) {
    this(settings, serdes, streamsSettings, shutdownTimeout, DEFAULT_STALL_TIMEOUT);
  }

  /**
   * @param streamsSettings how it runs on Kafka; {@link GateStreamsConfig} turns them and the
   *     topology's needs into the Streams properties, as for every gate on Kafka
   * @param stallTimeout how long input may wait without a commit before the gate reports itself
   *     stuck; never less than twice the commit interval, which is how often progress shows
   */
  public GateService(TopologySettings settings, ValueSerdes serdes, StreamsSettings streamsSettings,
                     Duration shutdownTimeout, Duration stallTimeout) {
    Properties props = GateStreamsConfig.properties(streamsSettings, settings);
    this.streams = new KafkaStreams(ConsentGateTopology.build(settings, serdes), props);
    this.topology = settings;
    this.applicationServer = props.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG);
    this.shutdownTimeout = shutdownTimeout;
    this.inputTopics = List.of(settings.topics().contactCreated(), settings.topics().consentEvidence());
    StreamsConfig config = new StreamsConfig(props);
    Duration commitInterval = streamsSettings.effectiveCommitInterval();
    if (stallTimeout.compareTo(commitInterval.multipliedBy(2)) < 0) {
      stallTimeout = commitInterval.multipliedBy(2);
    }
    Set<String> inputs = new java.util.HashSet<>(List.of(settings.topics().contactCreated(), settings.topics().consentEvidence()));
    inputs.addAll(io.consentgate.topics.GateApplication.internalTopicsInOrder(config.getString(StreamsConfig.APPLICATION_ID_CONFIG)));
    this.health = new GateHealth(streams, inputs, stallTimeout, Clock.systemUTC());
    // The health check also runs unasked, so that a stuck gate is in the log within a minute.
    this.healthChecks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "consent-gate-health");
      t.setDaemon(true);
      return t;
    });
    // A thread that dies on an unexpected error is replaced; it resumes from the last commit, so
    // under exactly-once nothing is lost or doubled. If it keeps dying, the health check says so.
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("stream thread failed; replacing it", e);
      health.threadFailed(e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streams.setStateListener((now, before) -> {
      LOG.info("gate state {} -> {}", before, now);
      if (now == KafkaStreams.State.ERROR) {
        failed = true;
      }
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
        stopped.countDown();
      }
    });
  }

  public void start() {
    streams.start();
    healthChecks.scheduleAtFixedRate(health::check, HEALTH_CHECK_PERIOD.toMillis(), HEALTH_CHECK_PERIOD.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Starts the metrics endpoint for this gate on every interface ({@code port} 0: any free port). The gate's counters
   * that only a fault would create (dead letters by reason, re-routed records) are registered at 0
   * for both input topics, so that they are scraped, and alert rules can match them, from the start.
   */
  public MetricsEndpoint metricsEndpoint(int port) {
    MetricsEndpoint endpoint = new MetricsEndpoint(port, streams, health);
    // After the endpoint has attached its registry to the global one, which the counters live in.
    DeadLetterMetrics.registerKnownReasons(inputTopics);
    ReroutingMetrics.register(inputTopics);
    return endpoint;
  }

  /** Starts the metrics endpoint for this gate on {@code host} ({@code port} 0: any free port). */
  public MetricsEndpoint metricsEndpoint(String host, int port) {
    return new MetricsEndpoint(host, port, streams, health);
  }

  /**
   * Answers the query API of {@code endpoint} from this gate from now on. This gate's Streams must
   * advertise the endpoint ({@link QueryEndpoint#advertisedIn}), so that the other instances find
   * it as the owner of its contacts.
   */
  public void serveQueries(QueryEndpoint endpoint) {
    if (!endpoint.applicationServer().equals(applicationServer)) {
      throw new IllegalStateException("this gate advertises application.server=" + applicationServer
          + ", not the query endpoint's " + endpoint.applicationServer());
    }
    QuerySettings query = endpoint.settings();
    ContactAnswers answers = new ContactAnswers(new ConsentPolicy(topology.policy()), topology.epoch(), topology.catchUp(),
        Clock.systemUTC(), query.standbyMaxLag(), endpoint.applicationServer());
    endpoint.serve(new ContactQueries(new StreamsStateLookup(streams), answers, new HttpPeers(query),
        endpoint.advertised()));
  }

  public GateHealth health() {
    return health;
  }

  /** Observes state restoration (benchmarks, diagnostics); call before {@link #start()}. */
  public void globalRestoreListener(org.apache.kafka.streams.processor.StateRestoreListener listener) {
    streams.setGlobalStateRestoreListener(listener);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Blocks until the gate stops; true when it stopped because it failed. */
  public boolean awaitStop() throws InterruptedException {
    stopped.await();
    return failed;
  }

  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (streams.state() == KafkaStreams.State.RUNNING) {
        return true;
      }
      if (stopped.await(50, TimeUnit.MILLISECONDS)) {
        return false;
      }
    }
    return false;
  }

  /** Commits, closes the stores and leaves the group, within the shutdown timeout. */
  @Override
  public void close() {
    stop();
  }

  /** {@link #close()}, telling whether every thread committed and closed within the shutdown timeout. */
  public boolean stop() {
    healthChecks.shutdownNow();
    boolean clean = streams.close(CloseOptions.timeout(shutdownTimeout)
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    if (!clean) {
      LOG.warn("gate did not close within {}", shutdownTimeout);
    }
    stopped.countDown();
    return clean && !failed;
  }
}
