package io.consentgate.replay;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.history.HistoryJson;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.TopologySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Replays a JSON-lines history, in file order, through the gate's decisions and writes every
 * verdict it publishes as a JSON line. Time follows the records: the replay's one clock is the
 * latest event time accepted so far (stream time), and {@code until} at the end; the engine's
 * lapse checks follow that clock. A record the gate refuses does not move it.
 *
 * <p>The {@code direct} engine, the default and the only one in the production artifact, runs the
 * gate's own contract checks, ledger and lapse schedule over in-memory maps. The dev stack adds
 * {@code topology}, the production Kafka Streams topology in a TopologyTestDriver: about three
 * times slower, there to show that the direct engine decides exactly as the topology does.
 */
public final class OfflineReplay {

  public static final String DIRECT = "direct";

  /** What a replay saw. */
  public record Result(long lines, long records, long malformedLines, long deadLettered, long verdicts) {
    public boolean clean() {
      return malformedLines == 0 && deadLettered == 0;
    }
  }

  /** An engine name this build does not have. */
  public static final class UnknownEngine extends Exception {
    UnknownEngine(String message) {
      super(message);
    }
  }

  private final TopologySettings settings;
  private final String engine;

  public OfflineReplay(TopologySettings settings) {
    this(settings, DIRECT);
  }

  public OfflineReplay(TopologySettings settings, String engine) {
    this.settings = settings;
    this.engine = engine;
  }

  /** The engines this build has: direct, and those on the classpath (the dev stack's topology engine). */
  public static List<String> engines() {
    List<String> names = new ArrayList<>(List.of(DIRECT));
    ServiceLoader.load(ReplayEngine.Provider.class).forEach(p -> names.add(p.name()));
    return names;
  }

  /** @throws UnknownEngine before reading anything, when this build has no engine of that name */
  public Result run(BufferedReader history, Instant until, PrintWriter verdictsOut, PrintWriter errors) throws Exception {
    Run run = new Run(settings.topics(), verdictsOut, errors);
    try (ReplayEngine gate = open(run)) {
      return run.replay(gate, history, until);
    }
  }

  private ReplayEngine open(ReplayEngine.Sink sink) throws Exception {
    if (engine.equals(DIRECT)) {
      return new DirectReplayEngine(settings, sink);
    }
    for (ReplayEngine.Provider provider : ServiceLoader.load(ReplayEngine.Provider.class)) {
      if (provider.name().equals(engine)) {
        return provider.open(settings, sink);
      }
    }
    throw new UnknownEngine("this build has no replay engine '" + engine + "' (it has " + engines() + ")"
        + (engine.equals("topology") ? "; the topology engine runs Kafka's TopologyTestDriver, a test tool that only "
            + "the dev stack's jar (consent-gate-dev.jar) carries" : ""));
  }

  /** One replay: reading, the clock and the counts, whatever the engine. */
  private static final class Run implements ReplayEngine.Sink {
    private final GateTopics topics;
    private final PrintWriter out;
    private final PrintWriter errors;
    private Instant clock = Instant.EPOCH;
    private long lines;
    private long records;
    private long malformed;
    private long verdictCount;
    private long deadLettered;

    Run(GateTopics topics, PrintWriter out, PrintWriter errors) {
      this.topics = topics;
      this.out = out;
      this.errors = errors;
    }

    Result replay(ReplayEngine gate, BufferedReader history, Instant until) throws IOException {
      try (ParsedHistory parsed = new ParsedHistory(history, topics)) {
        while (parsed.hasNext()) {
          ParsedHistory.Line line = parsed.next();
          lines = line.number();
          if (line instanceof ParsedHistory.Malformed m) {
            malformed++;
            errors.println("line " + lines + ": " + m.reason() + " (skipped)");
          } else if (line instanceof ParsedHistory.Accepted a) {
            records++;
            advanceClockTo(gate, a.event().eventTime());
            gate.accept(a.record(), a.event(), null);
          } else if (line instanceof ParsedHistory.Refused r) {
            records++; // a refused record does not move the clock
            gate.accept(r.record(), null, r.reason());
          }
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      if (until != null) {
        advanceClockTo(gate, until);
      }
      out.flush();
      errors.flush();
      return new Result(lines, records, malformed, deadLettered, verdictCount);
    }

    /** The lapse clock follows stream time: the latest event time read so far. */
    private void advanceClockTo(ReplayEngine gate, Instant time) {
      if (time.isAfter(clock)) {
        gate.advanceClock(clock, time);
        clock = time;
      }
    }

    @Override
    public void verdict(ConsentVerdict verdict) {
      out.println(HistoryJson.write(verdict));
      verdictCount++;
    }

    @Override
    public void refused(String reason) {
      deadLettered++;
      errors.println("line " + lines + ": rejected by the gate: " + reason + " (skipped)");
    }
  }
}
