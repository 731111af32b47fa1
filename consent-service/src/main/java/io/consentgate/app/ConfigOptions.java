package io.consentgate.app;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The configuration options of every command ({@code run}, {@code dev}, {@code publish},
 * {@code verdicts}, {@code dead-letters}, {@code replay}): the properties file and {@code --set},
 * with the {@code CONSENT_GATE_*} environment between them, read the same way by each (see
 * {@link GateConfig}). The cluster's address flags are apart, in {@link ClusterOptions}, for the
 * commands that talk to a cluster; the others still take those keys from the file, the
 * environment or {@code --set}, since a gate's configuration file has them.
 */
public final class ConfigOptions {

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file (see docs/operating.md, Configuration).")
  Path file;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any configuration key; wins over file and environment.")
  Map<String, String> set = new HashMap<>();

  /** Defaults, the file, the environment, {@code --set}. */
  public GateConfig load() throws GateConfig.ConfigException {
    return load(Map.of(), Map.of());
  }

  /** @param commandFlags what the command's own options set; they win over every layer, {@code --set} too */
  public GateConfig load(Map<String, String> commandFlags) throws GateConfig.ConfigException {
    return load(Map.of(), commandFlags);
  }

  /**
   * @param underSet the command's own settings for keys the user may still change with {@code --set}
   *     (they win over the file and the environment)
   * @param overSet what the command's own options set; they win over every layer, {@code --set} too
   */
  public GateConfig load(Map<String, String> underSet, Map<String, String> overSet) throws GateConfig.ConfigException {
    Map<String, String> flags = new HashMap<>(underSet);
    flags.putAll(set);
    flags.putAll(overSet);
    return GateConfig.load(file, System.getenv(), flags);
  }

  /** The configuration without any flag: what another command given the same {@code --config} and environment reads. */
  public GateConfig loadFileAndEnvironment() throws GateConfig.ConfigException {
    return GateConfig.load(file, System.getenv(), Map.of());
  }

  /** The {@code --config} file, or null. */
  public Path file() {
    return file;
  }

  /** The {@code --set} keys and values. */
  public Map<String, String> set() {
    return Collections.unmodifiableMap(set);
  }
}
