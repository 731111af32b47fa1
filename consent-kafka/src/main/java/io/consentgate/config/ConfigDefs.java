package io.consentgate.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * What the gate and the senders' client do with their {@link ConfigDef}s, in one place: validators
 * that say in words what they allow (the same words in an error and in docs/configuration.md),
 * parsing with errors that name the key, the value and what is allowed, and the reference tables
 * of docs/configuration.md.
 */
public final class ConfigDefs {

  private ConfigDefs() {}

  /** A validator that accepts what {@code test} accepts (and null, a key without a default) and reads as {@code allowed}. */
  public static ConfigDef.Validator allowing(String allowed, Predicate<Object> test) {
    return new Described(allowed, test);
  }

  /** An ISO-8601 duration longer than zero, given as a string. */
  public static ConfigDef.Validator positiveDuration() {
    return allowing("a positive ISO-8601 duration such as PT1M", v -> {
      try {
        Duration d = Duration.parse((String) v);
        return !d.isNegative() && !d.isZero();
      } catch (DateTimeParseException e) {
        return false;
      }
    });
  }

  /** A string that is not blank, described as {@code what}. */
  public static ConfigDef.Validator nonBlank(String what) {
    return allowing(what, v -> !((String) v).isBlank());
  }

  /** Accepts any value of the key's type; only says what it means ({@code allowed}), in errors and in the docs. */
  public static ConfigDef.Validator describedAs(String allowed) {
    return allowing(allowed, v -> true);
  }

  /**
   * The values of {@code def}'s keys in {@code raw} (a key not there: its default), parsed to their
   * types and checked. Keys of {@code raw} that {@code def} does not define are left out.
   *
   * @throws ConfigException "KEY must be ALLOWED, got 'VALUE'" for the first value that is not allowed
   */
  public static Map<String, Object> parse(ConfigDef def, Map<String, ?> raw) {
    Map<String, Object> parsed = new LinkedHashMap<>();
    for (ConfigDef.ConfigKey key : def.configKeys().values()) {
      Object value = raw.containsKey(key.name) ? raw.get(key.name) : key.defaultValue;
      if (value == ConfigDef.NO_DEFAULT_VALUE) {
        throw new ConfigException(key.name + " is required: " + allowed(key));
      }
      Object typed;
      try {
        if (key.type == ConfigDef.Type.BOOLEAN && value instanceof String text
            && !text.strip().equals("true") && !text.strip().equals("false")) {
          // Kafka would take TRUE or False too; a switch that can fail open is spelled one way only.
          throw new ConfigException(key.name, value, "not true or false");
        }
        typed = ConfigDef.parseType(key.name, value, key.type);
      } catch (ConfigException e) {
        throw new ConfigException(key.name + " must be " + allowed(key) + ", got '" + value + "'");
      }
      if (key.validator != null && typed != null) {
        try {
          key.validator.ensureValid(key.name, typed);
        } catch (ConfigException e) {
          throw new ConfigException(key.name + " must be " + allowed(key) + ", got '" + value + "'");
        }
      }
      parsed.put(key.name, typed);
    }
    return parsed;
  }

  /** The parsed value of an ISO-8601 duration key, or null when it has none. */
  public static Duration duration(Map<String, Object> parsed, String key) {
    Object v = parsed.get(key);
    return v == null ? null : Duration.parse((String) v);
  }

  /** What a key allows, in words: its validator's, else its type's. */
  public static String allowed(ConfigDef.ConfigKey key) {
    if (key.validator != null) {
      return key.validator.toString();
    }
    return switch (key.type) {
      case BOOLEAN -> "true or false";
      case INT, SHORT, LONG -> "a whole number";
      case DOUBLE -> "a number";
      case LIST -> "a comma-separated list";
      case CLASS -> "a class name";
      case PASSWORD, STRING -> "a string";
    };
  }

  /**
   * A markdown table per group of {@code def} ({@code ### group}, then key, type, default, valid
   * values, importance, description), groups and keys in the order they were defined.
   *
   * @param defaultNotes what to show instead of a default, by key (a default that is not a value, e.g.
   *     "the keystore itself"); the key's default otherwise, "—" for none
   */
  public static String markdown(ConfigDef def, Map<String, String> defaultNotes, String headingLevel) {
    Map<String, List<ConfigDef.ConfigKey>> byGroup = new LinkedHashMap<>();
    for (String group : def.groups()) {
      byGroup.put(group, new ArrayList<>());
    }
    for (ConfigDef.ConfigKey key : def.configKeys().values()) {
      byGroup.computeIfAbsent(key.group == null ? "Other" : key.group, g -> new ArrayList<>()).add(key);
    }
    StringBuilder out = new StringBuilder();
    byGroup.forEach((group, keys) -> {
      if (keys.isEmpty()) {
        return;
      }
      out.append(headingLevel).append(' ').append(group).append("\n\n");
      out.append("| key | type | default | valid values | importance | description |\n");
      out.append("|---|---|---|---|---|---|\n");
      for (ConfigDef.ConfigKey key : keys) {
        String defaultValue = defaultNotes.containsKey(key.name) ? defaultNotes.get(key.name)
            : key.defaultValue == null || key.defaultValue == ConfigDef.NO_DEFAULT_VALUE ? "—"
            : "`" + ConfigDef.convertToString(key.defaultValue, key.type) + "`";
        out.append("| `").append(key.name).append("` | ").append(key.type.toString().toLowerCase(java.util.Locale.ROOT))
            .append(" | ").append(defaultValue).append(" | ").append(cell(allowed(key)))
            .append(" | ").append(key.importance.toString().toLowerCase(java.util.Locale.ROOT))
            .append(" | ").append(cell(key.documentation)).append(" |\n");
      }
      out.append('\n');
    });
    return out.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ");
  }

  private record Described(String allowed, Predicate<Object> test) implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value != null && !test.test(value)) {
        throw new ConfigException(name, value, "must be " + allowed);
      }
    }

    @Override
    public String toString() {
      return allowed;
    }
  }
}
