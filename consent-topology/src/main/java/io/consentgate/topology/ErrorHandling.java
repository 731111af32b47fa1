package io.consentgate.topology;

import io.consentgate.topics.GateTopics;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How bad input leaves the gate: Kafka Streams' own handlers keep processing and write the
 * original key and value bytes, with the source topic, partition, offset and the error in
 * headers, to the dead-letter topic. A registry outage is not bad input: see
 * {@link DeadLetterOrRetryHandler}.
 */
public final class ErrorHandling {

  private ErrorHandling() {}

  public static Map<String, Object> streamsProperties(GateTopics topics) {
    return Map.of(
        StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters(),
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterOrRetryHandler.class,
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class,
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
  }

  /**
   * Kafka Streams stamps a dead letter with the bad record's timestamp, which is its event time:
   * one dated 2150 is refused by the broker (more than an hour ahead) and stops the partition for
   * good, and one a year old is deleted by the next retention pass. A dead letter is stamped with
   * the moment it is written instead; where it came from is in its headers.
   */
  static List<ProducerRecord<byte[], byte[]>> stampedWhenWritten(List<ProducerRecord<byte[], byte[]>> deadLetters) {
    return deadLetters.stream()
        .map(r -> new ProducerRecord<>(r.topic(), r.partition(), null, r.key(), r.value(), r.headers()))
        .toList();
  }
}
