package io.consentgate.app;

import io.consentgate.audit.WhatIf;
import io.consentgate.output.OutputFormat;
import io.consentgate.output.RowWriter;
import io.consentgate.replay.ContactStates;
import io.consentgate.replay.HistoryLine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "whatif", mixinStandardHelpOptions = true,
    description = {"Decides every contact of a history under two configurations, the baseline (--baseline-config, else "
        + "--config, else the defaults) and a candidate (--candidate-config), as of one instant (--as-of, else the "
        + "latest event time in the history), and prints per brand the matrix of final status (baseline by candidate) "
        + "and the contacts that flip between may-email and may-not, both ways. The environment and --set apply to both. "
        + "Deterministic: the same history and files give the same bytes."})
final class WhatIfCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  HistoryCommandOptions options;

  @Option(names = "--candidate-config", required = true, paramLabel = "FILE",
      description = "The configuration to try (a properties file, docs/configuration.md), e.g. policy.profile.acme=strict.")
  Path candidateFile;

  @Option(names = "--baseline-config", paramLabel = "FILE",
      description = "The configuration to compare with (default: --config, else the built-in defaults).")
  Path baselineFile;

  @Option(names = "--as-of", paramLabel = "INSTANT", converter = InstantArgument.class,
      description = "Decide every contact as of this instant, from the records with an event time at or before it "
          + "(default: the latest event time in the history).")
  Instant asOf;

  @Option(names = "--flips", paramLabel = "FILE", description = "Write one row per contact that flips to this file.")
  Path flips;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json", converter = HistoryInput.FormatArgument.class,
      description = "Of --flips: json (default: JSON lines), csv or avro.")
  OutputFormat format;

  @Option(names = "--list", paramLabel = "N", defaultValue = "20",
      description = "List at most N contact ids per brand and direction in the report (default: ${DEFAULT-VALUE}).")
  int list;

  @Override
  public Integer call() throws Exception {
    var cli = spec.commandLine();
    if (baselineFile != null && options.config.file() != null) {
      throw new ParameterException(cli, "--baseline-config and --config both name the baseline: give one");
    }
    options.requireNoClusterForAFile(cli, "");
    Map<String, String> flags = new HashMap<>(options.config.set());
    flags.putAll(options.cluster.flags());
    Path baselinePath = baselineFile != null ? baselineFile : options.config.file();
    GateConfig baseline = GateConfig.load(baselinePath, System.getenv(), flags);
    GateConfig candidate = GateConfig.load(candidateFile, System.getenv(), flags);
    PrintWriter err = cli.getErr();
    ContactStates states = new ContactStates();
    long malformed = 0;
    long refused = 0;
    long after = 0;
    try (HistoryInput.Opened history = options.open(baseline, "whatif", err)) {
      while (history.lines().hasNext()) {
        HistoryLine line = history.lines().next();
        if (line instanceof HistoryLine.Accepted a) {
          if (asOf != null && a.event().eventTime().isAfter(asOf)) {
            after++;
          } else {
            states.apply(a.event());
          }
        } else if (line instanceof HistoryLine.Refused r) {
          refused++;
          err.println(r.where() + ": rejected by the gate: " + r.reason() + " (skipped)");
        } else if (line instanceof HistoryLine.Malformed m) {
          malformed++;
          err.println(m.where() + ": " + m.reason() + " (skipped)");
        }
      }
      history.progress().finish();
    } catch (KafkaHistory.Stopped e) {
      throw HistoryInput.unavailable(e);
    }
    Instant when = asOf != null ? asOf : states.latestEventTime();
    if (when == null) {
      cli.getOut().println("what-if: the history has no records to decide");
      cli.getOut().flush();
      return malformed + refused == 0 ? 0 : ConsentGateCli.EXIT_BAD_INPUT;
    }
    WhatIf.Result result = WhatIf.compare(states, baseline.policy(), candidate.policy(), when);
    String baselineName = (baselinePath == null ? "the defaults" : baselinePath.toString()) + ": "
        + WhatIf.describe(baseline.policy());
    String candidateName = candidateFile + ": " + WhatIf.describe(candidate.policy());
    cli.getOut().print(WhatIf.text(result, baselineName, candidateName, list));
    cli.getOut().flush();
    if (flips != null) {
      try (RowWriter<WhatIf.Outcome> rows = HistoryInput.output(cli, format, WhatIf.FLIPS, flips)) {
        for (WhatIf.Outcome o : result.outcomes()) {
          if (o.flips()) {
            rows.write(o);
          }
        }
      }
    }
    err.printf("whatif: %d contacts decided as of %s; %d lose consent, %d gain it%s; %d malformed lines, %d rejected records%n",
        result.outcomes().size(), when, result.losing(), result.gaining(),
        asOf == null ? "" : "; " + after + " records after --as-of not applied", malformed, refused);
    return malformed + refused == 0 ? 0 : ConsentGateCli.EXIT_BAD_INPUT;
  }
}
