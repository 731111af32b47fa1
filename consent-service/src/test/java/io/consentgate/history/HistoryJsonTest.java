package io.consentgate.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.Decision;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HistoryJsonTest {

  private static final String CONTACT =
      "{\"type\":\"contact\",\"contactId\":\"c-1\",\"brandId\":\"acme\",\"email\":\"ann@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"2024-01-05T10:00:00Z\"}";
  private static final String EVIDENCE =
      "{\"type\":\"evidence\",\"evidenceId\":\"ev-9\",\"contactId\":\"c-1\",\"brandId\":\"acme\",\"kind\":\"PURCHASE\",\"occurredAt\":\"2024-01-05T10:02:00Z\",\"proof\":{\"reference\":\"order-4411\"}}";

  @Test
  void readsTheExamplesOfEventsMd() throws Exception {
    ContactCreated c = (ContactCreated) HistoryJson.read(CONTACT);
    assertThat(c.getContactId()).isEqualTo("c-1");
    assertThat(c.getSource()).isEqualTo(ContactSource.OWN_CHANNEL);
    assertThat(c.getCreatedAt()).isEqualTo(Instant.parse("2024-01-05T10:00:00Z"));
    ConsentEvidence e = (ConsentEvidence) HistoryJson.read(EVIDENCE);
    assertThat(e.getKind()).isEqualTo(EvidenceKind.PURCHASE);
    assertThat(e.getProof().getReference()).isEqualTo("order-4411");
    assertThat(e.getProof().getUrl()).isNull();
  }

  @Test
  void writesWhatItReadsByteForByte() throws Exception {
    assertThat(HistoryJson.write((ContactCreated) HistoryJson.read(CONTACT))).isEqualTo(CONTACT);
    assertThat(HistoryJson.write((ConsentEvidence) HistoryJson.read(EVIDENCE))).isEqualTo(EVIDENCE);
  }

  /** export writes each record's Kafka timestamp as appendedAt, last; every reader takes it, and replay ignores it. */
  @Test
  void appendedAtIsOptionalOnBothTypesAndWrittenLast() throws Exception {
    Instant appended = Instant.parse("2024-01-06T08:00:00.250Z");
    ContactCreated c = (ContactCreated) HistoryJson.read(CONTACT);
    String line = HistoryJson.write(c, appended);
    assertThat(line).isEqualTo(CONTACT.replace("}", ",\"appendedAt\":\"2024-01-06T08:00:00.250Z\"}"));
    assertThat(HistoryJson.readEntry(line)).isEqualTo(new HistoryRecord(c, appended));
    assertThat(HistoryJson.read(line)).isEqualTo(c);
    assertThat(HistoryJson.readEntry(CONTACT).appendedAt()).isNull();
    assertThat(HistoryJson.write(new HistoryRecord(c, null))).isEqualTo(CONTACT);

    ConsentEvidence e = (ConsentEvidence) HistoryJson.read(EVIDENCE);
    String evidence = HistoryJson.write(new HistoryRecord(e, appended));
    assertThat(evidence).endsWith("\"proof\":{\"reference\":\"order-4411\"},\"appendedAt\":\"2024-01-06T08:00:00.250Z\"}");
    assertThat(HistoryJson.readEntry(evidence).appendedAt()).isEqualTo(appended);
    assertThat(HistoryJson.readEntry(EVIDENCE.replace("}}", "},\"appendedAt\":null}")).appendedAt()).isNull();

    assertThatThrownBy(() -> HistoryJson.read(CONTACT.replace("}", ",\"appendedAt\":\"yesterday\"}")))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessage("field 'appendedAt' is not an ISO-8601 UTC instant: 'yesterday'");
    assertThatThrownBy(() -> HistoryJson.read(CONTACT.replace("}", ",\"appendedAt\":5}")))
        .isInstanceOf(MalformedRecordException.class).hasMessage("field 'appendedAt' must be a string");
    assertThatThrownBy(() -> HistoryJson.readThroughTree(CONTACT.replace("}", ",\"appendedAt\":5}")))
        .isInstanceOf(MalformedRecordException.class).hasMessage("field 'appendedAt' must be a string");
  }

  /** Issue 23: a hard bounce is a line like any evidence, its proof the bounce's message id. */
  @Test
  void readsAndWritesAHardBounce() throws Exception {
    String bounce = EVIDENCE.replace("PURCHASE", "HARD_BOUNCE").replace("order-4411", "<bounce-77@mx.example>");
    ConsentEvidence e = (ConsentEvidence) HistoryJson.read(bounce);
    assertThat(e.getKind()).isEqualTo(EvidenceKind.HARD_BOUNCE);
    assertThat(e.getProof().getReference()).isEqualTo("<bounce-77@mx.example>");
    assertThat(HistoryJson.write(e)).isEqualTo(bounce);
    assertThat(HistoryJson.readThroughTree(bounce)).isEqualTo(e);
  }

  @Test
  void writesVerdictsWithTheNewStatuses() {
    for (ConsentStatus status : new ConsentStatus[] {ConsentStatus.UNDELIVERABLE, ConsentStatus.SUPPRESSED}) {
      ConsentVerdict v = ConsentVerdict.newBuilder()
          .setContactId("c-2").setBrandId("acme").setEmail("Ann+news@example.org")
          .setDecision(Decision.DENY).setStatus(status).setOneToOneAllowed(false).setValidUntil(null)
          .setReasons(java.util.List.of("WITHDRAWN_ELSEWHERE:c-1/ev-9")).setEvidenceIds(java.util.List.of("ev-9"))
          .setRecommendations(java.util.List.of()).setDecidedAt(Instant.parse("2025-01-01T00:00:00Z"))
          .setPolicy("optin/1").setVersion(1L).build();
      assertThat(HistoryJson.write(v)).contains("\"decision\":\"DENY\",\"status\":\"" + status.name() + "\"")
          .contains("\"reasons\":[\"WITHDRAWN_ELSEWHERE:c-1/ev-9\"]");
    }
  }

  @Test
  void evidenceWithoutProofIsValid() throws Exception {
    ConsentEvidence e = (ConsentEvidence) HistoryJson.read(EVIDENCE.replace(",\"proof\":{\"reference\":\"order-4411\"}", ""));
    assertThat(e.getProof()).isNull();
  }

  /** The wire carries timestamp-millis, so a replayed line must not decide on finer time than Kafka would. */
  @Test
  void readsEventTimesAtMillisecondPrecisionAsTheWireDoes() throws Exception {
    ContactCreated c = (ContactCreated) HistoryJson.read(CONTACT.replace("10:00:00Z", "10:00:00.123987Z"));
    assertThat(c.getCreatedAt()).isEqualTo(Instant.parse("2024-01-05T10:00:00.123Z"));
    ContactCreated early = (ContactCreated) HistoryJson.read(CONTACT.replace("2024-01-05T10:00:00Z", "1969-12-31T23:59:59.9995Z"));
    assertThat(early.getCreatedAt()).isEqualTo(Instant.parse("1969-12-31T23:59:59.999Z"));
    assertThatThrownBy(() -> HistoryJson.read(CONTACT.replace("2024-01-05T10:00:00Z", "+999999999-01-01T00:00:00Z")))
        .isInstanceOf(MalformedRecordException.class).hasMessageContaining("beyond the range of a millisecond timestamp");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not json             | {\"type\":                                   | not valid JSON",
      "array                | [1,2]                                        | not a JSON object",
      "unknown type         | {\"type\":\"verdict\"}                        | unknown type 'verdict'",
      "missing type         | {\"contactId\":\"c-1\"}                       | missing field 'type'",
  })
  void rejectsLinesThatAreNotRecords(String name, String line, String message) {
    assertThatThrownBy(() -> HistoryJson.read(line)).isInstanceOf(MalformedRecordException.class).hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "missing field      | \"email\":\"ann@example.org\",    |                             | missing field 'email'",
      "unknown symbol     | OWN_CHANNEL                       | BOUGHT_LIST                 | unknown symbol 'BOUGHT_LIST'",
      "bad instant        | 2024-01-05T10:00:00Z              | 2024-01-05 10:00            | not an ISO-8601 UTC instant",
      "wrong type         | \"contactId\":\"c-1\"             | \"contactId\":7             | field 'contactId' must be a string",
      "unknown field      | \"type\":\"contact\",             | \"type\":\"contact\",\"emial\":\"x\", | unknown field 'emial'",
  })
  void rejectsContactsThatBreakTheContract(String name, String from, String to, String message) {
    String line = CONTACT.replace(from, to == null ? "" : to);
    assertThatThrownBy(() -> HistoryJson.read(line)).isInstanceOf(MalformedRecordException.class).hasMessageContaining(message);
  }

  @Test
  void rejectsAProofWithoutReferenceOrWithAMisspeltField() {
    assertThatThrownBy(() -> HistoryJson.read(EVIDENCE.replace("{\"reference\":\"order-4411\"}", "{\"url\":\"https://x\"}")))
        .hasMessageContaining("missing field 'reference'");
    assertThatThrownBy(() -> HistoryJson.read(EVIDENCE.replace("\"proof\"", "\"prof\"")))
        .hasMessageContaining("unknown field 'prof'");
    assertThatThrownBy(() -> HistoryJson.read(EVIDENCE.replace("{\"reference\":\"order-4411\"}", "\"order-4411\"")))
        .hasMessageContaining("'proof' must be an object");
  }

  /**
   * A field given twice counts once, with its later value (what Jackson's tree does); an unknown
   * field is reported by the first one in the line. Both readers, since the streaming one keeps
   * its own field list.
   */
  @Test
  void aRepeatedFieldTakesItsLaterValueAndTheFirstUnknownFieldIsNamed() throws Exception {
    String twice = CONTACT.replace("\"brandId\":\"acme\",", "\"brandId\":\"acme\",\"contactId\":\"c-2\",");
    assertThat(((ContactCreated) HistoryJson.read(twice)).getContactId()).isEqualTo("c-2");
    assertThat(((ContactCreated) HistoryJson.readThroughTree(twice)).getContactId()).isEqualTo("c-2");

    String twoUnknown = CONTACT.replace("\"type\":\"contact\",", "\"type\":\"contact\",\"zeta\":\"1\",\"alpha\":\"2\",");
    assertThatThrownBy(() -> HistoryJson.read(twoUnknown)).hasMessage("unknown field 'zeta' in contact");
    assertThatThrownBy(() -> HistoryJson.readThroughTree(twoUnknown)).hasMessage("unknown field 'zeta' in contact");

    String tenFields = CONTACT.replace("}", ",\"f1\":null,\"f2\":null,\"f3\":null,\"f4\":null}");
    assertThatThrownBy(() -> HistoryJson.read(tenFields)).hasMessage("unknown field 'f1' in contact");
  }
}
