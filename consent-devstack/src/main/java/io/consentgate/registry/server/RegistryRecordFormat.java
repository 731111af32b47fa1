package io.consentgate.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * How a {@link RegistryEntry} is laid out as a record of the compacted schemas topic, modelled on
 * Confluent's {@code _schemas}: the key names what the record is about (compaction keeps the
 * latest record per key, so a key must be byte-for-byte the same each time), the value holds its
 * state. <pre>
 * {"keytype":"SCHEMA","subject":"s","version":1,"magic":1} {"subject":"s","version":1,"id":1,"schema":"...","deleted":false}
 * {"keytype":"SCHEMA","subject":"s","version":1,"magic":1} null  (version deleted permanently: a tombstone)
 * {"keytype":"CONFIG","subject":"s","magic":0}            {"compatibilityLevel":"FULL"}
 * {"keytype":"CONFIG","subject":null,"magic":0}           null  (global level reset: a tombstone)
 * </pre>
 */
final class RegistryRecordFormat {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RegistryRecordFormat() {}

  static byte[] key(RegistryEntry entry) {
    if (entry instanceof RegistryEntry.SchemaVersion v) {
      return schemaKey(v.subject(), v.version());
    }
    if (entry instanceof RegistryEntry.HardDeletedVersion v) {
      // The same key as the version's records, or compaction would keep them.
      return schemaKey(v.subject(), v.version());
    }
    return bytes(JSON.createObjectNode().put("keytype", "CONFIG").put("subject", entry.subject()).put("magic", 0));
  }

  private static byte[] schemaKey(String subject, int version) {
    return bytes(JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1));
  }

  /**
   * Null for a permanently deleted version or a removed compatibility level: a tombstone, which
   * compaction eventually drops with the key's older records.
   */
  static byte[] value(RegistryEntry entry) {
    if (entry instanceof RegistryEntry.SchemaVersion v) {
      return bytes(JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
          .put("schema", v.schema()).put("deleted", v.deleted()));
    }
    if (entry instanceof RegistryEntry.HardDeletedVersion) {
      return null;
    }
    CompatibilityLevel level = ((RegistryEntry.CompatibilityConfig) entry).level();
    return level == null ? null : bytes(JSON.createObjectNode().put("compatibilityLevel", level.name()));
  }

  /** The entry a record holds; empty for kinds this registry never writes (another registry's NOOP or MODE records). */
  static Optional<RegistryEntry> entry(byte[] key, byte[] value) {
    JsonNode k = read(key);
    String subject = k.path("subject").isTextual() ? k.path("subject").asText() : null;
    switch (k.path("keytype").asText()) {
      case "SCHEMA":
        if (value == null) {
          return Optional.of(new RegistryEntry.HardDeletedVersion(subject, k.path("version").asInt()));
        }
        JsonNode v = read(value);
        return Optional.of(new RegistryEntry.SchemaVersion(v.path("subject").asText(), v.path("version").asInt(),
            v.path("id").asInt(), v.path("schema").asText(), v.path("deleted").asBoolean(false)));
      case "CONFIG":
        if (value == null) {
          return Optional.of(new RegistryEntry.CompatibilityConfig(subject, null));
        }
        String level = read(value).path("compatibilityLevel").asText();
        return Optional.of(new RegistryEntry.CompatibilityConfig(subject, CompatibilityLevel.forName(level)
            .orElseThrow(() -> new IllegalArgumentException("unknown compatibility level '" + level + "'"))));
      default:
        return Optional.empty();
    }
  }

  private static JsonNode read(byte[] bytes) {
    if (bytes == null) {
      throw new IllegalArgumentException("record without a key");
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
    }
  }

  private static byte[] bytes(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }
}
