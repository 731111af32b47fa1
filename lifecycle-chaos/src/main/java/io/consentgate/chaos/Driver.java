package io.consentgate.chaos;

import io.consentgate.runtime.GateEpoch;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Runs the gates and injects the faults. One application id owns the verdict topic at a time (the
 * primary), with one or two instances in slots 0 and 1; intruders come and (must) go. What a user
 * would notice at once, a gate that should have been refused and was not, one that exits by itself
 * or not cleanly on SIGTERM, is recorded as a problem; what the gates published is the checker's.
 */
final class Driver implements AutoCloseable {

  /**
   * How long a gate that must be refused may take to exit 4 or show that it runs: JVM starts take
   * many seconds on two cores shared with other work.
   */
  static final Duration REFUSAL_TIMEOUT = Duration.ofSeconds(120);
  /** How long a gate that runs is given to exit 4 after all, before it counts as a second writer. */
  static final Duration REFUSAL_GRACE = Duration.ofSeconds(10);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration REPUBLICATION_TIMEOUT = Duration.ofSeconds(60);
  private static final long STOP_SECONDS = 45;

  private final Gates gates;
  private final int partitions;
  private final ClusterView view;
  private final ChaosCluster cluster;
  private final Random random;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final GateProcess[] slots = new GateProcess[2];
  private final List<String> problems = new ArrayList<>();
  private String primary;
  private boolean primaryTookOver;
  /** The number of the first gate started since the primary last began to re-decide its history. */
  private int redecidingSince = 1;
  private int faults;
  private int intruders;
  private int takeovers;

  Driver(Gates gates, ClusterView view, ChaosCluster cluster, int partitions, Random random, PrintStream out) {
    this.gates = gates;
    this.partitions = partitions;
    this.view = view;
    this.cluster = cluster;
    this.random = random;
    this.out = out;
  }

  int faults() {
    return faults;
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  String primary() {
    return primary;
  }

  /** Starts the first gate, or, with {@code race}, two application ids at the same moment. */
  void open(boolean race) throws Exception {
    redecidingSince = gates.started() + 1;
    if (!race) {
      primary = "chaos-a";
      slots[0] = gates.run(primary, 0, false);
      say("started " + slots[0]);
      return;
    }
    faults++;
    GateProcess a = gates.run("chaos-a", 0, false);
    GateProcess b = gates.run("chaos-b", 0, false);
    say("fault RACE: " + Fault.RACE.description + ": " + a + " and " + b);
    awaitRefusal(a, b);
    if (a.alive() && b.alive()) {
      problem("RACE: chaos-a and chaos-b " + (running(a) && running(b) ? "both run on one verdict topic (two writers: "
          + REFUSAL_GRACE.toSeconds() + " s after both logged that they run, neither had exited)"
          : "neither exited within " + REFUSAL_TIMEOUT.toSeconds() + " s") + "; one of them must exit 4. chaos-b killed");
      b.kill();
      keep(a);
    } else if (!a.alive() && !b.alive()) {
      problem("RACE: both application ids exited (chaos-a " + a.exitCode() + ", chaos-b " + b.exitCode()
          + "); one of them must write. chaos-a started again");
      keep(gates.run("chaos-a", 0, false));
    } else {
      GateProcess loser = a.alive() ? b : a;
      GateProcess winner = a.alive() ? a : b;
      if (loser.exitCode() != 4) {
        problem("RACE: " + loser + " exited with " + loser.exitCode() + ", expected 4 (unavailable: the topic is taken): "
            + loser.tail(3));
      } else {
        say("RACE: " + loser.applicationId() + " refused with exit 4: " + refusal(loser));
      }
      keep(winner);
    }
  }

  /**
   * Waits until one of the gates has exited, or each of them runs and has gone on running a
   * while: what it takes to tell a refused gate from a second writer, however slow the machine is
   * to start a JVM.
   */
  private void awaitRefusal(GateProcess... contenders) throws Exception {
    long deadline = System.nanoTime() + REFUSAL_TIMEOUT.toNanos();
    long allRunningSince = 0;
    while (System.nanoTime() < deadline) {
      if (java.util.Arrays.stream(contenders).anyMatch(g -> !g.alive())) {
        return;
      }
      boolean allRunning = true;
      for (GateProcess g : contenders) {
        allRunning &= running(g);
      }
      if (!allRunning) {
        allRunningSince = 0;
      } else if (allRunningSince == 0) {
        allRunningSince = System.nanoTime();
      } else if (System.nanoTime() - allRunningSince > REFUSAL_GRACE.toNanos()) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /** Whether the gate got past every check at start and runs: {@code run} logs it last. */
  private static boolean running(GateProcess gate) throws IOException {
    return Files.exists(gate.log()) && Files.readString(gate.log()).contains(" running on ");
  }

  private void keep(GateProcess gate) {
    primary = gate.applicationId();
    slots[0] = gate;
    say("primary is " + primary);
  }

  void inject(Fault fault, long atRecord) throws Exception {
    faults++;
    say("fault " + fault + " at record " + atRecord + ": " + fault.description);
    switch (fault) {
      case KILL -> {
        int slot = liveSlot();
        slots[slot].kill();
        say("killed " + slots[slot]);
        Thread.sleep(random.nextInt(2_000));
        slots[slot] = gates.run(primary, slot, primaryTookOver);
        say("restarted " + slots[slot]);
      }
      case RESTART -> {
        int slot = liveSlot();
        stopCleanly(slot);
        slots[slot] = gates.run(primary, slot, primaryTookOver);
        say("restarted " + slots[slot]);
      }
      case RESET -> {
        stopAll();
        reset();
        redecidingSince = gates.started() + 1;
        slots[0] = gates.run(primary, 0, primaryTookOver);
        say("restarted after the reset: " + slots[0]);
        awaitRepublication();
      }
      case SECOND_APP_ID -> intrude();
      case TAKEOVER -> {
        stopAll();
        String from = primary;
        primary = "chaos-t" + (++takeovers);
        primaryTookOver = true;
        redecidingSince = gates.started() + 1;
        slots[0] = gates.run(primary, 0, true);
        say(primary + " takes the verdict topic over from " + from + ": " + slots[0]);
        awaitRepublication();
      }
      case SECOND_INSTANCE -> {
        if (slots[1] == null) {
          slots[1] = gates.run(primary, 1, primaryTookOver);
          say("second instance joins: " + slots[1]);
        } else if (random.nextBoolean()) {
          slots[1].kill();
          say("second instance killed: " + slots[1]);
          slots[1] = null;
        } else {
          stopCleanly(1);
          slots[1] = null;
        }
      }
      case BROKER -> killLeader();
      case RACE -> throw new IllegalArgumentException("RACE opens a run; it is not injected later");
    }
  }

  private int liveSlot() {
    return slots[1] != null && random.nextBoolean() ? 1 : 0;
  }

  private void stopCleanly(int slot) throws Exception {
    GateProcess gate = slots[slot];
    awaitStarted(gate);
    int code = gate.stop(STOP_SECONDS);
    if (code != 0) {
      problem("SIGTERM: " + gate + " exited with " + code + ", expected 0 (a clean stop): " + gate.tail(3));
    } else {
      say("stopped cleanly: " + gate);
    }
    slots[slot] = null;
  }

  /**
   * A gate stopped while it starts exits with the JVM's 143 before its shutdown hook exists; an
   * operator stops a gate that runs, and so does the driver.
   */
  private void awaitStarted(GateProcess gate) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (gate.alive() && System.nanoTime() < deadline) {
      if (running(gate)) {
        return;
      }
      Thread.sleep(100);
    }
  }

  private void stopAll() throws Exception {
    for (int slot = slots.length - 1; slot >= 0; slot--) {
      if (slots[slot] != null) {
        stopCleanly(slot);
      }
    }
  }

  private void reset() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      Gates.Outcome reset = gates.reset(primary);
      if (reset.exitCode() == 0) {
        say("reset --execute of " + primary + ": " + lastLine(reset.output()));
        break;
      }
      // The group may still list a member of a gate stopped a moment ago; reset refuses until it leaves.
      if (reset.exitCode() == 4 && reset.output().contains("is running") && System.nanoTime() < deadline) {
        Thread.sleep(2_000);
        continue;
      }
      problem("reset --execute of " + primary + " exited with " + reset.exitCode() + ": " + lastLine(reset.output()));
      break;
    }
    // reset wipes the state directory it is given; the other slot is another machine's, wiped by hand.
    for (int slot = 1; slot < slots.length; slot++) {
      Path state = gates.stateDir(primary, slot).resolve(primary);
      if (Files.exists(state)) {
        Utils.delete(state.toFile());
      }
    }
  }

  private void intrude() throws Exception {
    String intruder = "chaos-intruder-" + (++intruders);
    GateProcess gate = gates.run(intruder, 0, false);
    awaitRefusal(gate);
    if (!gate.alive()) {
      if (gate.exitCode() == 4) {
        say(intruder + " refused with exit 4: " + refusal(gate));
      } else {
        problem("SECOND_APP_ID: " + intruder + " exited with " + gate.exitCode() + ", expected 4: " + gate.tail(3));
      }
    } else {
      problem("SECOND_APP_ID: " + intruder + " was not refused while " + primary + " owns the verdict topic: it "
          + (running(gate) ? "runs (a second writer)" : "neither exited nor ran within " + REFUSAL_TIMEOUT.toSeconds() + " s")
          + "; killed");
      gate.kill();
    }
  }

  private void killLeader() throws Exception {
    List<Map.Entry<TopicPartition, Integer>> led = view.leaders().entrySet().stream().filter(e -> e.getValue() >= 0)
        .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(TopicPartition::toString))).toList();
    if (led.isEmpty()) {
      say("no partition has a leader: no broker killed");
      return;
    }
    Map.Entry<TopicPartition, Integer> target = led.get(random.nextInt(led.size()));
    int broker = target.getValue();
    long downMillis = 2_000 + random.nextInt(4_000);
    cluster.killBroker(broker);
    say("killed broker " + broker + ", leader of " + target.getKey() + "; down for " + downMillis + " ms");
    Thread.sleep(downMillis);
    cluster.restartBroker(broker);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    List<TopicPartition> behind = view.underReplicated();
    while (!behind.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      behind = view.underReplicated();
    }
    say("broker " + broker + " back" + (behind.isEmpty() ? ", every partition fully in sync"
        : "; still under-replicated after 90 s: " + behind));
  }

  /** Restarts, and records, a gate of the primary that exited without being told to. */
  void watch() throws Exception {
    for (int slot = 0; slot < slots.length; slot++) {
      GateProcess gate = slots[slot];
      if (gate != null && !gate.alive()) {
        problem(gate + " exited by itself with " + gate.exitCode() + ": " + gate.tail(5));
        slots[slot] = gates.run(primary, slot, primaryTookOver);
        say("restarted " + slots[slot]);
      }
    }
  }

  /**
   * Once the input is complete: waits until the primary has read all of it, is live in its epoch
   * and has stopped writing (its re-publication, if any, done), then stops every gate cleanly.
   */
  void finish(Duration timeout) throws Exception {
    if (slots[0] == null) {
      slots[0] = gates.run(primary, 0, primaryTookOver);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<TopicPartition, Long> ends = null;
    long quietSince = System.nanoTime();
    boolean settled = false;
    while (System.nanoTime() < deadline) {
      watch();
      Map<TopicPartition, Long> now = view.verdictEnds();
      if (!now.equals(ends)) {
        ends = now;
        quietSince = System.nanoTime();
      }
      boolean live = view.epoch(primary).map(e -> e.state() == GateEpoch.State.LIVE).orElse(false) && republished();
      if (live && view.caughtUp(primary) && System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(3)) {
        settled = true;
        break;
      }
      Thread.sleep(500);
    }
    if (!settled) {
      problem(primary + " did not catch up with the input, go live and stop writing within " + timeout.toSeconds() + " s");
    } else {
      say(primary + " caught up, live in epoch " + view.epoch(primary).map(GateEpoch.Value::epoch).orElse(-1L)
          + " and quiet");
    }
    stopAll();
  }

  private static final java.util.regex.Pattern NOW_LIVE = java.util.regex.Pattern.compile("task (\\S+) caught up: .*; now live");

  /**
   * Whether the primary's re-publication, if it began one, is done: each task publishes every
   * contact's verdict in batches after the catch-up and then logs that it is live (no other sign
   * of it is visible from outside: the recorded epoch turns live when the catch-up ends, before the
   * re-publication).
   */
  private boolean republished() throws Exception {
    return republished(false);
  }

  /**
   * A re-decision's most fragile moment is its re-publication, while input keeps arriving: the
   * fault lasts until it is over (or a minute), so that traffic flows through it and the next
   * fault does not cut it short.
   */
  private void awaitRepublication() throws Exception {
    long deadline = System.nanoTime() + REPUBLICATION_TIMEOUT.toNanos();
    while (!republished(true) && System.nanoTime() < deadline) {
      watch();
      Thread.sleep(250);
    }
    say(republished(true) ? primary + " re-published every contact and is live"
        : primary + " is still re-deciding after " + REPUBLICATION_TIMEOUT.toSeconds() + " s; going on");
  }

  /** @param expected a re-decision has begun, whether its log says so yet or not */
  private boolean republished(boolean expected) throws Exception {
    List<Path> logs = gates.logsOf(primary, redecidingSince);
    boolean redeciding = false;
    java.util.Set<String> live = new java.util.HashSet<>();
    for (Path log : logs) {
      String text = Files.readString(log);
      redeciding |= text.contains("re-deciding the history quietly");
      java.util.regex.Matcher m = NOW_LIVE.matcher(text);
      while (m.find()) {
        live.add(m.group(1));
      }
    }
    return (!redeciding && !expected) || live.size() >= partitions;
  }

  private static String refusal(GateProcess gate) {
    return gate.tail(20).lines().filter(l -> l.contains("verdict topic") || l.contains("unavailable")).findFirst()
        .orElse(gate.tail(1)).trim();
  }

  private static String lastLine(String output) {
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  private void problem(String what) {
    problems.add(what);
    say("PROBLEM: " + what);
  }

  void say(String what) {
    out.printf("chaos [%6.1f s] %s%n", (System.nanoTime() - startNanos) / 1e9, what);
    out.flush();
  }

  @Override
  public void close() {
    for (int slot = 0; slot < slots.length; slot++) {
      if (slots[slot] != null && slots[slot].alive()) {
        try {
          slots[slot].kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
