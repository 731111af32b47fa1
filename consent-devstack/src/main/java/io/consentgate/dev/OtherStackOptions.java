package io.consentgate.dev;

import io.consentgate.app.ConfigOptions;
import io.consentgate.app.GateConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What {@code dev} refuses: {@code --bootstrap-servers}, {@code --schema-registry-url} and their
 * keys in {@code --set}. Dev runs its own broker and registry, so it refuses the address of another
 * one instead of ignoring it. Beside {@link ConfigOptions}, which dev reads like every command.
 */
final class OtherStackOptions {

  static final String OWN_STACK = "dev runs its own Kafka broker and schema registry; choose where they listen "
      + "with --host, --kafka-port and --registry-port (to run the gate on another cluster, use run)";

  // Hidden: parsed only to be refused with the reason, rather than as unknown options.
  @Option(names = "--bootstrap-servers", hidden = true)
  String bootstrapServers;

  @Option(names = "--schema-registry-url", hidden = true)
  String schemaRegistryUrl;

  /** @throws CommandLine.ParameterException (exit 2) for an address of Kafka or a registry */
  void refuse(CommandLine cli, ConfigOptions options) {
    List<String> refused = new ArrayList<>();
    if (bootstrapServers != null) {
      refused.add("--bootstrap-servers");
    }
    if (schemaRegistryUrl != null) {
      refused.add("--schema-registry-url");
    }
    for (String key : List.of(GateConfig.BOOTSTRAP_SERVERS, GateConfig.SCHEMA_REGISTRY_URL)) {
      if (options.set().containsKey(key)) {
        refused.add("--set " + key);
      }
    }
    if (!refused.isEmpty()) {
      throw new CommandLine.ParameterException(cli, String.join(", ", refused) + ": " + OWN_STACK);
    }
  }
}
