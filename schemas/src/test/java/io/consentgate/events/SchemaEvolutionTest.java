package io.consentgate.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pins the event contract: every schema in src/main/avro must read data written with each released
 * version (backward) and be readable by each released version (forward). Released versions live in
 * src/test/resources/schema-history/NAME/vN.avsc; add the new one there when a change ships.
 */
class SchemaEvolutionTest {

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
