package io.consentgate.dev;

import io.consentgate.app.ConsentGateCli;
import io.consentgate.app.DirectoryLock;
import io.consentgate.app.GateConfig;
import io.consentgate.app.GateRuntime;
import io.consentgate.app.Ports;
import io.consentgate.app.PublishCommand;
import io.consentgate.app.RunCommand;
import io.consentgate.app.Unavailable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The configuration options of {@code dev}: a properties file and {@code --set}, as for the other
 * commands, but no {@code --bootstrap-servers} or {@code --schema-registry-url}: dev runs its own
 * broker and registry, so it refuses the address of another one instead of ignoring it.
 */
final class DevConfigOptions {

  static final String OWN_STACK = "dev runs its own Kafka broker and schema registry; choose where they listen "
      + "with --host, --kafka-port and --registry-port (to run the gate on another cluster, use run)";

  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file (see README, Configuration); dev uses its own bootstrap.servers and schema.registry.url.")
  Path file;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any configuration key except bootstrap.servers and schema.registry.url; wins over file and environment.")
  Map<String, String> set = new HashMap<>();

  // Hidden: parsed only to be refused with the reason, rather than as unknown options.
  @Option(names = "--bootstrap-servers", hidden = true)
  String bootstrapServers;

  @Option(names = "--schema-registry-url", hidden = true)
  String schemaRegistryUrl;

  /** @throws CommandLine.ParameterException (exit 2) for an address of Kafka or a registry */
  void refuseAnotherStack(CommandLine cli) {
    List<String> refused = new ArrayList<>();
    if (bootstrapServers != null) {
      refused.add("--bootstrap-servers");
    }
    if (schemaRegistryUrl != null) {
      refused.add("--schema-registry-url");
    }
    for (String key : List.of(GateConfig.BOOTSTRAP_SERVERS, GateConfig.SCHEMA_REGISTRY_URL)) {
      if (set.containsKey(key)) {
        refused.add("--set " + key);
      }
    }
    if (!refused.isEmpty()) {
      throw new CommandLine.ParameterException(cli, String.join(", ", refused) + ": " + OWN_STACK);
    }
  }
}
