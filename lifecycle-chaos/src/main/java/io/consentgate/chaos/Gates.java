package io.consentgate.chaos;

import io.consentgate.app.GateConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the production jar as an operator does: {@code run} for a gate, {@code reset} and
 * {@code replay} as one-shot commands, all configured by {@code --set} flags on one cluster and
 * registry. Each (application id, slot) has a state directory of its own.
 */
final class Gates {

  /** The settings every gate of a run shares; the rest are the gate's defaults. */
  static Map<String, String> baseFlags(String bootstrapServers, String registryUrl, int partitions, short replicationFactor) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(GateConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    flags.put(GateConfig.SCHEMA_REGISTRY_URL, registryUrl);
    flags.put(GateConfig.TOPIC_PARTITIONS, String.valueOf(partitions));
    flags.put(GateConfig.TOPIC_REPLICATION_FACTOR, String.valueOf(replicationFactor));
    flags.put(GateConfig.REPLICATION_FACTOR, String.valueOf(replicationFactor));
    flags.put(GateConfig.SHUTDOWN_TIMEOUT, "PT20S");
    flags.put(GateConfig.METRICS_PORT, "0");
    // Lapses are noticed every two seconds instead of every minute, so that they happen during faults.
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT2S");
    flags.put(GateConfig.ROCKSDB_MEMORY_BYTES, String.valueOf(32L << 20));
    // A gate killed with SIGKILL leaves its group within seconds, not the default 45: a run has many.
    flags.put(GateConfig.KAFKA_PREFIX + "session.timeout.ms", "6000");
    flags.put(GateConfig.KAFKA_PREFIX + "heartbeat.interval.ms", "1500");
    return flags;
  }

  /** What a one-shot command did. */
  record Outcome(int exitCode, String output) {}

  private final Path jar;
  private final String heap;
  private final Path dir;
  private final Map<String, String> base;
  private final List<GateProcess> processes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private int started;

  Gates(Path jar, String heap, Path dir, Map<String, String> base) {
    this.jar = jar;
    this.heap = heap;
    this.dir = dir;
    this.base = Map.copyOf(base);
  }

  Map<String, String> flags(String applicationId, int slot) {
    Map<String, String> flags = new LinkedHashMap<>(base);
    flags.put(GateConfig.APPLICATION_ID, applicationId);
    flags.put(GateConfig.STATE_DIR, stateDir(applicationId, slot).toString());
    return flags;
  }

  Path stateDir(String applicationId, int slot) {
    return dir.resolve("state").resolve(applicationId + "-" + slot);
  }

  Path logs() {
    return dir.resolve("logs");
  }

  /** How many gates were started so far: the next one's log is numbered one more. */
  int started() {
    return started;
  }

  /** The logs of the application's gates started as number {@code from} or later, oldest first. */
  List<Path> logsOf(String applicationId, int from) throws IOException {
    if (!Files.isDirectory(logs())) {
      return List.of();
    }
    try (var files = Files.list(logs())) {
      return files.filter(f -> f.getFileName().toString().matches("\\d{3}-" + java.util.regex.Pattern.quote(applicationId) + "-\\d+\\.log"))
          .filter(f -> Integer.parseInt(f.getFileName().toString().substring(0, 3)) >= from).sorted().toList();
    }
  }

  /**
   * @param takeOver with {@code --take-over-verdict-topic}: the gate took the topic over from
   *     another application id, and keeps the flag on every restart as its service definition would
   */
  GateProcess run(String applicationId, int slot, boolean takeOver) throws IOException {
    started++;
    Path log = logs().resolve(String.format("%03d-%s-%d.log", started, applicationId, slot));
    GateProcess gate = GateProcess.start(jar, heap, "run", flags(applicationId, slot),
        takeOver ? List.of("--take-over-verdict-topic") : List.of(), applicationId, slot, log);
    processes.add(gate);
    return gate;
  }

  /** SIGKILL to every gate still running: a run that ends early must not leave its children behind. */
  void killAll() {
    for (GateProcess gate : processes) {
      if (gate.alive()) {
        try {
          gate.kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** {@code reset --execute} for the application, with the state directory of its slot 0. */
  Outcome reset(String applicationId) throws IOException, InterruptedException {
    return command(List.of("reset", "--execute"), flags(applicationId, 0), 120);
  }

  /** {@code replay --input FILE --until T --out FILE}: the offline gate over the whole input history. */
  Outcome replay(Path history, java.time.Instant until, Path out) throws IOException, InterruptedException {
    // A file replay refuses the cluster's addresses; the rest of the configuration applies as for the gate.
    Map<String, String> flags = new LinkedHashMap<>(base);
    flags.remove(GateConfig.BOOTSTRAP_SERVERS);
    flags.remove(GateConfig.SCHEMA_REGISTRY_URL);
    return command(List.of("replay", "--input", history.toString(), "--until", until.toString(), "--out", out.toString()),
        flags, 600);
  }

  private Outcome command(List<String> args, Map<String, String> flags, long timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> line = GateProcess.javaCommand(jar, "1g");
    line.add(args.get(0));
    flags.forEach((k, v) -> {
      line.add("--set");
      line.add(k + "=" + v);
    });
    line.addAll(args.subList(1, args.size()));
    Files.createDirectories(logs());
    Path output = Files.createTempFile(logs(), args.get(0) + "-", ".log");
    Process p = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new IllegalStateException(String.join(" ", args.subList(0, 1)) + " did not finish within " + timeoutSeconds
          + " s; its output: " + output);
    }
    return new Outcome(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }
}
