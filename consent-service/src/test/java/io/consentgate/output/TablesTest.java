package io.consentgate.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.Decision;
import io.consentgate.events.EvidenceKind;
import io.consentgate.events.Proof;
import io.consentgate.history.HistoryRecord;
import io.consentgate.replay.HistoryLine;
import io.consentgate.replay.ParsedHistory;
import io.consentgate.topics.GateTopics;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** What export and replay write for hard bounces and the statuses of suppression by address, in every format. */
class TablesTest {

  private static final Instant AT = Instant.parse("2024-02-07T10:00:00Z");

  private static HistoryRecord bounce(String proof) {
    return new HistoryRecord(ConsentEvidence.newBuilder().setEvidenceId("b-2").setContactId("c-cat").setBrandId("acme")
        .setKind(EvidenceKind.HARD_BOUNCE).setOccurredAt(AT)
        .setProof(proof == null ? null : Proof.newBuilder().setReference(proof).build()).build(), AT.plusSeconds(2));
  }

  private static ConsentVerdict verdict(ConsentStatus status, boolean oneToOne, List<String> reasons) {
    return ConsentVerdict.newBuilder().setContactId("c-ann2").setBrandId("acme").setEmail("ann+shop@example.org")
        .setDecision(Decision.DENY).setStatus(status).setOneToOneAllowed(oneToOne).setValidUntil(null)
        .setReasons(reasons).setEvidenceIds(List.of("u-9")).setRecommendations(List.of()).setDecidedAt(AT)
        .setPolicy("optin/1").setVersion(2).setEpoch(0).build();
  }

  private static <T> String text(OutputFormat format, Table<T> table, List<T> rows) throws Exception {
    StringWriter out = new StringWriter();
    try (RowWriter<T> writer = RowWriter.text(format, table, out)) {
      for (T row : rows) {
        writer.write(row);
      }
    }
    return out.toString();
  }

  private static <T> List<GenericRecord> avro(Table<T> table, List<T> rows) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (RowWriter<T> writer = RowWriter.avro(table, bytes)) {
      for (T row : rows) {
        writer.write(row);
      }
    }
    List<GenericRecord> read = new ArrayList<>();
    try (DataFileStream<GenericRecord> in = new DataFileStream<>(new java.io.ByteArrayInputStream(bytes.toByteArray()),
        new GenericDatumReader<>())) {
      in.forEach(read::add);
    }
    return read;
  }

  @Test
  void aHardBounceIsExportedInEveryFormatAndReadBackAsTheSameRecord() throws Exception {
    List<HistoryRecord> rows = List.of(bounce("msg-4711"), bounce(null));
    String json = text(OutputFormat.JSON, Tables.HISTORY, rows);
    assertThat(json).contains("\"kind\":\"HARD_BOUNCE\"").contains("\"reference\":\"msg-4711\"");
    List<HistoryLine> lines = new ArrayList<>();
    try (ParsedHistory parsed = new ParsedHistory(new BufferedReader(new StringReader(json)), GateTopics.DEFAULTS)) {
      parsed.forEachRemaining(lines::add);
    }
    assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l).isInstanceOf(HistoryLine.Accepted.class));
    HistoryLine.Accepted first = (HistoryLine.Accepted) lines.get(0);
    assertThat(first.record()).isEqualTo(rows.get(0).record());
    assertThat(first.appendedAt()).isEqualTo(AT.plusSeconds(2));
    assertThat(((io.consentgate.policy.Evidence) first.event()).kind()).isEqualTo(io.consentgate.policy.EvidenceKind.HARD_BOUNCE);
    assertThat(((io.consentgate.policy.Evidence) first.event()).isVerifiable()).isTrue();
    assertThat(((io.consentgate.policy.Evidence) ((HistoryLine.Accepted) lines.get(1)).event()).isVerifiable())
        .as("a bounce without proof is kept, and ignored by the policy").isFalse();

    String csv = text(OutputFormat.CSV, Tables.HISTORY, rows);
    assertThat(csv.lines().toList().get(1)).contains(",b-2,HARD_BOUNCE,2024-02-07T10:00:00Z,msg-4711,");

    List<GenericRecord> avro = avro(Tables.HISTORY, rows);
    assertThat(avro.get(0).get("kind").toString()).isEqualTo("HARD_BOUNCE");
    assertThat(avro.get(0).get("proofReference").toString()).isEqualTo("msg-4711");
    assertThat(avro.get(1).get("proofReference")).isNull();
  }

  @Test
  void theNewStatusesAreWrittenAsTheirSymbolsInEveryFormat() throws Exception {
    List<ConsentVerdict> rows = List.of(verdict(ConsentStatus.SUPPRESSED, true, List.of("SUPPRESSED",
        "WITHDRAWN_ELSEWHERE:c-ann/u-9")), verdict(ConsentStatus.UNDELIVERABLE, false, List.of("UNDELIVERABLE")));
    String json = text(OutputFormat.JSON, Tables.VERDICTS, rows);
    assertThat(json.lines().toList().get(0)).contains("\"status\":\"SUPPRESSED\"").contains("WITHDRAWN_ELSEWHERE:c-ann/u-9");
    assertThat(json.lines().toList().get(1)).contains("\"status\":\"UNDELIVERABLE\"").contains("\"oneToOneAllowed\":false");
    String csv = text(OutputFormat.CSV, Tables.VERDICTS, rows);
    assertThat(csv.lines().toList().get(1)).contains(",DENY,SUPPRESSED,true,");
    assertThat(csv.lines().toList().get(2)).contains(",DENY,UNDELIVERABLE,false,");
    List<GenericRecord> avro = avro(Tables.VERDICTS, rows);
    assertThat(avro).extracting(r -> r.get("status").toString()).containsExactly("SUPPRESSED", "UNDELIVERABLE");
  }
}
