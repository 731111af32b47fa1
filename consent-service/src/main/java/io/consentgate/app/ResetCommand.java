package io.consentgate.app;

import io.consentgate.runtime.GateEpoch;
import io.consentgate.runtime.VerdictTopicTail;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "reset", mixinStandardHelpOptions = true,
    description = {"Makes the gate re-decide its whole history from the inputs (kept forever), in a new epoch: what "
        + "Kafka's application reset tool does, for this application. A dry run by default: it prints every action; "
        + "--execute acts. Refuses while any instance of the gate is running.",
        "After the reset the gate re-reads the inputs quietly, publishes every contact's verdict once in the new epoch, "
            + "and runs on. Senders ordering verdicts by (epoch, version) never see an old state come back."})
final class ResetCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--execute", description = "Carry the actions out (default: only print them).")
  boolean execute;

  /** One step of the reset, said before it is done. */
  private record Action(String description, Step step) {}

  private interface Step {
    void run() throws Exception;
  }

  @Override
  public Integer call() throws Exception {
    GateRuntime runtime = new GateRuntime(options.load(cluster.flags()));
    GateConfig config = runtime.config();
    String app = config.streams().applicationId();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    runtime.requireTopics(List.of(config.topics().contactCreated(), config.topics().consentEvidence(), config.topics().verdicts()));
    List<Action> actions = new ArrayList<>();
    try (Admin admin = runtime.admin()) {
      requireNoLiveMember(admin, app);
      if (!admin.listConsumerGroupOffsets(app).partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS).isEmpty()) {
        actions.add(new Action("delete consumer group " + app + " and its committed offsets: the gate re-reads "
            + config.topics().contactCreated() + " and " + config.topics().consentEvidence() + " from the beginning",
            () -> admin.deleteConsumerGroups(List.of(app)).all().get(15, TimeUnit.SECONDS)));
      }
      List<String> internal = admin.listTopics().names().get(15, TimeUnit.SECONDS).stream()
          .filter(t -> t.startsWith(app + "-") && (t.endsWith("-changelog") || t.endsWith("-repartition"))).sorted().toList();
      for (String topic : internal) {
        actions.add(new Action("delete internal topic " + topic,
            () -> admin.deleteTopics(List.of(topic)).all().get(15, TimeUnit.SECONDS)));
      }
      Path state = config.streams().stateDir().resolve(app);
      if (Files.exists(state)) {
        actions.add(new Action("delete local state " + state + " (this machine only: run reset, or delete this "
            + "directory, on every machine that ran an instance)", () -> Utils.delete(state.toFile())));
      }
      Map<String, Object> client = config.kafka().clientProperties();
      long recorded = GateEpoch.read(client, app).map(GateEpoch.Value::epoch).orElse(-1L);
      long next = Math.max(recorded, VerdictTopicTail.read(client, config.topics().verdicts()).latestEpoch()) + 1;
      actions.add(new Action("record epoch " + next + " in topic " + GateEpoch.topic(app) + ": the re-decided verdicts "
          + "outrank every verdict of an earlier epoch", () -> GateEpoch.write(admin, client, app,
          new GateEpoch.Value(next, GateEpoch.State.CATCHING_UP), config.topicCreation().replicationFactor())));

      out.println("reset of gate " + app + (execute ? "" : " (dry run: nothing is changed)") + ":");
      for (int i = 0; i < actions.size(); i++) {
        out.println("  " + (i + 1) + ". " + actions.get(i).description());
      }
      out.flush();
      if (!execute) {
        err.println("dry run: nothing changed; run again with --execute to carry out these " + actions.size() + " actions");
        return 0;
      }
      requireNoLiveMember(admin, app); // nobody started meanwhile
      for (Action action : actions) {
        action.step().run();
        err.println("done: " + action.description());
      }
    }
    err.println("reset complete: start the gate; it re-decides quietly, then publishes every contact's verdict once in "
        + "the new epoch (watch its log for \"caught up\")");
    return 0;
  }

  private static void requireNoLiveMember(Admin admin, String app) throws Exception {
    ConsumerGroupDescription group;
    try {
      group = admin.describeConsumerGroups(List.of(app)).all().get(15, TimeUnit.SECONDS).get(app);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return;
      }
      throw e;
    }
    if (group != null && !group.members().isEmpty()) {
      List<String> hosts = group.members().stream().map(m -> m.clientId() + "@" + m.host()).sorted().toList();
      throw new Unavailable("gate " + app + " is running: its consumer group has " + hosts.size() + " live member(s) "
          + hosts + "; stop every instance before a reset");
    }
  }
}
