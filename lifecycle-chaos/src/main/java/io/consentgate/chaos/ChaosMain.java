package io.consentgate.chaos;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The long version of the lifecycle chaos suite, as a command (see lifecycle-chaos/README.md). */
@Command(name = "consent-gate-chaos", mixinStandardHelpOptions = true,
    description = {"Runs gates of the production jar as child JVMs while a seeded generator writes contacts, grants and "
        + "withdrawals and faults are injected (kill -9, clean restarts, reset and re-publication, a second application "
        + "id, takeover, a second instance, and on 3 brokers kills of partition leaders); then checks the verdict topic "
        + "against an offline replay of the input. Ends with one summary line."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:passed: nothing lost, duplicated or allowed after a withdrawal, and no gate misbehaved",
        "1:failed: the lines before the summary say what", "2:usage error (a bad flag or value, the gate's jar missing)",
        "3:the run itself broke (a bug of the suite, or the machine)"})
public final class ChaosMain implements Callable<Integer> {

  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int BROKEN = 3;

  @Option(names = "--records", defaultValue = "1000000", description = "Input records to write at least; more while the "
      + "faults last (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(names = "--faults", defaultValue = "30", description = "Faults to inject while writing (default: ${DEFAULT-VALUE}).")
  int faults;

  @Option(names = "--brokers", defaultValue = "3",
      description = "1 (the project's in-process broker) or 3 (Kafka's test kit, replication factor 3, min.insync.replicas 2, "
          + "broker kills too) (default: ${DEFAULT-VALUE}).")
  int brokers;

  @Option(names = "--seed", description = "Seed of the records and the faults (default: a random one, printed first).")
  Long seed;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the input topics (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--rate", description = "At most this many records a second after the base of contacts (default: "
      + "enough to spread the records over the faults, about twelve seconds each, between 100 and 5000).")
  Integer rate;

  @Option(names = "--crc32-share", defaultValue = "0.25",
      description = "Share of the records sent by a producer that partitions with CRC32, as librdkafka does (default: ${DEFAULT-VALUE}).")
  double crc32Share;

  @Option(names = "--no-race", negatable = false,
      description = "Do not open the run with two application ids started at the same moment.")
  boolean noRace;

  @Option(names = "--gate-jar", defaultValue = "consent-service/target/consent-gate.jar",
      description = "The production jar the gates run from (default: ${DEFAULT-VALUE}).")
  Path gateJar;

  @Option(names = "--gate-heap", defaultValue = "384m", description = "-Xmx of each gate (default: ${DEFAULT-VALUE}).")
  String gateHeap;

  @Option(names = "--work-dir", description = "Where brokers, state, logs and the checker's files go (default: a new "
      + "temporary directory, deleted after a run that passed).")
  Path workDir;

  @Spec
  CommandSpec spec;

  private void validate() {
    CommandLine cli = spec.commandLine();
    if (brokers != 1 && brokers != 3) {
      throw new ParameterException(cli, "--brokers must be 1 or 3, not " + brokers);
    }
    if (faults < 0) {
      throw new ParameterException(cli, "--faults must be 0 or more, not " + faults);
    }
    if (records < 100L * (faults + 1)) {
      throw new ParameterException(cli, "--records must be at least 100 per fault and 100 more (" + 100L * (faults + 1)
          + " for " + faults + " faults), not " + records + ": traffic must flow through every fault");
    }
    if (partitions < 1 || partitions > 64) {
      throw new ParameterException(cli, "--partitions must be between 1 and 64, not " + partitions);
    }
    if (rate != null && rate < 1) {
      throw new ParameterException(cli, "--rate must be at least 1 record a second, not " + rate);
    }
    if (!(crc32Share >= 0 && crc32Share <= 1)) {
      throw new ParameterException(cli, "--crc32-share must be between 0 and 1, not " + crc32Share);
    }
    if (!gateHeap.matches("[1-9][0-9]*[kKmMgG]?")) {
      throw new ParameterException(cli, "--gate-heap must be a size as -Xmx takes it (e.g. 384m), not '" + gateHeap + "'");
    }
    if (!Files.isRegularFile(gateJar)) {
      throw new ParameterException(cli, "--gate-jar: no file " + gateJar.toAbsolutePath()
          + "; build it first with ./mvnw -B -q -DskipTests package");
    }
    if (workDir != null && Files.exists(workDir) && !Files.isDirectory(workDir)) {
      throw new ParameterException(cli, "--work-dir: " + workDir + " is not a directory");
    }
  }

  @Override
  public Integer call() throws Exception {
    validate();
    long s = seed != null ? seed : new SecureRandom().nextLong();
    boolean temporary = workDir == null;
    Path dir = temporary ? Files.createTempDirectory("consent-gate-chaos-") : Files.createDirectories(workDir);
    ChaosResult result = LifecycleChaos.run(new ChaosSettings(s, records, faults, Fault.drawn(brokers == 3), brokers, partitions,
        rate == null ? 0 : rate, crc32Share, !noRace,
        gateJar.toAbsolutePath(), gateHeap, dir.toAbsolutePath()), System.out);
    if (result.passed() && temporary) {
      Utils.delete(dir.toFile());
    } else {
      System.out.println("chaos: logs and files kept in " + dir.toAbsolutePath());
    }
    return result.passed() ? 0 : FAILED;
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ChaosMain());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      err.println("consent-gate-chaos: the run broke: " + e);
      e.printStackTrace(err);
      return BROKEN;
    });
    return cli;
  }

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      // Not the gate's logback.xml, which the jar also holds: the brokers run in this process.
      System.setProperty("logback.configurationFile", "chaos-logback.xml");
    }
    System.exit(commandLine().execute(args));
  }
}
