package io.consentgate.replay;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.history.HistoryJson;
import io.consentgate.history.MalformedRecordException;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.InMemorySchemaRegistry;
import io.consentgate.serde.SchemaRegistry;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topology.ConsentGateTopology;
import io.consentgate.topology.ErrorHandling;
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
 * Runs the production topology over a JSON-lines history, in file order, and writes every verdict
 * it emits as a JSON line. Time follows the records: the gate's lapse clock is moved to the latest
 * event time read so far (stream time), and to {@code until} at the end.
 */
public final class OfflineReplay {

  /** What a replay saw. */
  public record Result(long lines, long records, long malformedLines, long deadLettered, long verdicts) {
    public boolean clean() {
      return malformedLines == 0 && deadLettered == 0;
    }
  }

  private final TopologySettings settings;

  public OfflineReplay(TopologySettings settings) {
    this.settings = settings;
  }

  public Result run(BufferedReader history, Instant until, PrintWriter verdictsOut, PrintWriter errors) throws IOException {
    SchemaRegistry registry = new InMemorySchemaRegistry();
    Path stateDir = Files.createTempDirectory("consent-gate-replay");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "consent-gate-replay");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay.invalid:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.putAll(ErrorHandling.streamsProperties(settings.topics()));
    try (TopologyTestDriver driver = new TopologyTestDriver(ConsentGateTopology.build(settings, ValueSerdes.using(registry)), props, Instant.EPOCH)) {
      return new Run(driver, registry, verdictsOut, errors).replay(history, until);
    } finally {
      deleteRecursively(stateDir);
    }
  }

  /** One replay: the driver, its topics, the clock and the counts. */
  private final class Run {
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, ContactCreated> contacts;
    private final TestInputTopic<String, ConsentEvidence> evidence;
    private final TestOutputTopic<String, ConsentVerdict> verdicts;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private final PrintWriter out;
    private final PrintWriter errors;
    private Instant clock = Instant.EPOCH;
    private long lines;
    private long records;
    private long malformed;
    private long verdictCount;
    private long deadLettered;
    private boolean deadLetterTopicSeen;

    Run(TopologyTestDriver driver, SchemaRegistry registry, PrintWriter out, PrintWriter errors) {
      this.driver = driver;
      this.out = out;
      this.errors = errors;
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

    Result replay(BufferedReader history, Instant until) throws IOException {
      String line;
      while ((line = history.readLine()) != null) {
        lines++;
        if (!line.isBlank()) {
          pipe(line);
          drain();
        }
      }
      if (until != null) {
        advanceClockTo(until);
        drain();
      }
      out.flush();
      errors.flush();
      return new Result(lines, records, malformed, deadLettered, verdictCount);
    }

    private void pipe(String line) {
      SpecificRecord record;
      try {
        record = HistoryJson.read(line);
      } catch (MalformedRecordException e) {
        malformed++;
        errors.println("line " + lines + ": " + e.getMessage() + " (skipped)");
        return;
      }
      records++;
      if (record instanceof ContactCreated c) {
        advanceClockTo(c.getCreatedAt());
        contacts.pipeInput(c.getContactId(), c);
      } else if (record instanceof ConsentEvidence e) {
        advanceClockTo(e.getOccurredAt());
        evidence.pipeInput(e.getContactId(), e);
      }
    }

    /** The lapse clock follows stream time: the latest event time read so far. */
    private void advanceClockTo(Instant eventTime) {
      if (eventTime.isAfter(clock)) {
        driver.advanceWallClockTime(Duration.between(clock, eventTime));
        clock = eventTime;
      }
    }

    private void drain() {
      while (!verdicts.isEmpty()) {
        out.println(HistoryJson.write(verdicts.readValue()));
        verdictCount++;
      }
      // Reading a topic nothing was sent to makes the driver log a warning on every call.
      if (!deadLetterTopicSeen && !driver.producedTopicNames().contains(settings.topics().deadLetters())) {
        return;
      }
      deadLetterTopicSeen = true;
      while (!deadLetters.isEmpty()) {
        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        deadLettered++;
        errors.println("line " + lines + ": rejected by the gate: "
            + header(dead, ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME) + " (skipped)");
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
