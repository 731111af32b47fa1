package io.consentgate.app;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process and captures stdout, stderr and the exit code. */
public record CliRun(int exitCode, String out, String err) {

  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    picocli.CommandLine cli = ConsentGateCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  public java.util.List<String> outLines() {
    return out.lines().toList();
  }
}
