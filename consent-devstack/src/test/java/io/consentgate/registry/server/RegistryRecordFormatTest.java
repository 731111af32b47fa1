package io.consentgate.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RegistryRecordFormatTest {

  @Test
  void aSchemaVersionIsKeyedBySubjectAndVersion() {
    RegistryEntry entry = new RegistryEntry.SchemaVersion("s", 2, 7, "\"string\"", false);

    assertThat(text(RegistryRecordFormat.key(entry))).isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":2,\"magic\":1}");
    assertThat(text(RegistryRecordFormat.value(entry)))
        .isEqualTo("{\"subject\":\"s\",\"version\":2,\"id\":7,\"schema\":\"\\\"string\\\"\",\"deleted\":false}");
    assertThat(RegistryRecordFormat.entry(RegistryRecordFormat.key(entry), RegistryRecordFormat.value(entry))).contains(entry);
  }

  @Test
  void aPermanentlyDeletedVersionIsATombstoneUnderTheVersionsOwnKey() {
    RegistryEntry gone = new RegistryEntry.HardDeletedVersion("s", 2);

    assertThat(RegistryRecordFormat.key(gone))
        .as("the same key as the version's records, or compaction would keep them")
        .isEqualTo(RegistryRecordFormat.key(new RegistryEntry.SchemaVersion("s", 2, 7, "\"string\"", true)));
    assertThat(RegistryRecordFormat.value(gone)).isNull();
    assertThat(RegistryRecordFormat.entry(RegistryRecordFormat.key(gone), null)).contains(gone);
  }

  @Test
  void compatibilityLevelsAreKeyedBySubjectAndARemovedOneIsATombstone() {
    RegistryEntry global = new RegistryEntry.CompatibilityConfig(null, CompatibilityLevel.FULL);
    RegistryEntry removed = new RegistryEntry.CompatibilityConfig("s", null);

    assertThat(text(RegistryRecordFormat.key(global))).isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}");
    assertThat(text(RegistryRecordFormat.value(global))).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
    assertThat(RegistryRecordFormat.value(removed)).isNull();
    assertThat(RegistryRecordFormat.entry(RegistryRecordFormat.key(global), RegistryRecordFormat.value(global))).contains(global);
    assertThat(RegistryRecordFormat.entry(RegistryRecordFormat.key(removed), null)).contains(removed);
  }

  @Test
  void recordsOfOtherKindsAreSkippedAndGarbageIsAnError() {
    assertThat(RegistryRecordFormat.entry(bytes("{\"keytype\":\"NOOP\",\"magic\":0}"), null)).isEmpty();
    assertThatThrownBy(() -> RegistryRecordFormat.entry(bytes("not json"), bytes("{}")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
