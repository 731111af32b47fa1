package io.consentgate.output;

import io.consentgate.history.HistoryJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/**
 * The shape of the rows one command writes: flat, named, typed columns for CSV and Avro, and the
 * JSON line of the history format for each row. The Avro schema follows from the columns: a
 * record named {@code name} in namespace {@code io.consentgate.export}, strings, booleans, longs,
 * arrays of strings and instants as {@code timestamp-millis}; optional columns are unions with
 * null (default null).
 *
 * @param <T> what a row is made from
 */
public final class Table<T> {

  /** A column's type. */
  public enum Type { STRING, INSTANT, BOOLEAN, LONG, STRINGS }

  /** One column: its name, type, whether it may be empty, and its value in a row (null: empty). */
  public record Column<T>(String name, Type type, boolean optional, Function<T, Object> value) {}

  public static final String NAMESPACE = "io.consentgate.export";

  private final String name;
  private final String doc;
  private final List<Column<T>> columns;
  private final Function<T, String> jsonLine;
  private Schema schema;

  private Table(String name, String doc, List<Column<T>> columns, Function<T, String> jsonLine) {
    this.name = name;
    this.doc = doc;
    this.columns = List.copyOf(columns);
    this.jsonLine = jsonLine;
  }

  /** A table that writes each row as {@code jsonLine} gives it in JSON lines. */
  public static <T> Builder<T> named(String name, String doc, Function<T, String> jsonLine) {
    return new Builder<>(name, doc, jsonLine);
  }

  public List<Column<T>> columns() {
    return columns;
  }

  public String jsonLine(T row) {
    return jsonLine.apply(row);
  }

  /** The header of a CSV file: the column names. */
  public List<String> names() {
    return columns.stream().map(Column::name).toList();
  }

  /** A cell of a CSV row: empty for null, lists joined by {@code ;}, instants as in the history format. */
  static String text(Type type, Object value) {
    if (value == null) {
      return "";
    }
    return switch (type) {
      case INSTANT -> HistoryJson.format((Instant) value);
      case STRINGS -> {
        @SuppressWarnings("unchecked")
        List<String> list = (List<String>) value;
        yield String.join(";", list);
      }
      default -> value.toString();
    };
  }

  public synchronized Schema avroSchema() {
    if (schema == null) {
      SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(name).namespace(NAMESPACE).doc(doc).fields();
      for (Column<T> c : columns) {
        Schema type = switch (c.type()) {
          case STRING -> Schema.create(Schema.Type.STRING);
          case INSTANT -> LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
          case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
          case LONG -> Schema.create(Schema.Type.LONG);
          case STRINGS -> Schema.createArray(Schema.create(Schema.Type.STRING));
        };
        if (c.optional()) {
          fields = fields.name(c.name()).type(Schema.createUnion(Schema.create(Schema.Type.NULL), type)).withDefault(null);
        } else {
          fields = fields.name(c.name()).type(type).noDefault();
        }
      }
      schema = fields.endRecord();
    }
    return schema;
  }

  /** Collects a table's columns in order. */
  public static final class Builder<T> {
    private final String name;
    private final String doc;
    private final Function<T, String> jsonLine;
    private final List<Column<T>> columns = new ArrayList<>();

    private Builder(String name, String doc, Function<T, String> jsonLine) {
      this.name = Objects.requireNonNull(name);
      this.doc = doc;
      this.jsonLine = jsonLine;
    }

    public Builder<T> required(String column, Type type, Function<T, Object> value) {
      columns.add(new Column<>(column, type, false, value));
      return this;
    }

    public Builder<T> optional(String column, Type type, Function<T, Object> value) {
      columns.add(new Column<>(column, type, true, value));
      return this;
    }

    public Table<T> build() {
      return new Table<>(name, doc, columns, jsonLine);
    }
  }
}
