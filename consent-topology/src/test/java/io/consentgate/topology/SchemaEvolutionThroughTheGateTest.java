package io.consentgate.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.serde.ConfluentAvroSerde;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * Producers upgrade at their own pace: the gate decides records written with a newer schema (an
 * extra optional field, new enum symbols) and with an older one, each resolved through the
 * schema id in the record and the registry.
 */
class SchemaEvolutionThroughTheGateTest {

  private static final Instant T0 = Instant.parse("2024-03-10T08:00:00Z");

  @Test
  void recordsFromANewerProducerAreDecidedAndUnknownSymbolsFailClosed() throws IOException {
    try (GateTestDriver gate = new GateTestDriver()) {
      Schema contactV2 = evolve(new ConfluentAvroSerde<>(gate.registry, ContactCreated.class).registeredSchema(),
          "\"MET_IN_PERSON\"]", "\"MET_IN_PERSON\",\"QR_CODE_SCAN\"]", "createdAt");
      Schema evidenceV2 = evolve(new ConfluentAvroSerde<>(gate.registry, ConsentEvidence.class).registeredSchema(),
          "\"HARD_BOUNCE\"]", "\"HARD_BOUNCE\",\"SMS_OPT_IN\"]", "occurredAt");

      GenericRecord contact = new GenericData.Record(contactV2);
      contact.put("contactId", "c-1");
      contact.put("brandId", "acme");
      contact.put("email", "ann@example.org");
      contact.put("source", new GenericData.EnumSymbol(contactV2.getField("source").schema(), "QR_CODE_SCAN"));
      contact.put("locale", "de-DE");
      contact.put("createdAt", T0.toEpochMilli());
      gate.rawContacts.pipeInput(bytes("c-1"), encode(gate, "contact-created-value", contactV2, contact));

      GenericRecord grant = evidence(evidenceV2, "e-1", "CHECKBOX_OPT_IN", T0.plusSeconds(5));
      gate.rawEvidence.pipeInput(bytes("c-1"), encode(gate, "consent-evidence-value", evidenceV2, grant));

      GenericRecord unknownAction = evidence(evidenceV2, "e-2", "SMS_OPT_IN", T0.plusSeconds(10));
      gate.rawEvidence.pipeInput(bytes("c-1"), encode(gate, "consent-evidence-value", evidenceV2, unknownAction));

      List<ConsentVerdict> verdicts = gate.readVerdicts();
      assertThat(gate.readDeadLetters()).isEmpty();
      assertThat(verdicts).extracting(ConsentVerdict::getStatus).containsExactly(
          ConsentStatus.NO_CONSENT,          // unknown source read as MANUAL_ENTRY
          ConsentStatus.CONSENTED_EXPLICIT,  // the newer producer's checkbox counts
          ConsentStatus.WITHDRAWN);          // an action this gate does not know reads as UNSUBSCRIBE: fail closed
      assertThat(verdicts.get(0).getReasons()).contains("SOURCE:MANUAL_ENTRY");
    }
  }

  @Test
  void recordsFromAnOlderProducerWithoutTheProofFieldAreDecided() throws IOException {
    try (GateTestDriver gate = new GateTestDriver()) {
      Schema current = new ConfluentAvroSerde<>(gate.registry, ConsentEvidence.class).registeredSchema();
      List<Schema.Field> fields = current.getFields().stream().filter(f -> !f.name().equals("proof"))
          .map(f -> new Schema.Field(f, f.schema())).toList();
      Schema older = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);

      gate.send(GateTestDriver.contact("c-1", "ann@example.org", io.consentgate.events.ContactSource.OWN_CHANNEL, T0));
      GenericRecord unsubscribe = new GenericData.Record(older);
      unsubscribe.put("evidenceId", "e-1");
      unsubscribe.put("contactId", "c-1");
      unsubscribe.put("brandId", "acme");
      unsubscribe.put("kind", new GenericData.EnumSymbol(older.getField("kind").schema(), "UNSUBSCRIBE"));
      unsubscribe.put("occurredAt", T0.plusSeconds(5).toEpochMilli());
      gate.rawEvidence.pipeInput(bytes("c-1"), encode(gate, "consent-evidence-value", older, unsubscribe));

      assertThat(gate.readVerdicts()).extracting(ConsentVerdict::getStatus)
          .containsExactly(ConsentStatus.NO_CONSENT, ConsentStatus.WITHDRAWN);
    }
  }

  /** The current schema with one more enum symbol and a new optional field before {@code beforeField}. */
  private static Schema evolve(Schema current, String symbolsEnd, String widerSymbolsEnd, String beforeField) {
    String json = current.toString()
        .replace(symbolsEnd, widerSymbolsEnd)
        .replace("{\"name\":\"" + beforeField + "\"",
            "{\"name\":\"locale\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"" + beforeField + "\"");
    return new Schema.Parser().parse(json);
  }

  private static GenericRecord evidence(Schema schema, String id, String kind, Instant at) {
    GenericRecord e = new GenericData.Record(schema);
    e.put("evidenceId", id);
    e.put("contactId", "c-1");
    e.put("brandId", "acme");
    e.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), kind));
    e.put("occurredAt", at.toEpochMilli());
    Schema proofSchema = schema.getField("proof").schema().getTypes().get(1);
    GenericRecord proof = new GenericData.Record(proofSchema);
    proof.put("reference", "ref-" + id);
    e.put("proof", proof);
    e.put("locale", "de-DE");
    return e;
  }

  /** What a producer with its own (newer or older) schema writes: wire format with its registered id. */
  private static byte[] encode(GateTestDriver gate, String subject, Schema writer, GenericRecord record) throws IOException {
    int id = gate.registry.register(subject, writer);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(writer).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
