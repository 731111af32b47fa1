package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.client.ClientConfig;
import io.consentgate.topology.StreamsSettings;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * Every key is defined once, every key the gate reads is defined, and docs/configuration.md is what
 * the definitions say. To regenerate the reference after changing a definition:
 * {@code ./mvnw -B -q -o test -pl consent-service -Dtest=ConfigurationReferenceTest -Dconsentgate.regenerate-docs=true}.
 */
class ConfigurationReferenceTest {

  private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");
  private static final List<String> MODULES = List.of("consent-kafka", "consent-topology", "consent-client", "consent-service");

  @Test
  void docsConfigurationMdIsGeneratedFromTheDefinitions() throws IOException {
    String generated = GateConfigDef.reference();
    if (Boolean.getBoolean("consentgate.regenerate-docs")) {
      Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
        .as("docs/configuration.md is stale: regenerate it with ./mvnw -B -q -o test -pl consent-service "
            + "-Dtest=ConfigurationReferenceTest -Dconsentgate.regenerate-docs=true (from the repository root), and commit it")
        .isEqualTo(generated);
  }

  @Test
  void everyKeyTheGateReadsIsDefinedAndTheKeysTheClientSharesAreTheClientsDefinitions() throws Exception {
    ConfigDef gate = GateConfigDef.DEF;
    Set<String> constants = new TreeSet<>();
    for (Field f : GateConfig.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && Modifier.isPublic(f.getModifiers())) {
        String key = (String) f.get(null);
        if (!key.endsWith(".") && !key.endsWith("_")) { // prefixes and the environment's
          constants.add(key);
        }
      }
    }
    assertThat(gate.names()).as("every key GateConfig names is defined, and every defined key has its constant")
        .containsExactlyInAnyOrderElementsOf(constants);

    Set<String> shared = ClientConfig.sharedWithGate().names();
    assertThat(shared).contains(GateConfig.APPLICATION_ID, GateConfig.BOOTSTRAP_SERVERS, GateConfig.TOPIC_VERDICTS);
    for (String key : shared) {
      assertThat(gate.configKeys().get(key)).as("the gate reuses the client's definition of %s", key)
          .isSameAs(ClientConfig.CONFIG_DEF.configKeys().get(key));
    }
    for (String key : StreamsSettings.CONFIG_DEF.names()) {
      assertThat(gate.configKeys().get(key)).as("the gate reuses the topology's definition of %s", key)
          .isSameAs(StreamsSettings.CONFIG_DEF.configKeys().get(key));
    }
    assertThat(ClientConfig.CONFIG_DEF.names()).as("only the shared keys are both the gate's and the client's")
        .filteredOn(gate.names()::contains).containsExactlyInAnyOrderElementsOf(shared);
    assertThat(StreamsSettings.CONFIG_DEF.names()).doesNotContainAnyElementsOf(ClientConfig.CONFIG_DEF.names());

    Map<String, String> byEnvironmentName = new HashMap<>();
    for (String key : gate.names()) {
      String env = GateConfig.ENV_PREFIX + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
      assertThat(byEnvironmentName.put(env, key)).as("%s names one key", env).isNull();
    }
  }

  /** ConfigDef refuses a key defined twice in one definition; this is about the source: one literal per key. */
  @Test
  void eachKeyIsWrittenOnceInTheMainCode() throws IOException {
    Set<String> keys = new TreeSet<>(GateConfigDef.DEF.names());
    keys.addAll(ClientConfig.CONFIG_DEF.names());
    Map<String, List<String>> where = new HashMap<>();
    Pattern literal = Pattern.compile("\"([a-z][a-z0-9.\\-]*)\"");
    for (String module : MODULES) {
      Path src = Path.of("..", module, "src", "main", "java");
      try (Stream<Path> files = Files.walk(src)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String code = line.strip();
            if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
              continue;
            }
            Matcher m = literal.matcher(code);
            while (m.find()) {
              if (keys.contains(m.group(1))) {
                where.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(src.relativize(file).toString());
              }
            }
          }
        }
      }
    }
    where.forEach((key, files) -> assertThat(files).as("the literal \"%s\" in main code", key).hasSize(1));
  }
}
