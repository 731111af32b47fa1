package io.consentgate.registry.server;

import io.consentgate.registry.IncompatibleSchemaException;
import io.consentgate.registry.RegistryUnreachableException;
import io.consentgate.registry.RestClientException;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.registry.SubjectVersion;
import static io.consentgate.registry.server.RegistryFixtures.V1;
import static io.consentgate.registry.server.RegistryFixtures.V2_OPTIONAL_FIELD;
import static io.consentgate.registry.server.RegistryFixtures.V2_REQUIRED_FIELD;
import static io.consentgate.registry.server.RegistryFixtures.parse;
import static io.consentgate.registry.server.RegistryFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompatibilityLevelTest {

  @ParameterizedTest(name = "{0}: optional field {1}, required field {2}, removed required field {3}")
  @CsvSource({
      "NONE,                true, true,  true",
      "BACKWARD,            true, false, true",
      "BACKWARD_TRANSITIVE, true, false, true",
      "FORWARD,             true, true,  false",
      "FORWARD_TRANSITIVE,  true, true,  false",
      "FULL,                true, false, false",
      "FULL_TRANSITIVE,     true, false, false"})
  void eachLevelChecksItsDirections(String name, boolean optionalField, boolean requiredField, boolean removedField) {
    CompatibilityLevel level = CompatibilityLevel.forName(name.toLowerCase()).orElseThrow();
    assertThat(accepts(level, List.of(V1), V2_OPTIONAL_FIELD)).isEqualTo(optionalField);
    assertThat(accepts(level, List.of(V1), V2_REQUIRED_FIELD)).isEqualTo(requiredField);
    assertThat(accepts(level, List.of(V2_REQUIRED_FIELD), V1)).isEqualTo(removedField);
  }

  @ParameterizedTest(name = "{0} accepts: {1}")
  @CsvSource({"BACKWARD, true", "BACKWARD_TRANSITIVE, false"})
  void transitiveLevelsCheckEveryVersionNotOnlyTheLatest(String name, boolean accepted) {
    // v2 gives age a default; v3 drops it again: fine against v2, not against v1 (no age at all).
    String v2 = record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"age\",\"type\":\"int\",\"default\":0}");
    assertThat(accepts(CompatibilityLevel.valueOf(name), List.of(V1, v2), V2_REQUIRED_FIELD)).isEqualTo(accepted);
  }

  private static boolean accepts(CompatibilityLevel level, List<String> previous, String candidate) {
    List<SubjectVersion> versions = new ArrayList<>();
    for (String schema : previous) {
      Schema parsed = parse(schema);
      versions.add(new SubjectVersion("s", versions.size() + 1, versions.size() + 1, parsed));
    }
    return level.incompatibilities(parse(candidate), versions).isEmpty();
  }
}
