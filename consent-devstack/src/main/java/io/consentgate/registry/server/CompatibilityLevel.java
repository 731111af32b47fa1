package io.consentgate.registry.server;

import io.consentgate.registry.IncompatibleSchemaException;
import io.consentgate.registry.RegistryUnreachableException;
import io.consentgate.registry.RestClientException;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.registry.SubjectVersion;
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
 * The messages are Confluent's (its AbstractSchemaRegistry.isCompatibleWithPrevious,
 * CompatibilityChecker, SchemaValidatorBuilder and avro.Difference), so tools that show them read
 * the same text from either registry.
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

  /** Confluent cuts the old schema in an incompatibility message at 10 KiB. */
  private static final int MAX_SCHEMA_IN_MESSAGE = 10 * 1024;

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

  /**
   * Why {@code candidate} may not follow {@code history} (the versions it is checked against,
   * oldest first) at this level, in Confluent's words; empty when it may. As Confluent's
   * validators: a non-transitive level checks the newest of {@code history} only; a transitive one
   * checks from the newest back and stops at the first version that fails, whose problems are the
   * answer.
   */
  List<String> incompatibilities(Schema candidate, List<SubjectVersion> history) {
    List<String> messages = new ArrayList<>();
    if (this == NONE) {
      return messages;
    }
    for (int i = history.size() - 1; i >= 0 && messages.isEmpty(); i--) {
      messages.addAll(incompatibilities(candidate, history.get(i)));
      if (!transitive) {
        break;
      }
    }
    if (!messages.isEmpty()) {
      // Confluent's schema.validate.fields, off by default, has no equivalent here.
      messages.add("{validateFields: 'false', compatibility: '" + name() + "'}");
    }
    return messages;
  }

  /**
   * Confluent's strategies: forward (the old schema reads the new) first, then backward (the new
   * reads the old); the old version and schema follow the problems of the last direction checked,
   * as in Confluent's SchemaValidatorBuilder.
   */
  private List<String> incompatibilities(Schema candidate, SubjectVersion old) {
    List<String> messages = new ArrayList<>();
    if (forward) {
      messages.addAll(describe(SchemaCompatibility.checkReaderWriterCompatibility(old.schema(), candidate), "old", "new",
          backward ? null : old));
    }
    if (backward) {
      messages.addAll(describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema()), "new", "old", old));
    }
    return messages;
  }

  /** Confluent's Difference texts, then the old version and schema when {@code old} is given. */
  private static List<String> describe(SchemaCompatibility.SchemaPairCompatibility result, String reader, String writer,
      SubjectVersion old) {
    List<String> out = new ArrayList<>();
    for (Incompatibility problem : result.getResult().getIncompatibilities()) {
      out.add("{errorType:'" + problem.getType() + "', description:'" + description(problem, reader, writer)
          + "', additionalInfo:'" + problem.getMessage() + "'}");
    }
    if (!out.isEmpty() && old != null) {
      out.add("{oldSchemaVersion: " + old.version() + "}");
      String text = old.schema().toString();
      out.add(text.length() <= MAX_SCHEMA_IN_MESSAGE ? "{oldSchema: '" + text + "'}"
          : "{oldSchema: <truncated> '" + text.substring(0, MAX_SCHEMA_IN_MESSAGE) + "...'}");
    }
    return out;
  }

  private static String description(Incompatibility problem, String reader, String writer) {
    String path = problem.getLocation();
    return switch (problem.getType()) {
      case FIXED_SIZE_MISMATCH -> "The size of FIXED type field at path '" + path + "' in the " + reader
          + " schema does not match with the " + writer + " schema";
      case TYPE_MISMATCH -> "The type (path '" + path + "') of a field in the " + reader
          + " schema does not match with the " + writer + " schema";
      case NAME_MISMATCH -> "The name of the schema has changed (path '" + path + "')";
      case MISSING_ENUM_SYMBOLS -> "The " + reader + " schema is missing enum symbols '" + problem.getMessage()
          + "' at path '" + path + "' in the " + writer + " schema";
      case MISSING_UNION_BRANCH -> "The " + reader + " schema is missing a type inside a union field at path '" + path
          + "' in the " + writer + " schema";
      case READER_FIELD_MISSING_DEFAULT_VALUE -> "The field '" + problem.getMessage() + "' at path '" + path
          + "' in the " + reader + " schema has no default value and is missing in the " + writer + " schema";
      default -> "";
    };
  }
}
