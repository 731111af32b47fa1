package io.consentgate.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pins the event contract: every schema in src/main/avro must read data written with each released
 * version (backward) and be readable by each released version (forward). Released versions live in
 * src/test/resources/schema-history/NAME/vN.avsc; add the new one there when a change ships.
 */
class SchemaEvolutionTest {

  static {
    // Avro 1.12 instantiates only trusted classes; as the gate's serde does (AvroTrust), trust ours.
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
        type -> type.getName().startsWith("io.consentgate.")));
  }

  private static final Path CURRENT = Path.of("src/main/avro");
  private static final Path HISTORY = Path.of("src/test/resources/schema-history");

  @ParameterizedTest
  @ValueSource(strings = {"ContactCreated", "ConsentEvidence", "ConsentVerdict"})
  void currentSchemaIsFullyCompatibleWithEveryReleasedVersion(String name) {
    Schema current = parse(CURRENT.resolve(name + ".avsc"));
    List<Path> released = releasedVersions(name);
    assertThat(released).as("released versions of %s", name).isNotEmpty();
    for (Path old : released) {
      Schema previous = parse(old);
      assertThat(compatibility(current, previous))
          .as("backward: %s reads data written with %s", name, old.getFileName())
          .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
      assertThat(compatibility(previous, current))
          .as("forward: %s (released) reads data written with the current %s", old.getFileName(), name)
          .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ContactCreated", "ConsentEvidence", "ConsentVerdict"})
  void latestReleasedVersionIsTheCurrentSchema(String name) {
    // Forces a snapshot per shipped change, so the next change is checked against it.
    List<Path> released = releasedVersions(name);
    Schema latest = parse(released.get(released.size() - 1));
    assertThat(parse(CURRENT.resolve(name + ".avsc")))
        .as("src/main/avro/%s.avsc changed: copy it to schema-history/%s/v%d.avsc", name, name,
            released.size() + 1)
        .isEqualTo(latest);
  }

  @Test
  void generatedClassesCarryTheSchemasInTheirFiles() {
    // The generated classes add Java-only string props; the canonical form is what the wire sees.
    assertThat(canonical(ContactCreated.getClassSchema())).isEqualTo(canonical(parse(CURRENT.resolve("ContactCreated.avsc"))));
    assertThat(canonical(ConsentEvidence.getClassSchema())).isEqualTo(canonical(parse(CURRENT.resolve("ConsentEvidence.avsc"))));
    assertThat(canonical(ConsentVerdict.getClassSchema())).isEqualTo(canonical(parse(CURRENT.resolve("ConsentVerdict.avsc"))));
  }

  private static String canonical(Schema schema) {
    return SchemaNormalization.toParsingForm(schema);
  }

  @Test
  void theCheckRejectsARenamedField() {
    // Guards the guard: a rename is the classic breaking change and must be caught.
    Schema current = ContactCreated.getClassSchema();
    Schema renamed = new Schema.Parser().parse(current.toString().replace("\"email\"", "\"emailAddress\""));
    assertThat(compatibility(renamed, current)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  @Test
  void theCheckRejectsARemovedEnumSymbolWithoutDefault() {
    Schema current = ConsentVerdict.getClassSchema();
    Schema fewer = new Schema.Parser().parse(current.toString()
        .replace("\"EXPIRED\",", "").replace(",\"default\":\"NO_CONSENT\"", ""));
    assertThat(compatibility(fewer, current)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  @Test
  void enumsDefaultSoOldReadersSurviveNewSymbols() {
    assertThat(ContactCreated.getClassSchema().getField("source").schema().getEnumDefault()).isEqualTo("MANUAL_ENTRY");
    assertThat(ConsentEvidence.getClassSchema().getField("kind").schema().getEnumDefault()).isEqualTo("UNSUBSCRIBE");
    assertThat(ConsentVerdict.getClassSchema().getField("decision").schema().getEnumDefault()).isEqualTo("DENY");
    assertThat(ConsentVerdict.getClassSchema().getField("status").schema().getEnumDefault()).isEqualTo("NO_CONSENT");
  }

  // Issue 23 appended HARD_BOUNCE to EvidenceKind and UNDELIVERABLE, SUPPRESSED to ConsentStatus.
  // The compatibility check above says old and new readers can resolve each other's schemas; these
  // say what they then read, record by record, through the enum defaults: a symbol an old reader
  // does not know must come out on the closed side.

  @ParameterizedTest
  @ValueSource(strings = {"v1"})
  void aReaderOlderThanHardBounceReadsABounceAsAnUnsubscribe(String version) {
    Schema old = parse(HISTORY.resolve("ConsentEvidence").resolve(version + ".avsc"));
    assertThat(old.getField("kind").schema().getEnumSymbols()).doesNotContain("HARD_BOUNCE");
    ConsentEvidence bounce = ConsentEvidence.newBuilder()
        .setEvidenceId("ev-1").setContactId("c-1").setBrandId("acme").setKind(EvidenceKind.HARD_BOUNCE)
        .setOccurredAt(Instant.parse("2025-03-01T10:00:00Z"))
        .setProof(Proof.newBuilder().setReference("<bounce-4711@mx.example>").build())
        .build();

    GenericRecord read = readWith(old, ConsentEvidence.getClassSchema(), write(bounce));

    assertThat(read.get("kind")).hasToString("UNSUBSCRIBE"); // a withdrawal: fails closed
    assertThat(read.get("evidenceId")).hasToString("ev-1");
    assertThat(((GenericRecord) read.get("proof")).get("reference")).hasToString("<bounce-4711@mx.example>");
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1", "v2"})
  void aReaderOlderThanTheNewStatusesReadsThemAsNoConsentAndDeny(String version) {
    Schema old = parse(HISTORY.resolve("ConsentVerdict").resolve(version + ".avsc"));
    assertThat(old.getField("status").schema().getEnumSymbols()).doesNotContain("UNDELIVERABLE", "SUPPRESSED");
    for (ConsentStatus status : new ConsentStatus[] {ConsentStatus.UNDELIVERABLE, ConsentStatus.SUPPRESSED}) {
      ConsentVerdict verdict = verdict(status, Decision.DENY, List.of("BOUNCED_ELSEWHERE:c-2/ev-9"));

      GenericRecord read = readWith(old, ConsentVerdict.getClassSchema(), write(verdict));

      assertThat(read.get("status")).as("%s read by %s", status, version).hasToString("NO_CONSENT");
      assertThat(read.get("decision")).as("%s read by %s", status, version).hasToString("DENY");
      assertThat(read.get("oneToOneAllowed")).isEqualTo(false);
      assertThat(read.get("reasons").toString()).contains("BOUNCED_ELSEWHERE:c-2/ev-9");
    }
  }

  @Test
  void aReaderOlderThanTheNewStatusesStillReadsTheOldOnesAsTheyAre() {
    Schema old = parse(HISTORY.resolve("ConsentVerdict").resolve("v2.avsc"));
    GenericRecord read = readWith(old, ConsentVerdict.getClassSchema(),
        write(verdict(ConsentStatus.CONSENTED_EXPLICIT, Decision.ALLOW, List.of())));
    assertThat(read.get("status")).hasToString("CONSENTED_EXPLICIT");
    assertThat(read.get("decision")).hasToString("ALLOW");
  }

  @Test
  void theCurrentReaderReadsEvidenceWrittenWithTheOldSchema() {
    Schema old = parse(HISTORY.resolve("ConsentEvidence").resolve("v1.avsc"));
    Schema oldProof = old.getField("proof").schema().getTypes().get(1);
    for (String kind : old.getField("kind").schema().getEnumSymbols()) {
      GenericRecord written = new GenericRecordBuilder(old)
          .set("evidenceId", "ev-" + kind).set("contactId", "c-1").set("brandId", "acme")
          .set("kind", new GenericData.EnumSymbol(old.getField("kind").schema(), kind))
          .set("occurredAt", Instant.parse("2024-06-01T10:00:00Z").toEpochMilli())
          .set("proof", new GenericRecordBuilder(oldProof).set("reference", "form-1").build())
          .build();

      ConsentEvidence read = readSpecific(old, ConsentEvidence.getClassSchema(), writeGeneric(old, written));

      assertThat(read.getKind()).isEqualTo(EvidenceKind.valueOf(kind));
      assertThat(read.getProof().getReference()).isEqualTo("form-1");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1", "v2"})
  void theCurrentReaderReadsVerdictsWrittenWithAnOldSchema(String version) {
    Schema old = parse(HISTORY.resolve("ConsentVerdict").resolve(version + ".avsc"));
    Schema statusSchema = old.getField("status").schema();
    for (String status : statusSchema.getEnumSymbols()) {
      GenericRecordBuilder written = new GenericRecordBuilder(old)
          .set("contactId", "c-1").set("brandId", "acme").set("email", "ann@example.org")
          .set("decision", new GenericData.EnumSymbol(old.getField("decision").schema(), "DENY"))
          .set("status", new GenericData.EnumSymbol(statusSchema, status))
          .set("oneToOneAllowed", true).set("validUntil", null)
          .set("reasons", List.of()).set("evidenceIds", List.of()).set("recommendations", List.of())
          .set("decidedAt", Instant.parse("2025-01-01T00:00:00Z").toEpochMilli())
          .set("policy", "optin/1").set("version", 3L);
      if (old.getField("epoch") != null) {
        written.set("epoch", 2L);
      }

      ConsentVerdict read = readSpecific(old, ConsentVerdict.getClassSchema(), writeGeneric(old, written.build()));

      assertThat(read.getStatus()).isEqualTo(ConsentStatus.valueOf(status));
      assertThat(read.getVersion()).isEqualTo(3L);
      assertThat(read.getEpoch()).isEqualTo(old.getField("epoch") == null ? 0L : 2L);
    }
  }

  private static ConsentVerdict verdict(ConsentStatus status, Decision decision, List<String> reasons) {
    return ConsentVerdict.newBuilder()
        .setContactId("c-1").setBrandId("acme").setEmail("Ann+news@example.org")
        .setDecision(decision).setStatus(status).setOneToOneAllowed(decision == Decision.ALLOW)
        .setValidUntil(null).setReasons(reasons).setEvidenceIds(List.of("ev-9")).setRecommendations(List.of())
        .setDecidedAt(Instant.parse("2025-03-01T10:00:00Z")).setPolicy("optin/1").setVersion(1L).setEpoch(0L)
        .build();
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> byte[] write(T record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new SpecificDatumWriter<T>(record.getSchema()).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] writeGeneric(Schema schema, GenericRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** What a reader holding {@code reader} makes of bytes written with {@code writer}, as a registry-aware deserializer resolves them. */
  private static GenericRecord readWith(Schema reader, Schema writer, byte[] bytes) {
    try {
      return new GenericDatumReader<GenericRecord>(writer, reader).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T readSpecific(Schema writer, Schema reader, byte[] bytes) {
    try {
      return new SpecificDatumReader<T>(writer, reader).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SchemaCompatibilityType compatibility(Schema reader, Schema writer) {
    return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType();
  }

  private static List<Path> releasedVersions(String name) {
    try (Stream<Path> files = Files.list(HISTORY.resolve(name))) {
      return files.filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc"))
          .sorted(Comparator.comparingInt(SchemaEvolutionTest::versionOf))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int versionOf(Path p) {
    String f = p.getFileName().toString();
    return Integer.parseInt(f.substring(1, f.length() - ".avsc".length()));
  }

  private static Schema parse(Path file) {
    try {
      return new Schema.Parser().parse(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
