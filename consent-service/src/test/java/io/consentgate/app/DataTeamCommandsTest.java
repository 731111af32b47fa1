package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data-team commands on history files, as a user runs them: replay --as-of and its formats,
 * --until that would move the clock back, explain's three views, whatif. The same commands on the
 * topics are in the integration tests (DataTeamIT).
 */
class DataTeamCommandsTest {

  private static final String EXAMPLE = "../examples/history.jsonl";
  private static final String APPENDED = "../examples/history-appended.jsonl";
  private static final String ACME_STRICT = "../examples/acme-strict.properties";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void asOfIsACutOffThatGivesEachContactItsVerdictAtThatInstantWhateverTheOrder() throws IOException {
    CliRun run = CliRun.of("replay", "--input", EXAMPLE, "--as-of", "2024-06-01T00:00:00Z");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines()).extracting(l -> json(l).get("contactId").asText())
        .containsExactly("c-ann", "c-bob", "c-chen", "c-jo"); // created by then, in id order
    assertThat(run.outLines()).allSatisfy(l -> {
      assertThat(json(l).get("decidedAt").asText()).isEqualTo("2024-06-01T00:00:00Z");
      assertThat(json(l).get("version").asLong()).isEqualTo(1);
    });
    assertThat(json(run.outLines().get(2)).get("status").asText()).as("c-chen's purchase after the withdrawal does not help")
        .isEqualTo("WITHDRAWN");
    assertThat(run.err()).contains("records after --as-of 2024-06-01T00:00:00Z not applied");

    // Shuffled, the same snapshot: the state is a join of the records.
    List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(EXAMPLE)));
    Collections.shuffle(lines, new Random(7));
    Path shuffled = Files.write(dir.resolve("shuffled.jsonl"), lines);
    assertThat(CliRun.of("replay", "--input", shuffled.toString(), "--as-of", "2024-06-01T00:00:00Z").out())
        .isEqualTo(run.out());

    // A lapse: as of a moment after its two years, bob's purchase has lapsed.
    CliRun later = CliRun.of("replay", "--input", EXAMPLE, "--as-of", "2026-03-10T08:00:00Z");
    assertThat(later.outLines()).filteredOn(l -> l.contains("\"c-bob\"")).singleElement()
        .satisfies(l -> assertThat(json(l).get("status").asText()).isEqualTo("EXPIRED"));
  }

  @Test
  void untilBeforeARecordIsAUsageErrorThatNamesTheRecordAndPointsToAsOf() {
    CliRun run = CliRun.of("replay", "--input", EXAMPLE, "--until", "2024-06-01");
    assertThat(run.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(run.err()).contains("line 11: its event time 2024-06-01T11:00:00Z is after --until 2024-06-01T00:00:00Z")
        .contains("--as-of");
    CliRun both = CliRun.of("replay", "--input", EXAMPLE, "--until", "2027-01-01", "--as-of", "2024-06-01");
    assertThat(both.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(both.err()).contains("--until and --as-of exclude each other");
  }

  @Test
  void aReplayWritesCsvAndAvroWithTheSameRowsAsJsonLines() throws Exception {
    CliRun json = CliRun.of("replay", "--input", EXAMPLE, "--until", "2027-01-01");
    CliRun csv = CliRun.of("replay", "--input", EXAMPLE, "--until", "2027-01-01", "--format", "csv");
    assertThat(csv.exitCode()).as(csv.err()).isZero();
    List<String> rows = csv.outLines();
    assertThat(rows.get(0)).isEqualTo("contactId,brandId,email,decision,status,oneToOneAllowed,validUntil,reasons,"
        + "evidenceIds,recommendations,decidedAt,policy,version,epoch");
    assertThat(rows).hasSize(json.outLines().size() + 1);
    assertThat(rows).contains("c-bob,acme,bob@example.com,ALLOW,CONSENTED_IMPLICIT,true,2026-03-10T08:00:00Z,"
        + "CONSENTED_IMPLICIT,ev-bob-1,ASK_FOR_EXPLICIT_CONSENT,2024-03-10T08:00:00Z,optin/1,2,0");

    Path avro = dir.resolve("verdicts.avro");
    CliRun toAvro = CliRun.of("replay", "--input", EXAMPLE, "--until", "2027-01-01", "--format", "avro", "--out", avro.toString());
    assertThat(toAvro.exitCode()).as(toAvro.err()).isZero();
    List<GenericRecord> records = new ArrayList<>();
    try (DataFileReader<GenericRecord> reader = new DataFileReader<>(avro.toFile(), new GenericDatumReader<>())) {
      reader.forEach(records::add);
    }
    assertThat(records).hasSize(json.outLines().size());
    for (int i = 0; i < records.size(); i++) {
      JsonNode expected = json(json.outLines().get(i));
      GenericRecord r = records.get(i);
      assertThat(r.get("contactId").toString()).isEqualTo(expected.get("contactId").asText());
      assertThat(r.get("status").toString()).isEqualTo(expected.get("status").asText());
      assertThat(r.get("version")).isEqualTo(expected.get("version").asLong());
      assertThat(r.get("decidedAt")).isEqualTo(java.time.Instant.parse(expected.get("decidedAt").asText()).toEpochMilli());
    }
    byte[] first = Files.readAllBytes(avro);
    CliRun.of("replay", "--input", EXAMPLE, "--until", "2027-01-01", "--format", "avro", "--out", avro.toString());
    assertThat(Files.readAllBytes(avro)).as("same history, same bytes").isEqualTo(first);

    CliRun noFile = CliRun.of("replay", "--input", EXAMPLE, "--format", "avro");
    assertThat(noFile.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(noFile.err()).contains("binary").contains("--out FILE");
    CliRun badFormat = CliRun.of("replay", "--input", EXAMPLE, "--format", "parquet");
    assertThat(badFormat.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(badFormat.err()).contains("'parquet' is not a format: json, csv or avro");
  }

  @Test
  void aFileReplayTakesNoClusterAndNeedsExactlyOneSource() {
    CliRun cluster = CliRun.of("replay", "--input", EXAMPLE, "--bootstrap-servers", "kafka:9092");
    assertThat(cluster.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(cluster.err()).contains("are for --from-kafka");
    CliRun none = CliRun.of("replay");
    assertThat(none.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(none.err()).contains("--input").contains("--from-kafka");
    CliRun both = CliRun.of("replay", "--input", EXAMPLE, "--from-kafka");
    assertThat(both.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(both.err()).contains("mutually exclusive");
  }

  @Test
  void progressOnRequestEndsWithADoneLine() {
    CliRun run = CliRun.of("replay", "--input", EXAMPLE, "--progress");
    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).containsPattern("replay: 50 records, [0-9,]+ records/s, done");
  }

  @Test
  void explainShowsALateWithdrawalAsAllowedByWhatWasKnownAndWithdrawnByWhatHeld() throws Exception {
    CliRun run = CliRun.of("explain", "--contact", "c-zoe", "--at", "2024-06-01T09:00:00Z", "--input", APPENDED, "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode x = JSON.readTree(run.out());
    assertThat(x.at("/said/answered").asBoolean()).isFalse();
    assertThat(x.at("/said/note").asText()).contains("--from-kafka");
    assertThat(x.at("/knownByT/verdict/decision").asText()).isEqualTo("ALLOW");
    assertThat(x.at("/knownByT/verdict/status").asText()).isEqualTo("CONSENTED_EXPLICIT");
    assertThat(x.at("/knownByT/rule/number").asInt()).isEqualTo(6); // explicit grant: rule 6 since issue 23
    assertThat(x.at("/knownByT/records").asInt()).isEqualTo(5);
    assertThat(x.at("/heldAtT/verdict/decision").asText()).isEqualTo("DENY");
    assertThat(x.at("/heldAtT/verdict/status").asText()).isEqualTo("WITHDRAWN");
    assertThat(x.at("/heldAtT/verdict/evidenceIds/0").asText()).isEqualTo("ev-zoe-5");
    assertThat(x.at("/heldAtT/rule/number").asInt()).isEqualTo(4); // withdrawn: rule 4 since issue 23

    JsonNode timeline = x.get("timeline");
    assertThat(timeline).hasSize(6);
    assertThat(role(timeline, "ev-zoe-1", "knownByT")).isEqualTo("superseded ev-zoe-2");
    assertThat(role(timeline, "ev-zoe-2", "knownByT")).isEqualTo("decides");
    assertThat(role(timeline, "ev-zoe-2", "heldAtT")).isEqualTo("ignored REVOKED_BY_WITHDRAWAL");
    assertThat(role(timeline, "ev-zoe-3", "heldAtT")).isEqualTo("ignored UNVERIFIABLE_EVIDENCE");
    assertThat(role(timeline, "ev-zoe-4", "heldAtT")).isEqualTo("ignored OTHER_BRAND_EVIDENCE");
    assertThat(role(timeline, "ev-zoe-5", "knownByT")).isEqualTo("not-yet-appended");
    assertThat(role(timeline, "ev-zoe-5", "heldAtT")).isEqualTo("decides");
    JsonNode late = entry(timeline, "ev-zoe-5");
    assertThat(late.get("eventTime").asText()).isEqualTo("2024-05-20T18:30:00Z");
    assertThat(late.get("appendedAt").asText()).isEqualTo("2024-06-03T09:12:00Z");
    assertThat(entry(timeline, "ev-zoe-2").at("/proof/reference").asText()).isEqualTo("form-sub-2002");

    CliRun text = CliRun.of("explain", "--contact", "c-zoe", "--at", "2024-06-01T09:00:00Z", "--input", APPENDED);
    assertThat(text.out()).contains("2. what the records appended by T decide as of T: ALLOW CONSENTED_EXPLICIT")
        .contains("3. what held at T in the light of everything known now: DENY WITHDRAWN")
        .contains("REVOKED_BY_WITHDRAWAL: a grant made at or before the latest withdrawal is revoked");
    assertThat(CliRun.of("explain", "--contact", "c-zoe", "--at", "2024-06-01T09:00:00Z", "--input", APPENDED, "--json").out())
        .as("deterministic").isEqualTo(run.out());
  }

  @Test
  void aHistoryWithoutAppendTimesCannotSayWhatWasKnownAndSaysSo() throws Exception {
    CliRun run = CliRun.of("explain", "--contact", "c-chen", "--at", "2024-05-01", "--input", EXAMPLE, "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode x = JSON.readTree(run.out());
    assertThat(x.at("/knownByT/answered").asBoolean()).isFalse();
    assertThat(x.at("/knownByT/note").asText()).contains("no append time").contains("export");
    assertThat(x.at("/heldAtT/verdict/status").asText()).isEqualTo("WITHDRAWN");
    assertThat(role(x.get("timeline"), "ev-chen-3", "heldAtT")).isEqualTo("after-t");

    CliRun before = CliRun.of("explain", "--contact", "c-jo", "--at", "2024-05-21T07:58:30Z", "--input", EXAMPLE);
    assertThat(before.out()).contains("3. what held at T in the light of everything known now: DENY NO_CONSENT");
    CliRun nobody = CliRun.of("explain", "--contact", "c-nobody", "--at", "2024-05-01", "--input", EXAMPLE);
    assertThat(nobody.exitCode()).isZero();
    assertThat(nobody.out()).contains("no contact yet");
    assertThat(nobody.err()).contains("no record of contact c-nobody");
    CliRun noContact = CliRun.of("explain", "--at", "2024-05-01", "--input", EXAMPLE);
    assertThat(noContact.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(noContact.err()).contains("--contact");
  }

  @Test
  void whatIfAcmeMovesToStrictListsTheContactsThatLoseConsent() throws Exception {
    Path flips = dir.resolve("flips.jsonl");
    CliRun run = CliRun.of("whatif", "--input", EXAMPLE, "--candidate-config", ACME_STRICT, "--flips", flips.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("what-if as of 2025-08-18T10:02:00Z: 22 contacts")
        .contains("candidate: " + ACME_STRICT + ": optin for every brand but acme (strict)")
        .contains("may email -> may not: 4  (c-ann, c-bob, c-hana, c-tara-event)")
        .contains("may not -> may email: 0")
        // c-jo, c-eli, c-sam stay; c-ann waits for a confirmation; c-tara-event's checkbox, not
        // counting under strict, no longer lifts the suppression by c-tara's complaint.
        .containsPattern("(?m)CONSENTED_EXPLICIT +3 +\\. +1 +(\\. +)+1 *$");
    List<String> lines = Files.readAllLines(flips);
    assertThat(lines).extracting(l -> json(l).get("contactId").asText()).containsExactly("c-ann", "c-bob", "c-hana", "c-tara-event");
    assertThat(json(lines.get(0)).get("change").asText()).isEqualTo("LOSES");
    assertThat(json(lines.get(0)).at("/candidate/status").asText()).isEqualTo("PENDING_CONFIRMATION");
    assertThat(json(lines.get(0)).at("/baseline/policy").asText()).isEqualTo("optin/1");

    // Both ways: with the files swapped, the same contacts gain.
    Path optin = Files.writeString(dir.resolve("optin.properties"), "policy.default-profile=optin\n");
    CliRun back = CliRun.of("whatif", "--input", EXAMPLE, "--baseline-config", ACME_STRICT, "--candidate-config",
        optin.toString());
    assertThat(back.out()).contains("may not -> may email: 4  (c-ann, c-bob, c-hana, c-tara-event)");
    assertThat(CliRun.of("whatif", "--input", EXAMPLE, "--candidate-config", ACME_STRICT).out()).isEqualTo(run.out());

    Path avro = dir.resolve("flips.avro");
    CliRun toAvro = CliRun.of("whatif", "--input", EXAMPLE, "--candidate-config", ACME_STRICT, "--flips", avro.toString(),
        "--format", "avro");
    assertThat(toAvro.exitCode()).as(toAvro.err()).isZero();
    try (DataFileReader<GenericRecord> reader = new DataFileReader<>(avro.toFile(), new GenericDatumReader<>())) {
      assertThat(reader.getSchema().getField("candidateStatus")).isNotNull();
      List<String> ids = new ArrayList<>();
      reader.forEach(r -> ids.add(r.get("contactId").toString()));
      assertThat(ids).containsExactly("c-ann", "c-bob", "c-hana", "c-tara-event");
    }

    CliRun missing = CliRun.of("whatif", "--input", EXAMPLE, "--candidate-config", dir.resolve("nope.properties").toString());
    assertThat(missing.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(missing.err()).contains("cannot read config file");
    CliRun both = CliRun.of("whatif", "--input", EXAMPLE, "--candidate-config", ACME_STRICT, "--config", ACME_STRICT,
        "--baseline-config", ACME_STRICT);
    assertThat(both.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
  }

  @Test
  void whatIfAsOfCutsTheHistoryFirst() {
    CliRun run = CliRun.of("whatif", "--input", EXAMPLE, "--candidate-config", ACME_STRICT, "--as-of", "2024-04-01");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("what-if as of 2024-04-01T00:00:00Z: 3 contacts")
        .contains("may email -> may not: 3  (c-ann, c-bob, c-chen)");
  }

  private static JsonNode entry(JsonNode timeline, String evidenceId) {
    for (JsonNode e : timeline) {
      if (evidenceId.equals(e.path("evidenceId").asText())) {
        return e;
      }
    }
    throw new AssertionError("no " + evidenceId + " in the timeline");
  }

  private static String role(JsonNode timeline, String evidenceId, String view) {
    JsonNode role = entry(timeline, evidenceId).get(view);
    return role.get("role").asText() + (role.has("code") ? " " + role.get("code").asText() : "");
  }

  private static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError(line, e);
    }
  }
}
