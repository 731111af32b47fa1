package io.consentgate.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar target/consent-gate-dev.jar dev ...} as its own process, the way a user starts it
 * (the shaded jar exists when the integration tests run: they come after {@code package}), with
 * stdout and stderr in a log file.
 */
final class DevProcess implements AutoCloseable {

  static final Path JAR = Path.of("target", "consent-gate-dev.jar");
  private static final Pattern STACK_UP = Pattern.compile("consent-gate dev stack up in ([0-9.]+) s");

  final Process process;
  final Path log;
  /** From the launch to when "dev stack up" showed in the log, as a user waiting for it sees it. */
  private Duration untilUp;

  private DevProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static DevProcess start(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m", "-jar", JAR.toString(), "dev"));
    command.addAll(List.of(args));
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new DevProcess(process, log);
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the output contains {@code text}; fails if the process ends first or the time runs out. */
  void awaitOutput(String text, Duration timeout) throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive()) {
        throw new AssertionError("dev exited with " + process.exitValue() + " before printing '" + text + "':\n" + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no '" + text + "' from dev within " + timeout + ":\n" + output());
      }
      Thread.sleep(50);
    }
  }

  /** Waits for "dev stack up" and remembers how long it took from the launch. */
  DevProcess awaitUp(Duration timeout) throws InterruptedException {
    long launched = process.info().startInstant().map(i -> i.toEpochMilli()).orElse(System.currentTimeMillis());
    awaitOutput("dev stack up", timeout);
    untilUp = Duration.ofMillis(System.currentTimeMillis() - launched);
    return this;
  }

  Duration untilUp() {
    return untilUp;
  }

  /** The time dev itself reports for bringing its stack up (without the JVM's start). */
  Duration reportedStartup() {
    Matcher m = STACK_UP.matcher(output());
    if (!m.find()) {
      throw new AssertionError("no startup time in:\n" + output());
    }
    return Duration.ofMillis(Math.round(Double.parseDouble(m.group(1)) * 1000));
  }

  /** The first line of the output that starts with {@code prefix}. */
  Optional<String> line(String prefix) {
    return output().lines().filter(l -> l.startsWith(prefix)).findFirst();
  }

  /** SIGTERM, as Ctrl-C would; returns the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("dev did not stop within 90 s of SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
