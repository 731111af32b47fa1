package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.client.Permission;
import io.consentgate.client.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check command's wrong input and what it says without Kafka; its answers on a broker are in CheckCommandIT. */
class CheckCommandTest {

  @TempDir
  Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void itIsACommandOfTheProductionJarWithTheCommonExitCodes() {
    CliRun help = CliRun.of("check", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("--contacts").contains("--allowed-only").contains("--[no-]check-gate").contains("--wait")
        .contains("Exit codes").contains("4   unavailable");
    assertThat(help.out().replaceAll("\\s+", " ")).as("turning the gate check off says what it costs")
        .contains("On by default").contains("--no-check-gate answers from the verdict topic alone and FAILS OPEN");
    assertThat(CliRun.of("--help").out()).contains("check");
  }

  @Test
  void withoutContactsOrWithABadOptionItIsAUsageError() {
    CliRun none = CliRun.of("check");
    assertThat(none.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(none.err()).contains("--contacts");
    assertThat(CliRun.of("check", "--contacts", "-", "--wait", "a minute").exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(CliRun.of("check", "--contacts", "-", "--nonsense").exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    CliRun key = CliRun.of("check", "--contacts", "-", "--set", "no.such.key=1");
    assertThat(key.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(key.err()).contains("no.such.key");
  }

  @Test
  void aMissingFileOrADirectoryIsAUsageErrorBeforeKafkaIsAsked() throws IOException {
    String nowhere = "127.0.0.1:" + freePort();
    CliRun missing = CliRun.of("check", "--contacts", dir.resolve("nope.txt").toString(), "--bootstrap-servers", nowhere);
    assertThat(missing.exitCode()).as(missing.err()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(missing.err()).contains("no such file").contains("nope.txt");
    CliRun directory = CliRun.of("check", "--contacts", dir.toString(), "--bootstrap-servers", nowhere);
    assertThat(directory.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(directory.err()).contains("is a directory");
  }

  @Test
  void withoutABrokerItIsUnavailableAndAnswersNothing() throws IOException {
    Path contacts = Files.writeString(dir.resolve("contacts.txt"), "c-ann\nc-bob\n");
    String nowhere = "127.0.0.1:" + freePort();
    long start = System.nanoTime();
    // kafka.* wins over the commands' 15 s patience, so the test need not wait that long.
    CliRun run = CliRun.of("check", "--contacts", contacts.toString(), "--bootstrap-servers", nowhere,
        "--set", "kafka.default.api.timeout.ms=3000", "--set", "kafka.request.timeout.ms=3000");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(run.err()).contains("Kafka at " + nowhere).contains("did not answer");
    assertThat(run.out()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aLineIsAnIdWithoutSurroundingSpaceAndAMalformedLineIsNamedAndSkipped() throws IOException {
    String file = "c-ann\n  c-bob \r\n\n\t\nc bad\nc-\u00e9\u4e2d\nc-\uFFFDx\nc-\u0007\nc-0c3a6f4e-9b1d-4d2e-8f7a-1234567890ab\n";
    StringWriter err = new StringWriter();
    CheckCommand.Lines lines = new CheckCommand.Lines(new BufferedReader(new StringReader(file)), new PrintWriter(err, true));
    List<String> ids = new ArrayList<>();
    lines.forEach(ids::add);
    assertThat(ids).containsExactly("c-ann", "c-bob", "c-\u00e9\u4e2d", "c-0c3a6f4e-9b1d-4d2e-8f7a-1234567890ab");
    assertThat(lines.malformed).isEqualTo(3);
    assertThat(err.toString().lines().toList()).containsExactly(
        "line 5: not a contact id: white space inside (skipped)",
        "line 7: not a contact id: bytes that are not UTF-8 (skipped)",
        "line 8: not a contact id: a control character (skipped)");
  }

  @Test
  void eachAnswerIsOneJsonLineWithNullsWhereNoVerdictIsHeld() {
    String unknown = CheckCommand.json(new Permission("c-nobody", false, false, Reason.UNKNOWN_CONTACT, null));
    assertThat(unknown).isEqualTo("{\"contactId\":\"c-nobody\",\"mayEmail\":false,\"mayEmailOneToOne\":false,"
        + "\"reason\":\"UNKNOWN_CONTACT\",\"decision\":null,\"status\":null,\"validUntil\":null,\"decidedAt\":null,"
        + "\"epoch\":null,\"version\":null}");
  }

  @Test
  void theGateIsCheckedUnlessTurnedOffInSoManyWords() {
    assertThat(parsed().checkGate).as("no flag").isTrue();
    assertThat(parsed("--check-gate").checkGate).isTrue();
    assertThat(parsed("--no-check-gate").checkGate).isFalse();
  }

  private static CheckCommand parsed(String... flags) {
    CheckCommand check = new CheckCommand();
    List<String> args = new ArrayList<>(List.of("--contacts", "-"));
    args.addAll(List.of(flags));
    new picocli.CommandLine(check).parseArgs(args.toArray(String[]::new));
    return check;
  }

  @Test
  void theClientChecksTheGateOfTheGatesOwnConfigurationAndIsToldWhenNotTo() throws Exception {
    GateConfig defaults = GateConfig.load(null, Map.of(), Map.of());
    assertThat(CheckCommand.clientConfig(defaults, true)).containsEntry("application.id", "consent-gate")
        .doesNotContainKey("client.check-gate");
    assertThat(CheckCommand.clientConfig(defaults, false)).containsEntry("client.check-gate", "false");
  }

  @Test
  void theClientGetsTheGatesKafkaAndRegistrySettingsAndTheGatesApplicationId() throws Exception {
    GateConfig config = GateConfig.load(null, Map.of(), Map.of("bootstrap.servers", "k:9092", "kafka.security.protocol", "SSL",
        "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "u:p", "topic.consent-verdicts", "v2",
        "application.id", "green"));
    Map<String, Object> c = CheckCommand.clientConfig(config, false);
    assertThat(c).containsEntry("bootstrap.servers", "k:9092").containsEntry("kafka.security.protocol", "SSL")
        .containsEntry("basic.auth.user.info", "u:p").containsEntry("topic.consent-verdicts", "v2")
        .containsEntry("client.check-gate", "false").doesNotContainKey("auto.register.schemas");
    assertThat(CheckCommand.clientConfig(config, true)).containsEntry("application.id", "green");
  }
}
