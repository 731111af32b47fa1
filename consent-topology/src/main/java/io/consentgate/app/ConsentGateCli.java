package io.consentgate.app;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of consent-gate.jar; each subcommand is one job. */
@Command(name = "consent-gate", mixinStandardHelpOptions = true, versionProvider = ConsentGateCli.Version.class,
    description = "Event-driven consent gate for marketing email on Apache Kafka.",
    subcommands = {DevCommand.class, RunCommand.class, PublishCommand.class, VerdictsCommand.class, DeadLettersCommand.class, ReplayCommand.class,
        GenerateCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success (run/dev: stopped cleanly)", "1:finished, but some input was malformed or rejected (see stderr)",
        "2:usage or configuration error", "3:unexpected failure",
        "4:cannot start: topics missing or not co-partitioned, or Kafka unreachable",
        "5:the gate stopped after an error while running"},
    footerHeading = "%nDocumentation:%n",
    footer = {"  docs/policy.md   the consent policy: rules, statuses, reason codes, role list",
        "  docs/events.md   the event contract and the JSON-lines history format"})
public final class ConsentGateCli {

  public static final int EXIT_BAD_INPUT = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_FAILURE = 3;
  public static final int EXIT_STARTUP = 4;
  public static final int EXIT_GATE_FAILED = 5;

  public static void main(String[] args) {
    CommandLine cli = commandLine();
    // stdout carries data (verdict lines); a large buffer instead of System.out's flush per line.
    PrintWriter out = new PrintWriter(new BufferedWriter(
        new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16));
    cli.setOut(out);
    int exit = cli.execute(args);
    out.flush();
    System.exit(exit);
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ConsentGateCli());
    cli.setExitCodeExceptionMapper(e -> e instanceof GateConfig.ConfigException || e instanceof CommandLine.ParameterException
        ? EXIT_USAGE : EXIT_FAILURE);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("consent-gate: " + (e instanceof GateConfig.ConfigException ? "configuration error: " : "")
          + e.getMessage());
      return commandLine.getExitCodeExceptionMapper().getExitCode(e);
    });
    return cli;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ConsentGateCli.class.getPackage().getImplementationVersion();
      return new String[] {"consent-gate " + (v == null ? "dev" : v)};
    }
  }
}
