package io.consentgate.serde;

import org.apache.avro.Schema;

/**
 * The part of a Confluent-compatible schema registry the serdes need. Implementations cache:
 * both calls sit on the hot path of every record.
 */
public interface SchemaRegistry {

  /** Registers (or finds) {@code schema} under {@code subject} and returns its global id. */
  int register(String subject, Schema schema);

  /** The schema with this global id. */
  Schema schemaById(int id);

  /** Thrown when a registry has no schema for an id. */
  final class UnknownSchemaException extends RuntimeException {
    public UnknownSchemaException(int id) {
      super("schema id " + id + " is not known to the schema registry");
    }
  }
}
