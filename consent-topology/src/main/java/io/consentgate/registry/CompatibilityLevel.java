package io.consentgate.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Confluent's compatibility levels. BACKWARD: the new schema reads data written with the old one
 * (consumers upgrade first). FORWARD: the old schema reads data written with the new one
 * (producers upgrade first). FULL: both. TRANSITIVE: against every live version, not only the latest.
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  /** The level of a registry that was never configured, as in Confluent's. */
  public static final CompatibilityLevel DEFAULT = BACKWARD;

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** Case-insensitive, as the registry's REST API accepts {@code "full"} as well as {@code "FULL"}. */
  public static Optional<CompatibilityLevel> forName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The versions a new schema must be compatible with: all live ones if transitive, else the latest. */
  List<SubjectVersion> versionsToCheck(List<SubjectVersion> liveVersionsOldestFirst) {
    if (transitive || liveVersionsOldestFirst.isEmpty()) {
      return liveVersionsOldestFirst;
    }
    return List.of(liveVersionsOldestFirst.get(liveVersionsOldestFirst.size() - 1));
  }

  /**
   * Why {@code candidate} may not follow {@code previous} at this level, in the shape of
   * Confluent's verbose messages; empty when it may.
   */
  List<String> incompatibilities(Schema candidate, List<SubjectVersion> previous) {
    List<String> messages = new ArrayList<>();
    for (SubjectVersion old : previous) {
      List<String> problems = new ArrayList<>();
      if (backward) {
        problems.addAll(describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema()),
            "The new schema cannot read data written with the old schema"));
      }
      if (forward) {
        problems.addAll(describe(SchemaCompatibility.checkReaderWriterCompatibility(old.schema(), candidate),
            "The old schema cannot read data written with the new schema"));
      }
      if (!problems.isEmpty()) {
        messages.addAll(problems);
        messages.add("{oldSchemaVersion: " + old.version() + "}");
      }
    }
    if (!messages.isEmpty()) {
      messages.add("{compatibility: '" + name() + "'}");
    }
    return messages;
  }

  private static List<String> describe(SchemaCompatibility.SchemaPairCompatibility result, String what) {
    List<String> out = new ArrayList<>();
    for (Incompatibility problem : result.getResult().getIncompatibilities()) {
      out.add("{errorType:'" + problem.getType() + "', description:'" + what + " at " + problem.getLocation()
          + "', additionalInfo:'" + problem.getMessage() + "'}");
    }
    return out;
  }
}
