package io.consentgate.replay;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.history.HistoryJson;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Evidence;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.InMemorySchemaRegistry;
import io.consentgate.serde.SchemaRegistry;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topology.ConsentGateTopology;
import io.consentgate.topology.InMemoryGate;
import io.consentgate.topology.TopologySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Replays a JSON-lines history, in file order, through the gate's decisions and writes every
 * verdict it publishes as a JSON line. Time follows the records: the gate's lapse clock is moved to
 * the latest event time accepted so far (stream time), and to {@code until} at the end. A record
 * the gate refuses does not move the clock.
 *
 * <p>Two engines give the same output. {@link Engine#DIRECT}, the default, runs the gate's own
 * contract checks, ledger and lapse schedule over in-memory maps. {@link Engine#TOPOLOGY} runs the
 * production Kafka Streams topology in a {@code TopologyTestDriver}: about three times slower, kept to show
 * (in the tests) that the fast path decides exactly as the topology does.
 */
public final class OfflineReplay {

  /** How the records are run through the gate. */
  public enum Engine { DIRECT, TOPOLOGY }

  /** What a replay saw. */
  public record Result(long lines, long records, long malformedLines, long deadLettered, long verdicts) {
    public boolean clean() {
      return malformedLines == 0 && deadLettered == 0;
    }
  }

  private final TopologySettings settings;
  private final Engine engine;

  public OfflineReplay(TopologySettings settings) {
    this(settings, Engine.DIRECT);
  }

  public OfflineReplay(TopologySettings settings, Engine engine) {
    this.settings = settings;
    this.engine = engine;
  }

  public Result run(BufferedReader history, Instant until, PrintWriter verdictsOut, PrintWriter errors) throws IOException {
    if (engine == Engine.DIRECT) {
      Run run = new Run(verdictsOut, errors);
      run.gate = new DirectGate(new InMemoryGate(settings, run::verdict), run);
      return run.replay(history, until);
    }
    SchemaRegistry registry = new InMemorySchemaRegistry();
    Path stateDir = Files.createTempDirectory("consent-gate-replay");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "consent-gate-replay");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay.invalid:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.putAll(ConsentGateTopology.streamsProperties(settings));
    try (TopologyTestDriver driver = new TopologyTestDriver(ConsentGateTopology.build(settings, ValueSerdes.using(registry)), props, Instant.EPOCH)) {
      Run run = new Run(verdictsOut, errors);
      run.gate = new DriverGate(driver, registry, run);
      return run.replay(history, until);
    } finally {
      deleteRecursively(stateDir);
    }
  }

  /** The gate as one engine runs it. */
  private interface Gate {
    /** Hands the gate one record; its verdicts and refusals are reported to the run. */
    void accept(ParsedHistory.Line line);

    void advanceClockTo(Instant time);
  }

  /** One replay: reading, the clock and the counts, whatever the engine. */
  private static final class Run {
    private final PrintWriter out;
    private final PrintWriter errors;
    private Gate gate;
    private Instant clock = Instant.EPOCH;
    private long lines;
    private long records;
    private long malformed;
    private long verdictCount;
    private long deadLettered;

    Run(PrintWriter out, PrintWriter errors) {
      this.out = out;
      this.errors = errors;
    }

    Result replay(BufferedReader history, Instant until) throws IOException {
      try (ParsedHistory parsed = new ParsedHistory(history)) {
        while (parsed.hasNext()) {
          pipe(parsed.next());
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      if (until != null) {
        advanceClockTo(until);
      }
      out.flush();
      errors.flush();
      return new Result(lines, records, malformed, deadLettered, verdictCount);
    }

    private void pipe(ParsedHistory.Line line) {
      lines = line.number();
      if (line.blank()) {
        return;
      }
      if (line.malformed() != null) {
        malformed++;
        errors.println("line " + lines + ": " + line.malformed() + " (skipped)");
        return;
      }
      records++;
      if (line.event() != null) { // a refused record does not move the clock
        advanceClockTo(line.event() instanceof Contact c ? c.createdAt() : ((Evidence) line.event()).occurredAt());
      }
      gate.accept(line);
    }

    /** The lapse clock follows stream time: the latest event time read so far. */
    private void advanceClockTo(Instant eventTime) {
      if (eventTime.isAfter(clock)) {
        gate.advanceClockTo(eventTime);
        clock = eventTime;
      }
    }

    void verdict(ConsentVerdict verdict) {
      out.println(HistoryJson.write(verdict));
      verdictCount++;
    }

    void refused(String reason) {
      deadLettered++;
      errors.println("line " + lines + ": rejected by the gate: " + reason + " (skipped)");
    }
  }

  /** The gate's decisions over in-memory maps. */
  private static final class DirectGate implements Gate {
    private final InMemoryGate gate;
    private final Run run;

    DirectGate(InMemoryGate gate, Run run) {
      this.gate = gate;
      this.run = run;
    }

    @Override
    public void accept(ParsedHistory.Line line) {
      if (line.event() == null) {
        run.refused(line.refused());
      } else {
        gate.apply(line.event());
      }
    }

    @Override
    public void advanceClockTo(Instant time) {
      gate.advanceClockTo(time);
    }
  }

  /** The production topology in a TopologyTestDriver, its wall clock moved by the replay. */
  private final class DriverGate implements Gate {
    private final TopologyTestDriver driver;
    private final Run run;
    private final TestInputTopic<String, ContactCreated> contacts;
    private final TestInputTopic<String, ConsentEvidence> evidence;
    private final TestOutputTopic<String, ConsentVerdict> verdicts;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private boolean deadLetterTopicSeen;
    private Instant wallClock = Instant.EPOCH; // where the driver was started

    DriverGate(TopologyTestDriver driver, SchemaRegistry registry, Run run) {
      this.driver = driver;
      this.run = run;
      StringSerializer keys = new StringSerializer();
      contacts = driver.createInputTopic(settings.topics().contactCreated(), keys,
          new ConfluentAvroSerde<>(registry, ContactCreated.class).serializer());
      evidence = driver.createInputTopic(settings.topics().consentEvidence(), keys,
          new ConfluentAvroSerde<>(registry, ConsentEvidence.class).serializer());
      verdicts = driver.createOutputTopic(settings.topics().verdicts(), new StringDeserializer(),
          new ConfluentAvroSerde<>(registry, ConsentVerdict.class).deserializer());
      deadLetters = driver.createOutputTopic(settings.topics().deadLetters(), new ByteArrayDeserializer(),
          new ByteArrayDeserializer());
    }

    @Override
    public void accept(ParsedHistory.Line line) {
      SpecificRecord record = line.record();
      if (record instanceof ContactCreated c) {
        contacts.pipeInput(c.getContactId(), c);
      } else if (record instanceof ConsentEvidence e) {
        evidence.pipeInput(e.getContactId(), e);
      }
      drain();
    }

    @Override
    public void advanceClockTo(Instant time) {
      driver.advanceWallClockTime(Duration.between(wallClock, time));
      wallClock = time;
      drain();
    }

    private void drain() {
      while (!verdicts.isEmpty()) {
        run.verdict(verdicts.readValue());
      }
      // Reading a topic nothing was sent to makes the driver log a warning on every call.
      if (!deadLetterTopicSeen && !driver.producedTopicNames().contains(settings.topics().deadLetters())) {
        return;
      }
      deadLetterTopicSeen = true;
      while (!deadLetters.isEmpty()) {
        run.refused(header(deadLetters.readRecord(), ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME));
      }
    }
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null || h.value() == null ? "(no reason given)" : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
