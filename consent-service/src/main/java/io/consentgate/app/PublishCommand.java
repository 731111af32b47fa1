package io.consentgate.app;

import io.consentgate.history.HistoryJson;
import io.consentgate.history.MalformedRecordException;
import io.consentgate.topics.InputRecordSerializer;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Writes a JSON-lines history to the input topics (Avro over the schema registry), in file order.")
public final class PublishCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--input", required = true, paramLabel = "FILE",
      description = "JSON-lines history (docs/events.md); - reads standard input.")
  Path input;

  /**
   * Producer bounds: a publish to an unreachable broker or a missing topic gives up within about
   * half a minute instead of the client defaults' minutes (60 s per blocked send, 120 s per record).
   */
  static final int MAX_BLOCK_MS = 15_000;
  static final int REQUEST_TIMEOUT_MS = 10_000;
  static final int DELIVERY_TIMEOUT_MS = 30_000;

  @Override
  public Integer call() throws Exception {
    GateRuntime runtime = new GateRuntime(options.load(cluster.flags()));
    PrintWriter err = spec.commandLine().getErr();
    GateConfig config = runtime.config();
    try (BufferedReader history = InputFiles.open(input)) {
      runtime.requireTopics(List.of(config.topics().contactCreated(), config.topics().consentEvidence()));
      runtime.requireRegistry();
      Result result = publish(runtime, history, err);
      if (result.failure != null) {
        throw new Unavailable("Kafka at " + config.kafka().bootstrapServers() + " did not acknowledge every record: "
            + result.acknowledged + " of " + result.sent + " sent records acknowledged (" + result.failure.getMessage() + "). "
            + "Records are acknowledged per partition, not in file order, so which ones arrived is not a prefix of the file. "
            + "Rerunning the whole file is safe: a repeated record changes nothing (evidence ids deduplicate, a repeated "
            + "contact record is idempotent).", result.failure);
      }
      err.printf("published %d records (%d contacts, %d evidence) from %d lines, all acknowledged; %d malformed lines%n",
          result.acknowledged, result.contacts, result.evidence, result.lines, result.malformed);
      return result.malformed == 0 ? 0 : ConsentGateCli.EXIT_BAD_INPUT;
    }
  }

  public static final class Result {
    public long lines;
    public long contacts;
    public long evidence;
    public long malformed;
    public long sent;
    public long acknowledged;
    /** The first record Kafka did not take, if any. */
    public Exception failure;
  }

  public static Result publish(GateRuntime runtime, BufferedReader history, PrintWriter err) throws Exception {
    GateConfig config = runtime.config();
    InputRecordSerializer inputs = new InputRecordSerializer(config.topics(), runtime.valueSerdes());
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
    props.putAll(config.kafka().clientProperties()); // kafka.* wins, as everywhere
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
    Result result = new Result();
    AtomicLong acknowledged = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Callback acked = (metadata, error) -> {
      if (error == null) {
        acknowledged.incrementAndGet();
      } else {
        failure.compareAndSet(null, error);
      }
    };
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      String line;
      while (failure.get() == null && (line = history.readLine()) != null) {
        result.lines++;
        if (line.isBlank()) {
          continue;
        }
        SpecificRecord record;
        try {
          record = HistoryJson.read(line);
        } catch (MalformedRecordException e) {
          result.malformed++;
          err.println("line " + result.lines + ": " + e.getMessage() + " (skipped)");
          continue;
        }
        try {
          ProducerRecord<String, byte[]> toSend = inputs.serialize(record); // its topic, keyed by contactId
          producer.send(toSend, acked);
          if (toSend.topic().equals(config.topics().contactCreated())) {
            result.contacts++;
          } else {
            result.evidence++;
          }
          result.sent++;
        } catch (KafkaException e) {
          failure.compareAndSet(null, e); // a send that could not even be queued (no metadata within max.block.ms)
        }
      }
      producer.flush();
    }
    result.acknowledged = acknowledged.get();
    result.failure = failure.get();
    return result;
  }
}
