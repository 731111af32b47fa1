package io.consentgate.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The long version's command line with wrong input: it says what is wrong, exits 2 and starts nothing. */
class ChaosMainTest {

  @TempDir
  Path dir;

  private final StringWriter err = new StringWriter();

  private int chaos(String... args) {
    return ChaosMain.commandLine().setErr(new PrintWriter(err, true)).execute(args);
  }

  private String jar() throws Exception {
    Path jar = dir.resolve("consent-gate.jar");
    Files.writeString(jar, "not started: every one of these runs stops at its flags");
    return jar.toString();
  }

  @Test
  void brokersOtherThanOneOrThreeAreRefused() throws Exception {
    assertThat(chaos("--brokers", "2", "--gate-jar", jar())).isEqualTo(2);
    assertThat(err.toString()).contains("--brokers must be 1 or 3, not 2");
  }

  @Test
  void tooFewRecordsForTheFaultsAreRefused() throws Exception {
    assertThat(chaos("--records", "1000", "--faults", "30", "--gate-jar", jar())).isEqualTo(2);
    assertThat(err.toString()).contains("--records must be at least 100 per fault and 100 more (3100 for 30 faults), not 1000");
  }

  @Test
  void aMissingGateJarIsNamedWithHowToBuildIt() {
    assertThat(chaos("--gate-jar", dir.resolve("nowhere.jar").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no file " + dir.resolve("nowhere.jar")).contains("./mvnw -B -q -DskipTests package");
  }

  @Test
  void aShareOutsideZeroToOneAndANonNumberAreRefused() throws Exception {
    assertThat(chaos("--crc32-share", "1.5", "--gate-jar", jar())).isEqualTo(2);
    assertThat(err.toString()).contains("--crc32-share must be between 0 and 1, not 1.5");
    assertThat(chaos("--seed", "forty-two", "--gate-jar", jar())).isEqualTo(2);
    assertThat(err.toString()).contains("--seed").contains("forty-two");
  }

  @Test
  void aMistypedFlagIsRefusedWithTheFlagItResembles() {
    assertThat(chaos("--recrods", "10")).isEqualTo(2);
    assertThat(err.toString()).contains("'--recrods'").contains("Possible solutions: --records");
  }

  @Test
  void aHeapSizeTheJvmWouldNotTakeIsRefused() throws Exception {
    assertThat(chaos("--gate-heap", "lots", "--gate-jar", jar())).isEqualTo(2);
    assertThat(err.toString()).contains("--gate-heap must be a size");
  }
}
