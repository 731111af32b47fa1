package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command reads its configuration through the same options; only those that talk to a cluster take its address. */
class CommandOptionsTest {

  @ParameterizedTest
  @ValueSource(strings = {"run", "publish", "verdicts", "dead-letters", "export", "replay", "explain", "whatif"})
  void aCommandThatTalksToAClusterTakesTheLayersAndTheAddresses(String command) {
    CliRun help = CliRun.of(command, "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("--config", "--set", "--bootstrap-servers", "--schema-registry-url");
  }

  /** Each fails on the key before it reads any input or reaches for a cluster. */
  @ParameterizedTest
  @ValueSource(strings = {"run", "publish --input -", "verdicts", "dead-letters", "replay --input -", "export",
      "explain --contact c-1 --at 2024-01-01 --input -", "whatif --input - --candidate-config ../examples/acme-strict.properties"})
  void aBadKeyIsTheSameErrorForEveryCommand(String command) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(command.split(" ")));
    args.addAll(java.util.List.of("--set", "bootstrap.server=kafka-1:9092"));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(run.err()).contains("configuration error: unknown configuration key(s) [bootstrap.server]");
  }
}
