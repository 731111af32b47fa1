package io.consentgate.app;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The address flags of the commands that talk to a cluster ({@code run}, {@code publish},
 * {@code verdicts}, {@code dead-letters}); beside {@link ConfigOptions}, and winning over it, even
 * over {@code --set} of the same key.
 */
final class ClusterOptions {

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka (key bootstrap.servers).")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", paramLabel = "URL[,...]", description = "Schema registry (key schema.registry.url).")
  String schemaRegistryUrl;

  /** The keys these flags set. */
  Map<String, String> flags() {
    Map<String, String> flags = new HashMap<>();
    if (bootstrapServers != null) {
      flags.put(GateConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    if (schemaRegistryUrl != null) {
      flags.put(GateConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
    }
    return flags;
  }
}
