package io.consentgate.app;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options every command that talks to Kafka shares: the config file and the layers above it. */
final class ConfigOptions {

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file (see README, Configuration).")
  Path file;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka (key bootstrap.servers).")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", paramLabel = "URL[,...]", description = "Schema registry (key schema.registry.url).")
  String schemaRegistryUrl;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any configuration key; wins over file and environment.")
  Map<String, String> set = new HashMap<>();

  GateConfig load() throws GateConfig.ConfigException {
    return load(Map.of());
  }

  /** @param commandFlags what the command's own options set; they win over every layer */
  GateConfig load(Map<String, String> commandFlags) throws GateConfig.ConfigException {
    Map<String, String> flags = new HashMap<>(set);
    if (bootstrapServers != null) {
      flags.put(GateConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    if (schemaRegistryUrl != null) {
      flags.put(GateConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
    }
    flags.putAll(commandFlags);
    return GateConfig.load(file, System.getenv(), flags);
  }
}
