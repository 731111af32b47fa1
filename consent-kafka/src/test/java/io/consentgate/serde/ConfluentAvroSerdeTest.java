package io.consentgate.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ConfluentAvroSerde<ContactCreated> serde = new ConfluentAvroSerde<>(registry, ContactCreated.class);
  private final ContactCreated ann = ContactCreated.newBuilder().setContactId("c-1").setBrandId("acme")
      .setEmail("ann@example.org").setSource(ContactSource.OWN_CHANNEL).setCreatedAt(Instant.parse("2024-01-05T10:00:00Z")).build();

  @Test
  void writesMagicByteThenTheRegisteredSchemaIdBigEndianThenAvro() {
    byte[] bytes = serde.serialize("contact-created", ann);
    assertThat(bytes[0]).isEqualTo((byte) 0);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    assertThat(registry.schemaById(id).getFullName()).isEqualTo("io.consentgate.events.ContactCreated");
    assertThat(registry.hasSubject("contact-created-value")).isTrue();
    assertThat(serde.deserialize("contact-created", bytes)).isEqualTo(ann);
  }

  /** Consumers in any language read these bytes: the reused, buffered encoder writes exactly Avro's. */
  @Test
  void writesExactlyTheBytesOfAvrosDirectEncoderRecordAfterRecord() throws Exception {
    for (ContactCreated c : java.util.List.of(ann, ContactCreated.newBuilder(ann).setContactId("c-2é").setEmail("zoë@example.org")
        .build(), ann)) {
      byte[] bytes = serde.serialize("contact-created", c);
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      expected.write(java.util.Arrays.copyOf(bytes, 5));
      BinaryEncoder direct = EncoderFactory.get().directBinaryEncoder(expected, null);
      new org.apache.avro.specific.SpecificDatumWriter<>(ContactCreated.class).write(c, direct);
      direct.flush();
      assertThat(bytes).isEqualTo(expected.toByteArray());
      assertThat(serde.deserialize("contact-created", bytes)).isEqualTo(c);
    }
  }

  @Test
  void registersTheSchemaAsWrittenInTheAvscWithoutJavaOnlyHints() {
    assertThat(serde.registeredSchema().toString()).doesNotContain("avro.java.string");
  }

  @Test
  void readsDataWrittenWithAnOlderOrNewerWriterSchemaThroughTheRegistry() throws Exception {
    // A newer producer adds an optional field and a new source symbol this reader does not know.
    String newer = serde.registeredSchema().toString()
        .replace("\"MET_IN_PERSON\"]", "\"MET_IN_PERSON\",\"QR_CODE\"]")
        .replace("{\"name\":\"createdAt\"", "{\"name\":\"locale\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"createdAt\"");
    Schema writer = new Schema.Parser().parse(newer);
    int id = registry.register("contact-created-value", writer);
    GenericRecord record = new GenericData.Record(writer);
    record.put("contactId", "c-9");
    record.put("brandId", "acme");
    record.put("email", "zoe@example.org");
    record.put("source", new GenericData.EnumSymbol(writer.getField("source").schema(), "QR_CODE"));
    record.put("locale", "de");
    record.put("createdAt", 1_700_000_000_000L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(writer).write(record, enc);
    enc.flush();

    ContactCreated read = serde.deserialize("contact-created", out.toByteArray());
    assertThat(read.getContactId()).isEqualTo("c-9");
    assertThat(read.getSource()).as("unknown symbols read as the enum default").isEqualTo(ContactSource.MANUAL_ENTRY);
  }

  @Test
  void rejectsBytesItCannotRead() {
    assertThatThrownBy(() -> serde.deserialize("t", new byte[] {1, 0, 0, 0, 1})).isInstanceOf(SerializationException.class)
        .hasMessageContaining("magic byte");
    assertThatThrownBy(() -> serde.deserialize("t", new byte[] {0, 0})).isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> serde.deserialize("t", new byte[] {0, 0, 0, 0, 99, 2})).isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id 99");
    byte[] good = serde.serialize("t", ann);
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 3);
    assertThatThrownBy(() -> serde.deserialize("t", trailing)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("trailing bytes");
  }
}
