package io.consentgate.app;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "dead-letters", mixinStandardHelpOptions = true,
    description = {"Prints the dead-letter topic as JSON lines: where each record came from, why it was rejected, "
        + "its key and its value (base64).",
        "--replay sends each one back, with its original key and value bytes, to the topic it came from "
            + "(after the cause is fixed, e.g. a missing schema registered)."})
final class DeadLettersCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Option(names = "--replay", description = "Re-publish every dead letter to its source topic.")
  boolean replay;

  @Override
  public Integer call() throws Exception {
    GateConfig config = options.load();
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Object> consumerProps = new HashMap<>(config.kafkaClientProperties());
    consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, Object> producerProps = new HashMap<>(config.kafkaClientProperties());
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    long read = 0;
    long replayed = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
         KafkaProducer<byte[], byte[]> producer = replay
             ? new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer()) : null) {
      String topic = config.topics().deadLetters();
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      if (partitions.isEmpty()) {
        spec.commandLine().getErr().println("consent-gate: topic " + topic + " does not exist");
        return ConsentGateCli.EXIT_UNAVAILABLE;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          read++;
          out.println(describe(r));
          String source = header(r, ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME);
          if (producer != null && source != null) {
            producer.send(new ProducerRecord<>(source, null, r.key(), r.value()));
            replayed++;
          }
        }
      }
      if (producer != null) {
        producer.flush();
      }
    }
    spec.commandLine().getErr().printf("%d dead letters%s%n", read, replay ? ", " + replayed + " replayed to their source topics" : "");
    return 0;
  }

  private static String describe(ConsumerRecord<byte[], byte[]> r) throws IOException {
    StringWriter s = new StringWriter();
    try (JsonGenerator g = JSON.getFactory().createGenerator(s)) {
      g.writeStartObject();
      g.writeNumberField("dlqPartition", r.partition());
      g.writeNumberField("dlqOffset", r.offset());
      g.writeStringField("sourceTopic", header(r, ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME));
      g.writeStringField("sourcePartition", header(r, ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME));
      g.writeStringField("sourceOffset", header(r, ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME));
      g.writeStringField("error", header(r, ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME));
      g.writeStringField("reason", header(r, ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME));
      g.writeStringField("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
      g.writeStringField("valueBase64", r.value() == null ? null : Base64.getEncoder().encodeToString(r.value()));
      g.writeEndObject();
    }
    return s.toString();
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
