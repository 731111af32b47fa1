package io.consentgate.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of consent-gate.jar; each subcommand is one job. */
@Command(name = "consent-gate", mixinStandardHelpOptions = true, versionProvider = ConsentGateCli.Version.class,
    description = "Event-driven consent gate for marketing email on Apache Kafka.",
    subcommands = {ReplayCommand.class, GenerateCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:finished, but some input was malformed or rejected (see stderr)",
        "2:usage or configuration error", "3:unexpected failure"})
public final class ConsentGateCli {

  public static final int EXIT_BAD_INPUT = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_FAILURE = 3;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ConsentGateCli());
    cli.setExitCodeExceptionMapper(e -> e instanceof GateConfig.ConfigException ? EXIT_USAGE : EXIT_FAILURE);
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
