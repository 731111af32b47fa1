package io.consentgate.dev.replay;

import io.consentgate.policy.ConsentEvent;
import io.consentgate.replay.ReplayEngine;
import io.consentgate.topology.DeadLetterHeaders;
import io.consentgate.topology.GateTestDriver;
import io.consentgate.topology.TopologySettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;

/**
 * {@code replay --engine topology}: the production topology in Kafka's TopologyTestDriver, through
 * the same harness as the topology's tests. About five times slower than the direct engine; it is
 * there to show that the direct engine decides exactly as the topology does.
 */
public final class TopologyReplayEngine implements ReplayEngine {

  /** Registered in META-INF/services, so replay finds it in the dev stack's jar. */
  public static final class Provider implements ReplayEngine.Provider {
    @Override
    public String name() {
      return "topology";
    }

    @Override
    public ReplayEngine open(TopologySettings settings, Sink sink) {
      return new TopologyReplayEngine(settings, sink);
    }
  }

  private final GateTestDriver gate;
  private final Sink sink;

  TopologyReplayEngine(TopologySettings settings, Sink sink) {
    this.gate = new GateTestDriver(settings, Map.of(), Instant.EPOCH); // where the replay's clock starts
    this.sink = sink;
  }

  @Override
  public void accept(SpecificRecord record, ConsentEvent event, String refusal) {
    gate.send(record); // to its input topic; the topology checks it again itself
    drain();
  }

  @Override
  public void advanceClock(Instant from, Instant to) {
    gate.advanceClock(Duration.between(from, to));
    drain();
  }

  private void drain() {
    gate.readVerdicts().forEach(sink::verdict);
    for (TestRecord<byte[], byte[]> deadLetter : gate.readDeadLetters()) {
      Header reason = deadLetter.headers().lastHeader(DeadLetterHeaders.MESSAGE);
      sink.refused(reason == null || reason.value() == null ? "(no reason given)"
          : new String(reason.value(), StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    gate.close();
  }
}
