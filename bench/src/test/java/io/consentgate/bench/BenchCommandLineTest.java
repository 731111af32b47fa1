package io.consentgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The bench as a user runs it with wrong input: it says what is wrong, exits non-zero and writes no results. */
class BenchCommandLineTest {

  @TempDir
  Path dir;

  private final StringWriter err = new StringWriter();

  private int bench(String... args) {
    return new CommandLine(new BenchMain()).setErr(new PrintWriter(err, true)).execute(args);
  }

  @Test
  void anUnknownSectionIsRefusedWithTheListOfSections() {
    Path out = dir.resolve("r.json");
    assertThat(bench("--only", "replay,thruput", "--out", out.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("unknown section(s) thruput").contains("throughput, rerouting");
    assertThat(out).doesNotExist();
  }

  @Test
  void restoreAloneIsRefused() {
    assertThat(bench("--only", "restore", "--out", dir.resolve("r.json").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--only restore needs throughput");
  }

  @Test
  void aNumberOfEventsBelowOneIsRefused() {
    assertThat(bench("--events", "0", "--only", "replay", "--out", dir.resolve("r.json").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--events must be at least 1, not 0");
  }

  @Test
  void aHeapSizeTheJvmWouldNotTakeIsRefused() {
    assertThat(bench("--memory-heap", "lots", "--only", "memory", "--out", dir.resolve("r.json").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--memory-heap must be a size");
  }

  @Test
  void aClusterThatDoesNotAnswerIsNamedAndNothingIsWritten() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    Path out = dir.resolve("r.json");
    assertThat(bench("--bootstrap-servers", "127.0.0.1:" + port, "--only", "latency", "--out", out.toString()))
        .isEqualTo(BenchMain.UNAVAILABLE);
    assertThat(err.toString()).contains("Kafka at 127.0.0.1:" + port + " did not answer within 15 s");
    assertThat(Files.exists(out)).isFalse();
  }
}
