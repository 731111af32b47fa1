package io.consentgate.topology;

import io.consentgate.topics.GateTopics;

import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How bad input leaves the gate: Kafka Streams' own handlers keep processing and write the
 * original key and value bytes, with the source topic, partition, offset and the error in
 * headers, to the dead-letter topic ({@link DeadLettering}: counted, and stamped when written). A
 * registry outage is not bad input: see {@link DeadLetterOrRetryHandler}.
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
}
