package io.consentgate.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One gate: a child JVM of the production jar, {@code java -jar consent-gate.jar run --set ...},
 * as an operator starts it. Its output goes to a log file of its own.
 */
final class GateProcess {

  private final String applicationId;
  private final int slot;
  private final Path log;
  private final Process process;

  private GateProcess(String applicationId, int slot, Path log, Process process) {
    this.applicationId = applicationId;
    this.slot = slot;
    this.log = log;
    this.process = process;
  }

  /**
   * @param slot which of the application's instances this is; each slot has a state directory of
   *     its own, as each machine of a deployment would
   */
  static GateProcess start(Path jar, String heap, String command, Map<String, String> flags, List<String> options,
                           String applicationId, int slot, Path log) throws IOException {
    List<String> line = javaCommand(jar, heap);
    line.add(command);
    flags.forEach((k, v) -> {
      line.add("--set");
      line.add(k + "=" + v);
    });
    line.addAll(options);
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new GateProcess(applicationId, slot, log, p);
  }

  /** {@code java -jar JAR} with this JVM's java and a bounded heap. */
  static List<String> javaCommand(Path jar, String heap) {
    List<String> line = new ArrayList<>();
    line.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    line.add("-Xmx" + heap);
    // Fewer collector threads: a run has up to three gates and the brokers on two cores.
    line.add("-XX:+UseSerialGC");
    line.add("-jar");
    line.add(jar.toString());
    return line;
  }

  String applicationId() {
    return applicationId;
  }

  int slot() {
    return slot;
  }

  Path log() {
    return log;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The exit code, once it has exited. */
  int exitCode() {
    return process.exitValue();
  }

  /** SIGKILL: no commit, no close, no shutdown hook. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("gate " + this + " did not die within 30 s of SIGKILL");
    }
  }

  /**
   * SIGTERM, as a service manager stops it; waits for the exit.
   *
   * @return the exit code, or -1 when it had not exited within {@code seconds} (it is then killed)
   */
  int stop(long seconds) throws InterruptedException {
    process.destroy();
    if (process.waitFor(seconds, TimeUnit.SECONDS)) {
      return process.exitValue();
    }
    kill();
    return -1;
  }

  /** Waits up to {@code millis} for it to exit by itself; true when it has. */
  boolean awaitExit(long millis) throws InterruptedException {
    return process.waitFor(millis, TimeUnit.MILLISECONDS);
  }

  /** The last lines of its log, for a message. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public String toString() {
    return applicationId + "#" + slot + " (pid " + process.pid() + ")";
  }
}
