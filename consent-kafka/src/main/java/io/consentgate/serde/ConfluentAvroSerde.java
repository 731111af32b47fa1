package io.consentgate.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro values in the Confluent Schema Registry wire format: byte 0, the schema id as a 4-byte
 * big-endian int, then the Avro binary body. Subject {@code <topic>-value} (TopicNameStrategy),
 * so any Confluent deserializer in any language reads what this writes, and the other way round.
 */
public final class ConfluentAvroSerde<T extends SpecificRecord> implements Serde<T> {

  static {
    AvroTrust.trustGateClasses();
  }

  static final byte MAGIC_BYTE = 0;
  /** How long a read waits for an unreachable registry before giving up on this attempt. */
  static final java.time.Duration LOOKUP_PATIENCE = java.time.Duration.ofSeconds(60);
  private static final int HEADER_SIZE = 5;

  private final SchemaRegistry registry;
  private final Schema readerSchema;
  private final Schema registeredSchema;
  private final Map<String, Integer> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, SpecificDatumReader<T>> readersById = new ConcurrentHashMap<>();
  private final SpecificDatumWriter<T> writer;
  /**
   * Each thread's Avro encoder and decoder, reused for every record: the gate encodes a verdict
   * and decodes an input record per event. The encoder is the buffered one: the direct one made a
   * synchronized stream write per field.
   */
  private static final ThreadLocal<BinaryEncoder> ENCODERS = new ThreadLocal<>();
  private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();

  public ConfluentAvroSerde(SchemaRegistry registry, Class<T> type) {
    this.registry = registry;
    this.readerSchema = SpecificData.get().getSchema(type);
    this.registeredSchema = withoutJavaProperties(readerSchema);
    this.writer = new SpecificDatumWriter<>(readerSchema);
  }

  /**
   * Generated classes carry {@code avro.java.string} hints that mean nothing outside Java; the
   * registry gets the schema as written in the .avsc that the schemas jar ships under /avro/.
   */
  private static Schema withoutJavaProperties(Schema schema) {
    String resource = "/avro/" + schema.getName() + ".avsc";
    try (var in = ConfluentAvroSerde.class.getResourceAsStream(resource)) {
      if (in == null) {
        return schema;
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + resource, e);
    }
  }

  public Schema registeredSchema() {
    return registeredSchema;
  }

  public byte[] serialize(String topic, T value) {
    if (value == null) {
      return null;
    }
    int id = idsBySubject.computeIfAbsent(topic + "-value", subject -> registry.register(subject, registeredSchema));
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC_BYTE);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    try {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, ENCODERS.get());
      ENCODERS.set(encoder);
      writer.write(value, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot serialize " + readerSchema.getName() + " for topic " + topic + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length < HEADER_SIZE || data[0] != MAGIC_BYTE) {
      throw new UnreadableRecordException(UnreadableRecordException.Reason.NOT_WIRE_FORMAT, "not the schema-registry wire format (expected magic byte 0 and a 4-byte schema id, got "
          + data.length + " bytes starting with " + (data.length == 0 ? "nothing" : String.format("0x%02x", data[0])) + ")", null);
    }
    int id = ByteBuffer.wrap(data, 1, 4).getInt();
    SpecificDatumReader<T> reader = readersById.get(id);
    if (reader == null) {
      reader = new SpecificDatumReader<>(lookUp(id), readerSchema);
      readersById.putIfAbsent(id, reader);
    }
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, HEADER_SIZE, data.length - HEADER_SIZE, DECODERS.get());
      DECODERS.set(decoder);
      T value = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new UnreadableRecordException(UnreadableRecordException.Reason.CORRUPT_AVRO,
            "trailing bytes after the Avro body for schema id " + id, null);
      }
      return value;
    } catch (SerializationException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Corrupt bytes surface as many kinds of runtime exception inside Avro (found by fuzzing:
      // UnsupportedOperationException for an absurd string length); all mean the same thing here.
      throw new UnreadableRecordException(UnreadableRecordException.Reason.CORRUPT_AVRO,
          "corrupt or truncated Avro body for schema id " + id + " (" + readerSchema.getName() + "): " + e, e);
    }
  }

  /**
   * The writer schema of an id. A registry that cannot be asked is retried with backoff for up to
   * {@link #LOOKUP_PATIENCE}, holding the stream thread (and so the partition) where it is: a short
   * outage costs a pause, not a dead letter. Past that, {@link SchemaLookupFailedException} lets the
   * runtime restart the thread from its last commit.
   */
  private Schema lookUp(int id) {
    long deadline = System.nanoTime() + LOOKUP_PATIENCE.toNanos();
    long backoffMs = 100;
    while (true) {
      try {
        return registry.schemaById(id);
      } catch (SchemaRegistry.UnknownSchemaException e) {
        throw new UnreadableRecordException(UnreadableRecordException.Reason.UNKNOWN_SCHEMA_ID,
            "cannot resolve schema id " + id + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        if (System.nanoTime() + backoffMs * 1_000_000 > deadline) {
          throw new SchemaLookupFailedException("cannot look up schema id " + id + " now: " + e.getMessage(), e);
        }
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new SchemaLookupFailedException("interrupted while looking up schema id " + id, e);
        }
        backoffMs = Math.min(backoffMs * 2, 2_000);
      }
    }
  }

  @Override
  public Serializer<T> serializer() {
    return this::serialize;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this::deserialize;
  }
}
