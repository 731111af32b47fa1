package io.consentgate.app;

import io.consentgate.replay.OfflineReplay;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Runs the gate offline over a JSON-lines history (docs/events.md) and prints every verdict it emits "
        + "as a JSON line on stdout. Messages go to stderr."})
final class ReplayCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  /**
   * The layers every command reads, and no address flags: replay reads no cluster. The file, the
   * environment and --set may still name one (a gate's configuration file does); it goes unused.
   */
  @Mixin
  ConfigOptions options;

  @Option(names = "--input", required = true, paramLabel = "FILE",
      description = "JSON-lines history (docs/events.md), replayed in file order; - reads standard input.")
  Path input;

  @Option(names = "--until", paramLabel = "INSTANT", converter = InstantArgument.class,
      description = "After the last record, advance time to this instant (2027-01-01T00:00:00Z, or a date: its start "
          + "in UTC) so lapses fire.")
  Instant until;

  @Option(names = "--profile", paramLabel = "NAME", description = "Default profile for all brands: optin or strict.")
  String profile;

  @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "direct",
      description = "direct (default): the gate's decision code over in-memory maps; topology (in the dev stack's "
          + "jar only): the production Kafka Streams topology in TopologyTestDriver, about three times slower. Both "
          + "give the same output.")
  String engine;

  @Override
  public Integer call() throws Exception {
    // The same layers as every command (file, CONSENT_GATE_* variables, --set); --profile last.
    GateConfig gateConfig = options.load(profile == null ? Map.of() : Map.of(GateConfig.DEFAULT_PROFILE, profile));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    OfflineReplay.Result result;
    try (BufferedReader history = InputFiles.open(input)) {
      result = new OfflineReplay(gateConfig.topologySettings(false), engine).run(history, until, out, err);
    } catch (OfflineReplay.UnknownEngine e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--engine: " + e.getMessage());
    }
    err.printf("replayed %d records from %d lines: %d verdicts, %d malformed lines, %d rejected records%n",
        result.records(), result.lines(), result.verdicts(), result.malformedLines(), result.deadLettered());
    return result.clean() ? 0 : ConsentGateCli.EXIT_BAD_INPUT;
  }
}
