package io.consentgate.app;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of the commands that read a history ({@code replay}, {@code explain},
 * {@code whatif}), as a picocli mixin: the configuration layers ({@link ConfigOptions}), the
 * cluster's addresses ({@link ClusterOptions}, used only with {@code --from-kafka}; a gate's
 * configuration file that names them works as it is), where the history is ({@code --input FILE}
 * or {@code --from-kafka}, exactly one) and {@code --progress}.
 */
final class HistoryCommandOptions {

  @Mixin
  ConfigOptions config;

  @Mixin
  ClusterOptions cluster;

  @ArgGroup(exclusive = true, multiplicity = "1")
  HistoryInput.Source source;

  @Option(names = "--progress", description = "Report progress on stderr even when it is not a terminal.")
  boolean progress;

  /** Whether the history is the input topics ({@code --from-kafka}) rather than a file. */
  boolean fromKafka() {
    return source.fromKafka;
  }

  /**
   * The address flags are for {@code --from-kafka}: with a file, they are a usage error.
   *
   * @param fileReadsNoCluster what the message adds, after the rule ("" or "; a file replay reads no cluster")
   */
  void requireNoClusterForAFile(CommandLine cli, String fileReadsNoCluster) {
    if (!source.fromKafka && !cluster.flags().isEmpty()) {
      throw new ParameterException(cli, "--bootstrap-servers and --schema-registry-url are for --from-kafka"
          + fileReadsNoCluster);
    }
  }

  /**
   * The configuration through the same layers as every command (file, {@code CONSENT_GATE_*}
   * variables, {@code --set}), then the addresses, then {@code commandFlags}, last.
   */
  GateConfig load(Map<String, String> commandFlags) throws GateConfig.ConfigException {
    Map<String, String> flags = new HashMap<>(cluster.flags());
    flags.putAll(commandFlags);
    return config.load(flags);
  }

  /** Opens the history; {@code what} names the progress report. */
  HistoryInput.Opened open(GateConfig gateConfig, String what, PrintWriter err) throws Exception {
    return HistoryInput.open(source, gateConfig, what, progress, err, null);
  }
}
