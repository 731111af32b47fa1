package io.consentgate.replay;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.history.HistoryJson;
import io.consentgate.topology.TopologySettings;
import io.consentgate.contract.VerdictMapping;
import io.consentgate.policy.ConsentPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Replays a history, in the order it is read, through the gate's decisions and writes every
 * verdict it publishes. Time follows the records: the replay's one clock is the latest event time
 * accepted so far (stream time), and {@code until} at the end; the engine's lapse checks follow
 * that clock. A record the gate refuses does not move it.
 *
 * <p>With an {@code asOf} instead, the replay is a cut-off: records with an event time after it
 * are not applied, and each contact's verdict as of that instant is written once, in contact id
 * order (a snapshot: {@code decidedAt} is the instant, {@code version} 1). Since the state is a
 * join of the records, the snapshot is the same whatever order they were read in.
 *
 * <p>The {@code direct} engine, the default and the only one in the production artifact, runs the
 * gate's own contract checks, ledger and lapse schedule over in-memory maps, the states kept
 * encoded ({@link EncodedConsents}). The dev stack adds {@code topology}, the production Kafka
 * Streams topology in a TopologyTestDriver: about five times slower, there to show that the
 * direct engine decides exactly as the topology does.
 */
public final class OfflineReplay {

  public static final String DIRECT = "direct";

  /**
   * What a replay saw.
   *
   * @param lines the lines of a file (the last line number), or the records read from the topics
   * @param afterAsOf accepted records not applied because they happened after the {@code asOf} instant
   */
  public record Result(long lines, long records, long malformedLines, long deadLettered, long verdicts, long afterAsOf) {
    public boolean clean() {
      return malformedLines == 0 && deadLettered == 0;
    }
  }

  /**
   * Where the replay ends in time: {@code until} moves the clock forward after the last record (it
   * must not be earlier than any record's event time); {@code asOf} cuts the history there and
   * decides every contact as of it. At most one of the two; neither: the clock stops at the latest
   * event time.
   */
  public record Cut(Instant until, Instant asOf) {
    public static final Cut NONE = new Cut(null, null);

    public Cut {
      if (until != null && asOf != null) {
        throw new IllegalArgumentException("until and asOf exclude each other");
      }
    }

    public static Cut until(Instant until) {
      return new Cut(until, null);
    }

    public static Cut asOf(Instant asOf) {
      return new Cut(null, asOf);
    }
  }

  /** Where the verdicts go (a JSON-lines, CSV or Avro writer). */
  public interface Verdicts {
    void write(ConsentVerdict verdict) throws IOException;
  }

  /** An engine name this build does not have. */
  public static final class UnknownEngine extends Exception {
    UnknownEngine(String message) {
      super(message);
    }
  }

  /** {@code until} is earlier than a record's event time: the clock cannot move back. */
  public static final class UntilTooEarly extends Exception {
    UntilTooEarly(String message) {
      super(message);
    }
  }

  private final TopologySettings settings;
  private final String engine;
  private final int threads;

  public OfflineReplay(TopologySettings settings) {
    this(settings, DIRECT);
  }

  public OfflineReplay(TopologySettings settings, String engine) {
    this(settings, engine, defaultThreads());
  }

  /**
   * @param threads how many threads the direct engine decides on, contacts split among them by id
   *     (1: the single-threaded engine); the output is the same for any number
   */
  public OfflineReplay(TopologySettings settings, String engine, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    // The audit trail is the live gate's record of what it said; a replay has nothing to keep it for.
    this.settings = settings.withTopics(settings.topics().withVerdictsAudit(null));
    this.engine = engine;
    this.threads = threads;
  }

  /**
   * One deciding thread per core but one, at least one and at most 4. Since contacts that share an
   * address must meet in one shard, the reading thread also routes every contact record by its
   * address (a hash of it), and on two cores a second deciding thread no longer pays: 1M records
   * took 8.0 to 9.1 s on two threads against 7.1 to 7.4 s on one (alternating, -Xmx512m).
   */
  public static int defaultThreads() {
    // At most 4: every shard reads every record of a batch and runs every lapse check, so beyond
    // a few the shards cost more than they save; more can still be asked for.
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() - 1));
  }

  /** The engines this build has: direct, and those on the classpath (the dev stack's topology engine). */
  public static List<String> engines() {
    List<String> names = new ArrayList<>(List.of(DIRECT));
    ServiceLoader.load(ReplayEngine.Provider.class).forEach(p -> names.add(p.name()));
    return names;
  }

  /** A JSON-lines history file in, verdicts as JSON lines out. */
  public Result run(BufferedReader history, Instant until, PrintWriter verdictsOut, PrintWriter errors) throws Exception {
    try (ParsedHistory lines = new ParsedHistory(history, settings.topics())) {
      Result result = run(lines, until == null ? Cut.NONE : Cut.until(until), v -> verdictsOut.println(HistoryJson.write(v)),
          errors);
      verdictsOut.flush();
      return result;
    }
  }

  /**
   * @throws UnknownEngine before reading anything, when this build has no engine of that name
   * @throws UntilTooEarly at the first record whose event time is after {@code cut.until()}
   */
  public Result run(HistoryLines history, Cut cut, Verdicts verdictsOut, PrintWriter errors) throws Exception {
    Run run = new Run(verdictsOut, errors);
    if (cut.asOf() != null) {
      return run.snapshot(history, cut.asOf(), new ConsentPolicy(settings.policy()));
    }
    try (ReplayEngine gate = open(run)) {
      return run.replay(gate, history, cut.until());
    }
  }

  private ReplayEngine open(ReplayEngine.Sink sink) throws Exception {
    if (engine.equals(DIRECT)) {
      return threads > 1 ? new ShardedReplayEngine(settings, sink, threads) : new DirectReplayEngine(settings, sink);
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
    private final Verdicts out;
    private final PrintWriter errors;
    private Instant clock = Instant.EPOCH;
    private long lines;
    /** The line being replayed: a refusal the engine reports is this line's. */
    private HistoryLine current;
    private long records;
    private long malformed;
    private long verdictCount;
    private long deadLettered;
    private long afterAsOf;

    Run(Verdicts out, PrintWriter errors) {
      this.out = out;
      this.errors = errors;
    }

    Result replay(ReplayEngine gate, HistoryLines history, Instant until) throws IOException, UntilTooEarly {
      try {
        while (history.hasNext()) {
          HistoryLine line = history.next();
          lines = line.number();
          current = line;
          if (line instanceof HistoryLine.Malformed m) {
            malformed(m);
          } else if (line instanceof HistoryLine.Accepted a) {
            records++;
            Instant time = a.event().eventTime();
            if (until != null && time.isAfter(until)) {
              gate.flush(); // what came before it is written, as a single-threaded engine would have
              throw new UntilTooEarly(a.where() + ": its event time " + time + " is after --until " + until
                  + ". --until only moves the clock forward after the last record; to see the verdicts as of an earlier "
                  + "moment, cut the history there with --as-of " + until);
            }
            advanceClockTo(gate, time);
            gate.accept(a.record(), a.event(), null);
          } else if (line instanceof HistoryLine.Refused r) {
            records++; // a refused record does not move the clock
            gate.accept(r.record(), null, r.reason());
          }
        }
      } catch (Failed e) {
        throw e.getCause();
      } catch (UncheckedIOException e) {
        flushAfter(gate, e);
        throw e.getCause();
      } catch (RuntimeException e) {
        flushAfter(gate, e);
        throw e;
      }
      try {
        if (until != null) {
          advanceClockTo(gate, until);
        }
        gate.flush();
      } catch (Failed e) {
        throw e.getCause();
      }
      errors.flush();
      return new Result(lines, records, malformed, deadLettered, verdictCount, 0);
    }

    /**
     * A replay that stops on a failure writes what came before it, whatever the engine: an engine
     * that holds verdicts back to order them hands them over first.
     */
    private static void flushAfter(ReplayEngine gate, RuntimeException failure) {
      try {
        gate.flush();
      } catch (RuntimeException again) {
        failure.addSuppressed(again);
      }
    }

    /** Each contact as of {@code asOf}, from the records up to it; nothing is published along the way. */
    Result snapshot(HistoryLines history, Instant asOf, ConsentPolicy policy) throws IOException {
      ContactStates states = new ContactStates();
      try {
        while (history.hasNext()) {
          HistoryLine line = history.next();
          lines = line.number();
          current = line;
          if (line instanceof HistoryLine.Malformed m) {
            malformed(m);
          } else if (line instanceof HistoryLine.Accepted a) {
            records++;
            if (a.event().eventTime().isAfter(asOf)) {
              afterAsOf++;
            } else {
              states.apply(a.event());
            }
          } else if (line instanceof HistoryLine.Refused r) {
            records++;
            refused(r.reason());
          }
        }
        for (String contactId : states.decidable()) {
          out.write(VerdictMapping.toRecord(states.decide(policy, contactId, asOf), 1));
          verdictCount++;
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      errors.flush();
      return new Result(lines, records, malformed, deadLettered, verdictCount, afterAsOf);
    }

    private void malformed(HistoryLine.Malformed m) {
      malformed++;
      errors.println(m.where() + ": " + m.reason() + " (skipped)");
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
      try {
        out.write(verdict);
      } catch (IOException e) {
        throw new Failed(e);
      }
      verdictCount++;
    }

    @Override
    public void refused(String reason) {
      deadLettered++;
      errors.println(current.where() + ": rejected by the gate: " + reason + " (skipped)");
    }
  }

  /** A verdict that could not be written, carried out of the engine's callback. */
  private static final class Failed extends RuntimeException {
    Failed(IOException cause) {
      super(cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }
}
