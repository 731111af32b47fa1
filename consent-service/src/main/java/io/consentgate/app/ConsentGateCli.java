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
    subcommands = {RunCommand.class, ResetCommand.class, PublishCommand.class, VerdictsCommand.class, DeadLettersCommand.class, ReplayCommand.class,
        GenerateCommand.class, ExportCommand.class, ExplainCommand.class, WhatIfCommand.class, CheckCommand.class},
    exitCodeListHeading = "%nExit codes (every command):%n",
    exitCodeList = {
        "0:success; run and dev: stopped cleanly (also on SIGTERM or Ctrl-C)",
        "1:bad input: finished, but some input was malformed or refused (see stderr)",
        "2:usage or configuration error: an unknown option or key, a bad value, a file that cannot be read",
        "3:unexpected failure (a bug: please report it with the message)",
        "4:unavailable: Kafka, the schema registry, a topic, a port or a data directory cannot be reached or used",
        "5:the gate stopped after an error while running"})
public final class ConsentGateCli {

  public static final int EXIT_BAD_INPUT = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_FAILURE = 3;
  /** Kafka, the registry, a topic, a port or a data directory cannot be reached or used. */
  public static final int EXIT_UNAVAILABLE = 4;
  public static final int EXIT_GATE_FAILED = 5;

  public static void main(String[] args) {
    CommandLine cli = commandLine();
    // stdout carries data (verdict lines); a large buffer instead of System.out's flush per line.
    PrintWriter out = new PrintWriter(new BufferedWriter(
        new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16));
    cli.setOut(out);
    int exit = cli.execute(args);
    out.flush();
    if (STATE.compareAndSet(RUNNING, EXITING)) {
      System.exit(exit);
    }
    // Otherwise a signal is stopping the process; its shutdown hook sets the exit code.
  }

  private static final int RUNNING = 0;
  private static final int EXITING = 1;
  private static final int SIGNALLED = 2;
  private static final java.util.concurrent.atomic.AtomicInteger STATE = new java.util.concurrent.atomic.AtomicInteger(RUNNING);

  /**
   * Called first by the shutdown hook of a long-running command (run, dev): true when the process
   * is stopping on SIGTERM or Ctrl-C rather than because a command returned its exit code.
   */
  static boolean stoppingOnSignal() {
    return STATE.compareAndSet(RUNNING, SIGNALLED) || STATE.get() == SIGNALLED;
  }

  /**
   * Ends a process stopped by a signal with {@code code}: the JVM would report the signal (143,
   * 130) even after a clean stop, which is a success.
   */
  static void exitAfterSignal(int code) {
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ConsentGateCli());
    for (CommandExtension extension : java.util.ServiceLoader.load(CommandExtension.class)) {
      cli.addSubcommand(extension);
    }
    if (!cli.getSubcommands().containsKey("dev")) {
      cli.addSubcommand(new DevNotInThisJar());
    }
    cli.setExitCodeExceptionMapper(ConsentGateCli::exitCodeOf);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      int code = exitCodeOf(e);
      String kind = e instanceof GateConfig.ConfigException || e instanceof org.apache.kafka.common.config.ConfigException
          ? "configuration error: "
          : code == EXIT_UNAVAILABLE ? "unavailable: " : code == EXIT_FAILURE ? "unexpected failure (please report it): " : "";
      commandLine.getErr().println("consent-gate: " + kind + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return code;
    });
    // Every command states the same table in its own --help.
    var usage = cli.getCommandSpec().usageMessage();
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().usageMessage().exitCodeListHeading(usage.exitCodeListHeading()).exitCodeList(usage.exitCodeList());
    }
    return cli;
  }

  static int exitCodeOf(Throwable e) {
    if (e instanceof GateConfig.ConfigException || e instanceof CommandLine.ParameterException
        || e instanceof org.apache.kafka.common.config.ConfigException || e instanceof InputFiles.BadFile) {
      return EXIT_USAGE;
    }
    if (e instanceof Unavailable) {
      return EXIT_UNAVAILABLE;
    }
    return EXIT_FAILURE;
  }

  /** What {@code dev} says in the production jar, which carries no broker and no registry server. */
  @Command(name = "dev", hidden = true)
  static final class DevNotInThisJar implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Unmatched
    java.util.List<String> ignored;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getErr().println("consent-gate: dev is not in this jar: the production artifact carries no broker "
          + "and no registry server. Use the dev stack's jar: java -jar consent-devstack/target/consent-gate-dev.jar dev");
      return EXIT_USAGE;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ConsentGateCli.class.getPackage().getImplementationVersion();
      return new String[] {"consent-gate " + (v == null ? "dev" : v)};
    }
  }
}
