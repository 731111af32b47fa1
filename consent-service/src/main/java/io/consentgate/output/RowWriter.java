package io.consentgate.output;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/** Writes the rows of a {@link Table} in one {@link OutputFormat}. Same rows in, same bytes out. */
public interface RowWriter<T> extends Closeable {

  void write(T row) throws IOException;

  /** Flushes what was written; a text writer stays open (it may be standard output). */
  @Override
  void close() throws IOException;

  /** JSON lines or CSV to a text writer. */
  static <T> RowWriter<T> text(OutputFormat format, Table<T> table, Writer out) throws IOException {
    return switch (format) {
      case JSON -> new RowWriter<>() {
        @Override
        public void write(T row) throws IOException {
          out.write(table.jsonLine(row));
          out.write('\n');
        }

        @Override
        public void close() throws IOException {
          out.flush();
        }
      };
      case CSV -> new Csv<>(table, out);
      case AVRO -> throw new IllegalArgumentException("Avro is binary: write it to a file");
    };
  }

  /**
   * An Avro object container file (deflate) of the table's schema. Closing it closes {@code out}.
   * The file's metadata has no time in it, so the same rows give the same bytes.
   */
  static <T> RowWriter<T> avro(Table<T> table, OutputStream out) throws IOException {
    Schema schema = table.avroSchema();
    DataFileWriter<GenericRecord> file = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema));
    file.setCodec(CodecFactory.deflateCodec(6));
    // A fixed sync marker: Avro draws a random one per file otherwise, and the same rows must give the same bytes.
    byte[] sync = new byte[16];
    byte[] seed = schema.getFullName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 0; i < sync.length; i++) {
      sync[i] = (byte) (seed[i % seed.length] * 31 + i);
    }
    file.create(schema, out, sync);
    List<Table.Column<T>> columns = table.columns();
    return new RowWriter<>() {
      @Override
      public void write(T row) throws IOException {
        GenericData.Record record = new GenericData.Record(schema);
        for (Table.Column<T> c : columns) {
          Object value = c.value().apply(row);
          record.put(c.name(), value instanceof Instant instant ? instant.toEpochMilli() : value);
        }
        file.append(record);
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }

  /** RFC 4180 CSV with a header row; a cell with a comma, a quote or a line break is quoted. */
  final class Csv<T> implements RowWriter<T> {
    private final Table<T> table;
    private final Writer out;

    Csv(Table<T> table, Writer out) throws IOException {
      this.table = table;
      this.out = out;
      line(table.names());
    }

    @Override
    public void write(T row) throws IOException {
      List<Table.Column<T>> columns = table.columns();
      StringBuilder line = new StringBuilder(256);
      for (int i = 0; i < columns.size(); i++) {
        Table.Column<T> c = columns.get(i);
        if (i > 0) {
          line.append(',');
        }
        cell(line, Table.text(c.type(), c.value().apply(row)));
      }
      out.write(line.append('\n').toString());
    }

    private void line(List<String> cells) throws IOException {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cells.size(); i++) {
        if (i > 0) {
          line.append(',');
        }
        cell(line, cells.get(i));
      }
      out.write(line.append('\n').toString());
    }

    private static void cell(StringBuilder line, String text) {
      if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
        line.append(text);
      } else {
        line.append('"').append(text.replace("\"", "\"\"")).append('"');
      }
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
