package io.consentgate.dev.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.app.CliRun;
import org.junit.jupiter.api.Test;

/** In the dev stack's jar, replay also runs the production topology, and prints the same bytes. */
class TopologyEngineCommandTest {

  private static final String EXAMPLE = "../examples/history.jsonl";

  @Test
  void theTopologyEngineReplaysTheExampleToTheSameBytesAsTheDirectOne() {
    CliRun direct = CliRun.of("replay", "--input", EXAMPLE, "--until", "2027-01-01T00:00:00Z");
    CliRun topology = CliRun.of("replay", "--input", EXAMPLE, "--until", "2027-01-01T00:00:00Z", "--engine", "topology");
    assertThat(topology.exitCode()).as(topology.err()).isZero();
    assertThat(topology.out()).isEqualTo(direct.out()).isNotEmpty();
    assertThat(topology.err()).isEqualTo(direct.err());
  }
}
