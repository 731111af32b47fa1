package io.consentgate.app;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.history.HistoryJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "verdicts", mixinStandardHelpOptions = true,
    description = "Prints the verdict topic as JSON lines (read_committed: only verdicts of committed transactions).")
final class VerdictsCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--from-beginning", description = "Start at the oldest verdict kept (default: only new ones).")
  boolean fromBeginning;

  @Option(names = "--follow", description = "Keep printing new verdicts until stopped (default: stop at the end).")
  boolean follow;

  @Override
  public Integer call() throws Exception {
    GateRuntime runtime = new GateRuntime(options.load(cluster.flags()));
    runtime.requireTopics(List.of(runtime.config().topics().verdicts()));
    runtime.requireRegistry();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AtomicBoolean running = new AtomicBoolean(true);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.set(false);
      out.flush();
    }));
    long bad = print(runtime, fromBeginning, follow, running, out, err);
    return bad == 0 ? 0 : ConsentGateCli.EXIT_BAD_INPUT;
  }

  /** Prints verdicts; returns how many records could not be read as verdicts. */
  static long print(GateRuntime runtime, boolean fromBeginning, boolean follow, AtomicBoolean running,
                    PrintWriter out, PrintWriter err) throws Unavailable {
    GateConfig config = runtime.config();
    Deserializer<ConsentVerdict> verdicts = runtime.valueSerdes().forType(ConsentVerdict.class).deserializer();
    Map<String, Object> props = config.kafka().clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    long bad = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      String topic = config.topics().verdicts();
      List<TopicPartition> partitions = ExistingTopic.partitions(consumer, topic, config.kafka().bootstrapServers());
      consumer.assign(partitions);
      if (fromBeginning) {
        consumer.seekToBeginning(partitions);
      } else {
        consumer.seekToEnd(partitions);
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          try {
            out.println(HistoryJson.write(verdicts.deserialize(topic, r.value())));
          } catch (RuntimeException e) {
            bad++;
            err.println("partition " + r.partition() + " offset " + r.offset() + ": not a verdict: " + e.getMessage());
          }
        }
        out.flush();
        if (!follow && caughtUp(consumer, end)) {
          break;
        }
      }
    }
    return bad;
  }

  private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
