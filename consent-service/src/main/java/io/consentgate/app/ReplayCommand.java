package io.consentgate.app;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.output.OutputFormat;
import io.consentgate.output.RowWriter;
import io.consentgate.output.Tables;
import io.consentgate.replay.OfflineReplay;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Runs the gate offline over a history (a JSON-lines file, docs/events.md, or the input topics with "
        + "--from-kafka) and writes every verdict it publishes, as JSON lines on stdout unless --format and --out say "
        + "otherwise. Messages go to stderr.",
        "",
        "What a replay guarantees (docs/data-teams.md): for the records the live gate read, replayed --until the "
            + "moment of the live gate's last lapse check, each contact's last verdict has the same decision, status and "
            + "validUntil as the live gate's latest; and --as-of T gives each contact's verdict as of T from the records "
            + "with an event time at or before T, whatever order they arrived in. Not the same intermediate verdicts, "
            + "versions or decidedAt: those depend on the order records arrived in and on the live gate's wall clock."})
final class ReplayCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  HistoryCommandOptions options;

  @Option(names = "--until", paramLabel = "INSTANT", converter = InstantArgument.class,
      description = "After the last record, advance time to this instant (2027-01-01T00:00:00Z, or a date: its start "
          + "in UTC) so that lapses fire. It must not be earlier than any record's event time (exit 2 if it is): to see "
          + "the verdicts as of an earlier moment, use --as-of.")
  Instant until;

  @Option(names = "--as-of", paramLabel = "INSTANT", converter = InstantArgument.class,
      description = "A cut-off: records with an event time after this instant are not applied, and each contact's "
          + "verdict as of it is written once, in contact id order (decidedAt the instant, version 1).")
  Instant asOf;

  @Option(names = "--profile", paramLabel = "NAME", description = "Default profile for all brands: optin or strict.")
  String profile;

  @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "direct",
      description = "direct (default): the gate's decision code over in-memory maps; topology (in the dev stack's "
          + "jar only): the production Kafka Streams topology in TopologyTestDriver, about five times slower. Both "
          + "give the same output.")
  String engine;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json", converter = HistoryInput.FormatArgument.class,
      description = "json (default: JSON lines), csv (flat columns, a header row) or avro (an Avro object container "
          + "file; needs --out).")
  OutputFormat format;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the verdicts to this file instead of stdout.")
  Path out;

  @Option(names = "--threads", paramLabel = "N",
      description = "Threads the direct engine decides on, contacts split among them by address (default: one per "
          + "core but one, at most 4, here ${DEFAULT-VALUE}). The output is the same for any number.")
  int threads = OfflineReplay.defaultThreads();

  @Override
  public Integer call() throws Exception {
    var cli = spec.commandLine();
    if (until != null && asOf != null) {
      throw new ParameterException(cli, "--until and --as-of exclude each other: --until moves the clock forward after the "
          + "last record, --as-of cuts the history at an instant");
    }
    if (threads < 1) {
      throw new ParameterException(cli, "--threads must be at least 1, got " + threads);
    }
    if (asOf != null && !engine.equals(OfflineReplay.DIRECT)) {
      throw new ParameterException(cli, "--as-of decides each contact from its state, without an engine: leave out --engine");
    }
    options.requireNoClusterForAFile(cli, "; a file replay reads no cluster");
    GateConfig gateConfig = options.load(profile == null ? Map.of() : Map.of(GateConfig.DEFAULT_PROFILE, profile));
    PrintWriter err = cli.getErr();
    OfflineReplay.Result result;
    String description;
    String appendTimes;
    try (HistoryInput.Opened history = options.open(gateConfig, "replay", err);
         RowWriter<ConsentVerdict> verdicts = HistoryInput.output(cli, format, Tables.VERDICTS, out)) {
      description = history.description();
      result = new OfflineReplay(gateConfig.topologySettings(false), engine, threads)
          .run(history.lines(), asOf != null ? OfflineReplay.Cut.asOf(asOf) : until != null ? OfflineReplay.Cut.until(until)
              : OfflineReplay.Cut.NONE, verdicts::write, err);
      history.progress().finish();
      appendTimes = history.appendTimeNote();
    } catch (OfflineReplay.UnknownEngine e) {
      throw new ParameterException(cli, "--engine: " + e.getMessage());
    } catch (OfflineReplay.UntilTooEarly e) {
      throw new ParameterException(cli, "--until: " + e.getMessage());
    } catch (KafkaHistory.Stopped e) {
      throw HistoryInput.unavailable(e);
    }
    err.printf("replayed %d records from %s: %d verdicts, %d malformed lines, %d rejected records%s%n",
        result.records(), options.fromKafka() ? result.lines() + " records of the " + description : result.lines() + " lines",
        result.verdicts(), result.malformedLines(), result.deadLettered(),
        asOf == null ? "" : "; " + result.afterAsOf() + " records after --as-of " + asOf + " not applied");
    if (appendTimes != null && appendTimes.startsWith("note")) {
      err.println(appendTimes);
    }
    return result.clean() ? 0 : ConsentGateCli.EXIT_BAD_INPUT;
  }
}
