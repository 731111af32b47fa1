package io.consentgate.app;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.history.HistoryJson;
import io.consentgate.history.MalformedRecordException;
import io.consentgate.serde.ValueSerdes;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Writes a JSON-lines history to the input topics (Avro over the schema registry), in file order.")
final class PublishCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSON-lines history (docs/events.md).")
  Path input;

  @Override
  public Integer call() throws Exception {
    GateRuntime runtime = new GateRuntime(options.load());
    PrintWriter err = spec.commandLine().getErr();
    try (BufferedReader history = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      Result result = publish(runtime, history, err);
      err.printf("published %d records (%d contacts, %d evidence) from %d lines; %d malformed lines%n",
          result.contacts + result.evidence, result.contacts, result.evidence, result.lines, result.malformed);
      return result.malformed == 0 ? 0 : ConsentGateCli.EXIT_BAD_INPUT;
    } catch (NoSuchFileException e) {
      err.println("consent-gate: no such file: " + input);
      return ConsentGateCli.EXIT_USAGE;
    }
  }

  static final class Result {
    long lines;
    long contacts;
    long evidence;
    long malformed;
  }

  static Result publish(GateRuntime runtime, BufferedReader history, PrintWriter err) throws Exception {
    GateConfig config = runtime.config();
    ValueSerdes serdes = runtime.valueSerdes();
    Serializer<ContactCreated> contacts = serdes.forType(ContactCreated.class).serializer();
    Serializer<ConsentEvidence> evidence = serdes.forType(ConsentEvidence.class).serializer();
    Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    Result result = new Result();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      String line;
      while ((line = history.readLine()) != null) {
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
        if (record instanceof ContactCreated c) {
          String topic = config.topics().contactCreated();
          producer.send(new ProducerRecord<>(topic, c.getContactId(), contacts.serialize(topic, c)));
          result.contacts++;
        } else if (record instanceof ConsentEvidence e) {
          String topic = config.topics().consentEvidence();
          producer.send(new ProducerRecord<>(topic, e.getContactId(), evidence.serialize(topic, e)));
          result.evidence++;
        }
      }
      producer.flush();
    }
    return result;
  }
}
