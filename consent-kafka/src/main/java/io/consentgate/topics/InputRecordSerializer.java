package io.consentgate.topics;

import io.consentgate.serde.ValueSerdes;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes input records (read from a history, say) as a producer sends them: to the record's input
 * topic, keyed by its contactId, the value in the topic's wire format. One value serializer per
 * topic, made once.
 */
public final class InputRecordSerializer {

  private final GateTopics topics;
  private final Map<InputTopic<?>, Serializing<?>> byTopic = new HashMap<>();

  public InputRecordSerializer(GateTopics topics, ValueSerdes serdes) {
    this.topics = topics;
    for (InputTopic<?> input : topics.inputs()) {
      byTopic.put(input, Serializing.of(input, serdes));
    }
  }

  /**
   * @throws IllegalArgumentException when {@code record} is not an input record
   * @throws org.apache.kafka.common.errors.SerializationException when the serde cannot write it
   */
  public ProducerRecord<String, byte[]> serialize(SpecificRecord record) {
    return byTopic.get(topics.inputFor(record)).serialize(record);
  }

  private record Serializing<V extends SpecificRecord>(InputTopic<V> topic, Serializer<V> values) {

    static <V extends SpecificRecord> Serializing<V> of(InputTopic<V> topic, ValueSerdes serdes) {
      return new Serializing<>(topic, topic.valueSerde(serdes).serializer());
    }

    ProducerRecord<String, byte[]> serialize(SpecificRecord record) {
      V value = topic.valueType().cast(record);
      return new ProducerRecord<>(topic.name(), topic.keyOf(value), values.serialize(topic.name(), value));
    }
  }
}
