package io.consentgate.registry.server;

import org.apache.avro.Schema;

/** Versions of one small record, named after what each change does to compatibility. */
final class RegistryFixtures {

  /** {id}. */
  static final String V1 = record("{\"name\":\"id\",\"type\":\"string\"}");
  /** {id, email = null}: backward and forward compatible with V1. */
  static final String V2_OPTIONAL_FIELD = record("{\"name\":\"id\",\"type\":\"string\"},"
      + "{\"name\":\"email\",\"type\":[\"null\",\"string\"],\"default\":null}");
  /** {id, age} without a default: a reader of this schema cannot read V1 data, so not BACKWARD. */
  static final String V2_REQUIRED_FIELD = record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"age\",\"type\":\"int\"}");
  /** {id, age = 0}: backward compatible with V1; V2_REQUIRED_FIELD can read its data, not V1's. */
  static final String V2_AGE_WITH_DEFAULT = record("{\"name\":\"id\",\"type\":\"string\"},"
      + "{\"name\":\"age\",\"type\":\"int\",\"default\":0}");

  private RegistryFixtures() {}

  static String record(String fields) {
    return "{\"type\":\"record\",\"name\":\"Contact\",\"namespace\":\"test\",\"fields\":[" + fields + "]}";
  }

  static Schema parse(String schema) {
    return new Schema.Parser().parse(schema);
  }
}
