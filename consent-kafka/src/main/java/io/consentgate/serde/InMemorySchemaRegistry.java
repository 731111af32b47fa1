package io.consentgate.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A registry held in memory, for the offline replay and the tests. Ids are global and the same
 * schema (by canonical form) always gets the same id, as in Confluent's registry.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

  private final Map<String, Integer> idsByCanonicalForm = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<String, Map<Integer, Boolean>> subjects = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger(1);

  @Override
  public int register(String subject, Schema schema) {
    int id = idsByCanonicalForm.computeIfAbsent(SchemaNormalization.toParsingForm(schema), k -> {
      int newId = nextId.getAndIncrement();
      schemasById.put(newId, schema);
      return newId;
    });
    subjects.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(id, Boolean.TRUE);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new UnknownSchemaException(id);
    }
    return schema;
  }

  /** Subjects with at least one registered schema, for tests. */
  public boolean hasSubject(String subject) {
    return subjects.containsKey(subject);
  }
}
