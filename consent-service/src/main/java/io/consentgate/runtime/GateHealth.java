package io.consentgate.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the gate is doing its job, not merely running. Healthy means all of:
 * <ul>
 *   <li>Kafka Streams is RUNNING or REBALANCING;</li>
 *   <li>no stream thread has failed within the stall timeout (a record that keeps killing its
 *       thread leaves the gate "running" while its partition never moves);</li>
 *   <li>no input partition of this instance has had records waiting without a commit for longer
 *       than the stall timeout ({@link ProgressWatch}).</li>
 * </ul>
 */
public final class GateHealth {

  private static final Logger LOG = LoggerFactory.getLogger(GateHealth.class);

  /** What {@code /health} answers. */
  public record Report(boolean healthy, KafkaStreams.State state, List<String> problems) {
    public String text() {
      StringBuilder out = new StringBuilder(healthy ? "UP " : "DOWN ").append(state).append('\n');
      problems.forEach(p -> out.append(p).append('\n'));
      return out.toString();
    }
  }

  private final KafkaStreams streams;
  private final Set<String> inputTopics;
  private final ProgressWatch progress;
  private final Clock clock;
  private final Deque<Instant> threadFailures = new ArrayDeque<>();
  private final Set<String> reportedStalls = new HashSet<>();
  private String lastThreadFailure;
  private volatile int stalledPartitions;

  /**
   * @param inputTopics the topics whose progress counts (the inputs and the re-routing topic)
   * @param stallTimeout how long records may wait without a commit; longer than the commit interval
   */
  GateHealth(KafkaStreams streams, Set<String> inputTopics, Duration stallTimeout, Clock clock) {
    this.streams = streams;
    this.inputTopics = inputTopics;
    this.progress = new ProgressWatch(stallTimeout);
    this.clock = clock;
  }

  synchronized void threadFailed(Throwable error) {
    threadFailures.addLast(clock.instant());
    lastThreadFailure = error.getClass().getSimpleName() + ": " + error.getMessage();
    threadFailures().increment();
  }

  private static Counter threadFailures() {
    return Counter.builder("consent.gate.stream.thread.failures").description("Stream threads that failed and were replaced")
        .register(Metrics.globalRegistry);
  }

  /** Counts thread failures and stalled partitions where Prometheus scrapes them. */
  void bindTo(MeterRegistry registry) {
    threadFailures(); // at 0 until the first failure, so that it is scraped from the start
    Gauge.builder("consent.gate.stalled.partitions", () -> stalledPartitions)
        .description("Input partitions of this instance with records waiting and no commit within the stall timeout")
        .register(registry);
    Gauge.builder("consent.gate.healthy", () -> check().healthy() ? 1 : 0)
        .description("1 while /health answers 200").register(registry);
  }

  public synchronized Report check() {
    Instant now = clock.instant();
    KafkaStreams.State state = streams.state();
    List<String> problems = new ArrayList<>();
    if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
      problems.add("Kafka Streams is " + state);
    }
    Duration window = progress.stallTimeout();
    while (!threadFailures.isEmpty() && threadFailures.peekFirst().isBefore(now.minus(window))) {
      threadFailures.removeFirst();
    }
    if (!threadFailures.isEmpty()) {
      problems.add("stream threads failed " + threadFailures.size() + " time(s) in the last " + window.toSeconds()
          + " s; last: " + lastThreadFailure);
    }
    List<ProgressWatch.Stall> stalls = progress.observe(inputOffsets(), now);
    stalledPartitions = stalls.size();
    Set<String> stalled = new HashSet<>();
    for (ProgressWatch.Stall stall : stalls) {
      stalled.add(stall.partition());
      String problem = stall.partition() + ": no progress for " + stall.length(now).toSeconds() + " s with input waiting"
          + " (next offset to commit " + stall.offsets().committed() + ", fetched up to " + stall.offsets().fetched() + ")";
      problems.add(problem);
      if (reportedStalls.add(stall.partition())) {
        LOG.warn("the gate is stuck: {}", problem);
      }
    }
    reportedStalls.retainAll(stalled);
    return new Report(problems.isEmpty(), state, problems);
  }

  private Map<String, ProgressWatch.Offsets> inputOffsets() {
    Map<String, ProgressWatch.Offsets> offsets = new HashMap<>();
    try {
      for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
        for (TaskMetadata task : thread.activeTasks()) {
          for (TopicPartition p : task.topicPartitions()) {
            if (inputTopics.contains(p.topic())) {
              offsets.put(p.toString(), new ProgressWatch.Offsets(task.committedOffsets().getOrDefault(p, -1L),
                  task.endOffsets().getOrDefault(p, -1L)));
            }
          }
        }
      }
    } catch (RuntimeException e) {
      // Not started yet, or already closed: there is no task to judge.
    }
    return offsets;
  }
}
