package io.consentgate.serde;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Where the topology gets the value serde of each record type. The gate's own serde is the
 * default; a site can name another Confluent-wire-compatible serde class (for instance Confluent's
 * {@code io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde}) and nothing changes on the wire.
 */
public interface ValueSerdes {

  <T extends SpecificRecord> Serde<T> forType(Class<T> type);

  /** The gate's own Confluent wire-format serde over {@code registry}. */
  static ValueSerdes using(SchemaRegistry registry) {
    return new ValueSerdes() {
      @Override
      public <T extends SpecificRecord> Serde<T> forType(Class<T> type) {
        return new ConfluentAvroSerde<>(registry, type);
      }
    };
  }

  /**
   * A serde class with a public no-argument constructor, configured as a value serde with
   * {@code configs} (which must carry what it needs, e.g. {@code schema.registry.url}).
   */
  static ValueSerdes byClassName(String className, Map<String, ?> configs) {
    return new ValueSerdes() {
      @Override
      @SuppressWarnings("unchecked")
      public <T extends SpecificRecord> Serde<T> forType(Class<T> type) {
        try {
          Serde<T> serde = (Serde<T>) Class.forName(className).getDeclaredConstructor().newInstance();
          serde.configure(configs, false);
          return serde;
        } catch (ClassNotFoundException e) {
          throw new IllegalArgumentException("value serde class " + className + " is not on the classpath", e);
        } catch (ReflectiveOperationException | ClassCastException e) {
          Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
          throw new IllegalArgumentException("cannot create value serde " + className + ": " + cause, cause);
        }
      }
    };
  }
}
