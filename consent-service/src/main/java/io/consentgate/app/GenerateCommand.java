package io.consentgate.app;

import io.consentgate.history.HistoryGenerator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Writes a realistic, seeded JSON-lines history to stdout (for load tests and demos).")
final class GenerateCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--records", defaultValue = "100000", description = "Number of lines (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(names = "--events-per-contact", defaultValue = "10", description = "Average records per contact (default: ${DEFAULT-VALUE}).")
  int eventsPerContact;

  @Option(names = "--seed", defaultValue = "42", description = "Same seed, same file (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    if (records < 0 || eventsPerContact < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--records must be >= 0 and --events-per-contact >= 1");
    }
    HistoryGenerator.generate(records, eventsPerContact, seed, spec.commandLine().getOut());
    return 0;
  }
}
