package io.consentgate.dev;

import io.consentgate.app.ConsentGateCli;
import io.consentgate.app.CliRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One {@code dev} stack started as a user starts it ({@code java -jar target/consent-gate-dev.jar dev}
 * in its own process, on ports other than the defaults), and what it says and holds while it runs:
 * the command it prints to watch verdicts, its data and state directories (a second process is
 * refused with the first one's pid), and its metrics endpoint.
 */
class DevStackIT {

  private static final Duration START = Duration.ofSeconds(120);
  /** A refusal comes before anything starts; a command that starts instead never returns. */
  private static final Duration AT_ONCE = Duration.ofSeconds(60);

  @TempDir
  static Path dir;

  static Path dataDir;
  static int kafkaPort;
  static int registryPort;
  static int metricsPort;
  static int queryPort;
  static DevProcess dev;

  @BeforeAll
  static void startDev() throws Exception {
    dataDir = dir.resolve("data");
    kafkaPort = DevProcess.freePort();
    registryPort = DevProcess.freePort();
    metricsPort = DevProcess.freePort();
    queryPort = DevProcess.freePort();
    dev = DevProcess.start(Path.of("target", "dev-stack-it", "dev.log"), "--data-dir", dataDir.toString(),
        "--kafka-port", String.valueOf(kafkaPort), "--registry-port", String.valueOf(registryPort),
        "--set", "metrics.port=" + metricsPort, "--set", "query.port=" + queryPort);
    dev.awaitUp(START);
    dev.awaitOutput("running on", START); // the gate holds its state directory from here on
  }

  @AfterAll
  static void stopDev() throws Exception {
    int exit = dev.stop();
    assertThat(exit).as("dev stops cleanly on SIGTERM, exit 0:\n" + dev.output()).isZero();
  }

  @Test
  void devPrintsACommandToWatchItsVerdictsThatReachesItsOwnBrokerAndRegistry() throws Exception {
    String bootstrap = "127.0.0.1:" + kafkaPort;
    String registry = "http://127.0.0.1:" + registryPort;
    assertThat(dev.line("  Kafka ")).as(dev.output()).hasValueSatisfying(l -> assertThat(l).contains(bootstrap));
    assertThat(dev.line("  schema registry ")).hasValueSatisfying(l -> assertThat(l).contains(registry));

    Optional<String> watch = dev.line("  watch verdicts:");
    assertThat(watch).as(dev.output()).isPresent();
    String command = watch.get().substring(watch.get().indexOf(':') + 1).trim();
    // The jar as it was started (relative to the working directory), and the ports dev really uses.
    assertThat(command).isEqualTo("java -jar " + DevProcess.JAR + " verdicts --follow --from-beginning"
        + " --bootstrap-servers " + bootstrap + " --schema-registry-url " + registry);

    // The command works as printed (without --follow, so that it stops at the end of the topic).
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.set(0, DevProcess.java());
    args.remove("--follow");
    Process verdicts = new ProcessBuilder(args).redirectErrorStream(true).start();
    assertThat(verdicts.waitFor(60, TimeUnit.SECONDS)).as("verdicts ends at the end of the topic").isTrue();
    String output = new String(verdicts.getInputStream().readAllBytes());
    assertThat(verdicts.exitValue()).as(output).isZero();
  }

  @Test
  void aSecondDevOnTheSameDataDirectoryIsRefusedWithThePidOfTheFirst() {
    CliRun second = assertTimeoutPreemptively(AT_ONCE, () -> CliRun.of("dev", "--data-dir", dataDir.toString(),
        "--kafka-port", "0", "--registry-port", "0", "--set", "metrics.port=0"));

    assertThat(second.exitCode()).as(second.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(second.err()).contains("data directory " + dataDir + " is in use by pid " + dev.process.pid());
  }

  @Test
  void aSecondGateOnTheSameStateDirectoryIsRefusedWithThePidOfTheFirst() {
    Path stateDir = dataDir.resolve("state");
    CliRun second = assertTimeoutPreemptively(AT_ONCE, () -> CliRun.of("run",
        "--bootstrap-servers", "127.0.0.1:" + kafkaPort, "--schema-registry-url", "http://127.0.0.1:" + registryPort,
        "--set", "state.dir=" + stateDir, "--set", "metrics.port=0"));

    assertThat(second.exitCode()).as(second.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(second.err()).contains("state directory " + stateDir + " is in use by pid " + dev.process.pid()
        + "; a second instance on this machine needs its own state.dir (--set state.dir=DIR)");
  }

  @Test
  void runNamesAMetricsPortInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      CliRun run = assertTimeoutPreemptively(AT_ONCE, () -> CliRun.of("run",
          "--bootstrap-servers", "127.0.0.1:" + kafkaPort, "--schema-registry-url", "http://127.0.0.1:" + registryPort,
          "--set", "state.dir=" + dir.resolve("own-state"), "--set", "application.id=metrics-clash",
          "--set", "metrics.port=" + port));

      assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
      assertThat(run.err()).contains("metrics port " + port + " on 0.0.0.0 is in use").contains("metrics.port");
    }
  }

  @Test
  void devPrintsItsQueryApiAndAnswersOnIt() throws Exception {
    String url = "http://127.0.0.1:" + queryPort + "/v1/contacts/";
    assertThat(dev.line("  query API ")).as(dev.output()).hasValueSatisfying(l -> assertThat(l).contains(url + "{contactId}"));
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> answer = null;
    for (long deadline = System.nanoTime() + START.toNanos(); System.nanoTime() < deadline; Thread.sleep(200)) {
      answer = http.send(HttpRequest.newBuilder(URI.create(url + "c-nobody")).build(), HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 503) {
        break; // 503 while the gate starts
      }
    }
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(404);
    assertThat(answer.body()).contains("\"mayEmail\":false");
  }

  @Test
  void devServesMetricsOnItsHostOnly() throws Exception {
    assertThat(dev.output()).contains("metrics on http://127.0.0.1:" + metricsPort + "/metrics");
    HttpResponse<String> health = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.body()).startsWith("UP"); // RUNNING, or REBALANCING while its group settles

    // Not on this machine's other addresses (where a non-loopback one exists).
    for (InetAddress address : otherAddresses()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(address, metricsPort), 2_000);
        throw new AssertionError("metrics answer on " + address.getHostAddress() + ", not only on --host 127.0.0.1");
      } catch (IOException refused) {
        // as it should be
      }
    }
  }

  private static List<InetAddress> otherAddresses() throws IOException {
    List<InetAddress> addresses = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        Collections.list(nic.getInetAddresses()).stream().filter(a -> a instanceof Inet4Address).forEach(addresses::add);
      }
    }
    System.out.println("non-loopback addresses checked for the metrics port: " + addresses);
    return addresses;
  }
}
