package io.consentgate.app;

import io.consentgate.events.ContactCreated;
import io.consentgate.history.HistoryRecord;
import io.consentgate.output.OutputFormat;
import io.consentgate.output.RowWriter;
import io.consentgate.output.Tables;
import io.consentgate.replay.HistoryLine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Writes the history the input topics hold, as JSON lines (docs/events.md) on stdout unless --format "
        + "and --out say otherwise: both topics read read_committed up to their end offsets at start, merged by append "
        + "time across partitions (never reordering a partition), each record with its Kafka timestamp as appendedAt. "
        + "Records the gate dead-letters for their bytes or key are reported on stderr and left out. Messages go to "
        + "stderr."})
final class ExportCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--until", paramLabel = "INSTANT", converter = InstantArgument.class,
      description = "Only the records appended at or before this instant (what the gate could have known then).")
  Instant until;

  @Option(names = "--out", paramLabel = "FILE", description = "Write to this file instead of stdout.")
  Path out;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json", converter = HistoryInput.FormatArgument.class,
      description = "json (default: the JSON-lines history, which replay reads), csv (flat columns, a header row) or "
          + "avro (an Avro object container file; needs --out).")
  OutputFormat format;

  @Option(names = "--progress", description = "Report progress on stderr even when it is not a terminal.")
  boolean progress;

  @Override
  public Integer call() throws Exception {
    var cli = spec.commandLine();
    GateConfig config = options.load(cluster.flags());
    PrintWriter err = cli.getErr();
    HistoryInput.Source topics = new HistoryInput.Source();
    topics.fromKafka = true;
    long contacts = 0;
    long evidence = 0;
    long later = 0;
    long malformed = 0;
    long read;
    String description;
    String appendTimes;
    long started = System.nanoTime();
    try (HistoryInput.Opened history = HistoryInput.open(topics, config, "export", progress, err, null);
         RowWriter<HistoryRecord> rows = HistoryInput.output(cli, format, Tables.HISTORY, out)) {
      description = history.description();
      while (history.lines().hasNext()) {
        HistoryLine line = history.lines().next();
        SpecificRecord record;
        Instant appendedAt;
        if (line instanceof HistoryLine.Accepted a) {
          record = a.record();
          appendedAt = a.appendedAt();
        } else if (line instanceof HistoryLine.Refused r) {
          record = r.record(); // well-formed: a file can hold it, and replay refuses it as the gate did
          appendedAt = r.appendedAt();
        } else {
          if (line instanceof HistoryLine.Malformed m) {
            malformed++;
            err.println(m.where() + ": " + m.reason() + " (left out)");
          }
          continue;
        }
        if (until != null && appendedAt != null && appendedAt.isAfter(until)) {
          later++;
          continue;
        }
        rows.write(new HistoryRecord(record, appendedAt));
        if (record instanceof ContactCreated) {
          contacts++;
        } else {
          evidence++;
        }
      }
      history.progress().finish();
      read = history.kafka().read();
      appendTimes = history.appendTimeNote();
    } catch (KafkaHistory.Stopped e) {
      throw HistoryInput.unavailable(e);
    }
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    err.printf(java.util.Locale.ROOT, "exported %d records (%d contacts, %d evidence) of %d read from the %s in %.1f s "
            + "(%,.0f records/s)%s; %d records the gate dead-letters left out%n",
        contacts + evidence, contacts, evidence, read, description, seconds, read / seconds,
        until == null ? "" : "; " + later + " appended after --until " + until + " left out", malformed);
    if (appendTimes != null) {
      err.println(appendTimes);
    }
    return malformed == 0 ? 0 : ConsentGateCli.EXIT_BAD_INPUT;
  }
}
