package io.consentgate.app;

import io.consentgate.output.OutputFormat;
import io.consentgate.output.RowWriter;
import io.consentgate.output.Table;
import io.consentgate.replay.HistoryLines;
import io.consentgate.replay.ParsedHistory;
import io.consentgate.topics.GateTopics;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.common.record.TimestampType;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where the data-team commands ({@code replay}, {@code explain}, {@code whatif}) read a history:
 * a JSON-lines file, or the input topics themselves ({@code --from-kafka}, read as {@code export}
 * reads them); and how they write rows ({@code --format}, {@code --out}).
 */
final class HistoryInput {

  /** Exactly one of the two, as a picocli argument group. */
  static final class Source {
    @Option(names = "--input", required = true, paramLabel = "FILE",
        description = "JSON-lines history (docs/events.md), read in file order; - reads standard input.")
    Path input;

    @Option(names = "--from-kafka", required = true,
        description = "Read the history from the input topics instead (read_committed, up to their end offsets at start, "
            + "merged by append time, as export writes it); needs the cluster options.")
    boolean fromKafka;
  }

  /** {@code --format}: json, csv or avro. */
  static final class FormatArgument implements CommandLine.ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      try {
        return OutputFormat.of(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** A history opened for reading, with what to call it in messages. */
  record Opened(HistoryLines lines, String description, KafkaHistory kafka, Progress progress) implements AutoCloseable {
    @Override
    public void close() {
      lines.close();
    }

    /** What the records' append times are, for the summary; null when there is nothing to say. */
    String appendTimeNote() {
      if (kafka == null) {
        return null;
      }
      Set<TimestampType> types = kafka.timestampTypes();
      if (types.equals(EnumSet.of(TimestampType.LOG_APPEND_TIME))) {
        return "append times are the broker's (LogAppendTime)";
      }
      if (types.contains(TimestampType.CREATE_TIME)) {
        return "note: the input topics use CreateTime, so appendedAt is the time each producer gave its record, not the "
            + "broker's (docs/data-teams.md, Event time and append time)";
      }
      return null;
    }
  }

  private HistoryInput() {}

  /**
   * @param what the name of the progress report ({@code replay}, {@code whatif} …)
   * @param onlyContact with {@code --from-kafka}, read only this contact's records (null: all)
   */
  static Opened open(Source source, GateConfig config, String what, boolean progressRequested, PrintWriter err,
                     String onlyContact) throws Exception {
    if (source.fromKafka) {
      GateRuntime runtime = new GateRuntime(config);
      runtime.requireRegistry();
      KafkaHistory[] opened = new KafkaHistory[1];
      Progress progress = Progress.of(err, progressRequested, what,
          done -> opened[0] == null ? -1 : Math.max(0, opened[0].total() - opened[0].read()));
      opened[0] = KafkaHistory.open(runtime, onlyContact, progress::tick);
      GateTopics t = config.topics();
      return new Opened(opened[0], "topics " + t.contactCreated() + " and " + t.consentEvidence() + " on "
          + config.kafka().bootstrapServers(), opened[0], progress);
    }
    InputFiles.Counted file = InputFiles.openCounted(source.input);
    Progress progress = Progress.of(err, progressRequested, what, Progress.ofFile(file));
    HistoryLines lines = progress.counting(new ParsedHistory(file.reader(), config.topics()));
    return new Opened(lines, source.input.toString().equals("-") ? "standard input" : source.input.toString(), null,
        progress);
  }

  /**
   * Rows to {@code out}, or to standard output when it is null (not for Avro, which is binary).
   * Closing the writer closes the file.
   */
  static <T> RowWriter<T> output(CommandLine cli, OutputFormat format, Table<T> table, Path out) throws IOException {
    if (out == null) {
      if (format.binary()) {
        throw new CommandLine.ParameterException(cli, "--format " + format.label() + " is binary: give the file to write with --out FILE");
      }
      return RowWriter.text(format, table, cli.getOut());
    }
    if (Files.isDirectory(out)) {
      throw new CommandLine.ParameterException(cli, out + " is a directory, not a file to write");
    }
    OutputStream stream;
    try {
      stream = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
    } catch (IOException e) {
      throw new CommandLine.ParameterException(cli, "cannot write " + out + ": " + e.getMessage());
    }
    if (format.binary()) {
      return RowWriter.avro(table, stream);
    }
    Writer writer = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
    RowWriter<T> rows = RowWriter.text(format, table, writer);
    return new RowWriter<>() {
      @Override
      public void write(T row) throws IOException {
        rows.write(row);
      }

      @Override
      public void close() throws IOException {
        rows.close();
        writer.close();
      }
    };
  }

  /** Reading the topics stopped part-way: exit 4, naming why. */
  static Unavailable unavailable(KafkaHistory.Stopped e) {
    return new Unavailable(e.getMessage(), e.getCause());
  }
}
