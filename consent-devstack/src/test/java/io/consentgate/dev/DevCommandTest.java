package io.consentgate.dev;

import io.consentgate.app.ConsentGateCli;
import io.consentgate.app.CliRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code dev} on the command line, in-process: what it refuses, and a port it cannot have, each
 * before it starts anything (so these tests start no broker).
 */
class DevCommandTest {

  /** Long enough for a refusal; a dev that starts its stack instead never returns. */
  private static final Duration AT_ONCE = Duration.ofSeconds(30);

  /**
   * Not a {@code @TempDir}: a dev that wrongly starts its broker here must not have the directory
   * deleted under it (the broker would halt the test JVM).
   */
  private final Path dir = Path.of("target", "dev-command-test", UUID.randomUUID().toString());

  private CliRun dev(String... extra) {
    List<String> args = new ArrayList<>(List.of("dev", "--data-dir", dir.resolve("data").toString()));
    args.addAll(List.of(extra));
    return assertTimeoutPreemptively(AT_ONCE, () -> CliRun.of(args.toArray(String[]::new)),
        "dev should have refused at once instead of starting");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--bootstrap-servers=kafka-1:9092", "--schema-registry-url=http://registry:8081",
      "--set=bootstrap.servers=kafka-1:9092", "--set=schema.registry.url=http://registry:8081"})
  void devRefusesAnAddressOfKafkaOrTheRegistryThatItWouldIgnore(String option) {
    // Free ports, so that a dev that wrongly starts does not take the defaults from anyone.
    CliRun run = dev(option, "--kafka-port", "0", "--registry-port", "0", "--set", "metrics.port=0");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(run.err()).contains("dev runs its own").contains("--kafka-port").contains("--host");
  }

  @Test
  void devsHelpOffersNoBootstrapServersOrRegistryUrl() {
    CliRun help = CliRun.of("dev", "--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("--config", "--set", "--kafka-port", "--registry-port")
        .doesNotContain("--bootstrap-servers").doesNotContain("--schema-registry-url");
  }

  @Test
  void aKafkaPortInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();

      CliRun run = dev("--kafka-port", String.valueOf(port), "--registry-port", "0", "--set", "metrics.port=0");

      assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
      assertThat(run.err()).contains("Kafka port " + port + " on 127.0.0.1 is in use; pick another with --kafka-port");
    }
  }

  @Test
  void aRegistryPortInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();

      CliRun run = dev("--kafka-port", "0", "--registry-port", String.valueOf(port), "--set", "metrics.port=0");

      assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
      assertThat(run.err())
          .contains("schema registry port " + port + " on 127.0.0.1 is in use; pick another with --registry-port");
    }
  }

  @Test
  void aMetricsPortInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();

      CliRun run = dev("--kafka-port", "0", "--registry-port", "0", "--set", "metrics.port=" + port);

      assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
      assertThat(run.err()).contains("metrics port " + port + " on 127.0.0.1 is in use")
          .contains("metrics.port");
    }
  }

  @Test
  void aQueryPortInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();

      CliRun run = dev("--kafka-port", "0", "--registry-port", "0", "--set", "metrics.port=0", "--set", "query.port=" + port);

      assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
      assertThat(run.err()).contains("query port " + port + " on 127.0.0.1 is in use").contains("query.port");
    }
  }

  @Test
  void devOnEveryInterfaceRefusesToServeTheQueryApiWithoutTokens() {
    CliRun run = dev("--host", "0.0.0.0", "--kafka-port", "0", "--registry-port", "0", "--set", "metrics.port=0",
        "--set", "query.advertised=127.0.0.1:8088");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(run.err()).contains("query.host=0.0.0.0 is not a loopback address").contains("query.tokens.file");
  }
}
