package io.consentgate.app;

import io.consentgate.contract.BadInputException;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.replay.HistoryLine;
import io.consentgate.replay.HistoryLines;
import io.consentgate.serde.SchemaLookupFailedException;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topics.GateTopics;
import io.consentgate.topics.InputTopic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The history as the input topics hold it: both topics read {@code read_committed} from the
 * beginning up to the end offsets they had when reading started, merged into one sequence by
 * each record's Kafka timestamp (its append time on topics with {@code LogAppendTime}). Append
 * times are not guaranteed to grow within a partition (the broker's clock may step back), so this
 * is a k-way merge by the timestamp of each partition's next record: the records of one partition
 * keep their offset order, whatever their timestamps; ties go to {@code contact-created}, then to
 * the lower partition.
 *
 * <p>Each record is checked as the gate checks it: one the gate would dead-letter for its bytes or
 * its key (no key, a key that differs from its contactId, no value, bytes that are not a record)
 * is a {@link HistoryLine.Malformed}, since a history file cannot say it; one that breaks the
 * contract in its fields is a {@link HistoryLine.Refused}, as in a file. A registry that cannot be
 * asked is not bad input: reading stops ({@link Stopped}).
 */
final class KafkaHistory implements HistoryLines {

  /** Reading could not go on: Kafka or the registry stopped answering. */
  static final class Stopped extends RuntimeException {
    Stopped(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** How long reading may make no progress before it gives up. */
  static final Duration STALL = Duration.ofSeconds(60);
  /** Records buffered per partition before it is paused: bounds memory, however skewed the partitions. */
  static final int BUFFER = 2_000;

  /** One input partition: what is buffered of it, and where it ends. */
  private static final class Part {
    final TopicPartition partition;
    final int topicOrder;
    final Reading<?> reading;
    final long end;
    final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    boolean done;

    Part(TopicPartition partition, int topicOrder, Reading<?> reading, long end) {
      this.partition = partition;
      this.topicOrder = topicOrder;
      this.reading = reading;
      this.end = end;
    }
  }

  private final Consumer<byte[], byte[]> consumer;
  private final List<Part> parts = new ArrayList<>();
  private final Map<TopicPartition, Part> byPartition = new HashMap<>();
  private final byte[] onlyKey;
  private final Runnable onRead;
  private final Set<TimestampType> timestampTypes = EnumSet.noneOf(TimestampType.class);
  private final long total;
  private long read;
  private long number;
  private HistoryLine next;

  /**
   * @param onlyKey read only the records with this key (the others are skipped unread); null: all
   * @param onRead called for every record read from Kafka, for a progress report
   * @throws Unavailable when Kafka does not answer or an input topic does not exist
   */
  static KafkaHistory open(GateRuntime runtime, String onlyKey, Runnable onRead) throws Unavailable {
    GateConfig config = runtime.config();
    Map<String, Object> props = config.kafka().clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned, never a member of a group
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      return new KafkaHistory(consumer, config.topics(), runtime.valueSerdes(), config.kafka().bootstrapServers(), onlyKey,
          onRead);
    } catch (Unavailable | RuntimeException e) {
      consumer.close();
      throw e;
    }
  }

  /** Over a consumer someone else made (a test's MockConsumer); closing the history closes it. */
  static KafkaHistory over(Consumer<byte[], byte[]> consumer, GateTopics topics, ValueSerdes serdes, String onlyKey)
      throws Unavailable {
    return new KafkaHistory(consumer, topics, serdes, "the test cluster", onlyKey, () -> { });
  }

  private KafkaHistory(Consumer<byte[], byte[]> consumer, GateTopics topics, ValueSerdes serdes, Object bootstrap,
                       String onlyKey, Runnable onRead) throws Unavailable {
    this.consumer = consumer;
    this.onlyKey = onlyKey == null ? null : onlyKey.getBytes(StandardCharsets.UTF_8);
    this.onRead = onRead;
    List<TopicPartition> all = new ArrayList<>();
    List<InputTopic<?>> inputs = topics.inputs();
    Map<TopicPartition, Reading<?>> readings = new HashMap<>();
    Map<TopicPartition, Integer> order = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      InputTopic<?> input = inputs.get(i);
      Reading<?> reading = Reading.of(input, serdes);
      for (TopicPartition tp : ExistingTopic.partitions(consumer, input.name(), bootstrap)) {
        all.add(tp);
        readings.put(tp, reading);
        order.put(tp, i);
      }
    }
    consumer.assign(all);
    consumer.seekToBeginning(all);
    Map<TopicPartition, Long> ends;
    Map<TopicPartition, Long> starts;
    try {
      ends = consumer.endOffsets(all, ExistingTopic.TIMEOUT); // read_committed: the last stable offsets
      starts = consumer.beginningOffsets(all, ExistingTopic.TIMEOUT);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new Unavailable("Kafka (" + bootstrap + ") did not answer within " + ExistingTopic.TIMEOUT.toSeconds()
          + " s when asked for the end offsets of the input topics", e);
    }
    long sum = 0;
    for (TopicPartition tp : all) {
      Part part = new Part(tp, order.get(tp), readings.get(tp), ends.get(tp));
      part.done = part.end <= starts.get(tp);
      parts.add(part);
      byPartition.put(tp, part);
      sum += Math.max(0, part.end - starts.get(tp));
    }
    this.total = sum;
  }

  /** The records the topics held when reading started (transaction markers included, so a little high). */
  long total() {
    return total;
  }

  /** The records read so far. */
  long read() {
    return read;
  }

  /** How the records read so far were stamped: with their append time, their producer's time, or both. */
  Set<TimestampType> timestampTypes() {
    return EnumSet.copyOf(timestampTypes.isEmpty() ? EnumSet.of(TimestampType.NO_TIMESTAMP_TYPE) : timestampTypes);
  }

  @Override
  public boolean hasNext() {
    while (next == null) {
      ConsumerRecord<byte[], byte[]> record = take();
      if (record == null) {
        return false;
      }
      next = line(byPartition.get(new TopicPartition(record.topic(), record.partition())), record);
    }
    return true;
  }

  @Override
  public HistoryLine next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    HistoryLine line = next;
    next = null;
    return line;
  }

  /** The next record in append-time order, or null at the end. */
  private ConsumerRecord<byte[], byte[]> take() {
    fill();
    Part first = null;
    for (Part p : parts) {
      if (!p.buffer.isEmpty() && (first == null || before(p, first))) {
        first = p;
      }
    }
    if (first == null) {
      return null;
    }
    read++;
    onRead.run();
    return first.buffer.poll();
  }

  /** Whether partition {@code a}'s next record comes before {@code b}'s. */
  static boolean before(long timestampA, int topicA, int partitionA, long timestampB, int topicB, int partitionB) {
    if (timestampA != timestampB) {
      return timestampA < timestampB;
    }
    return topicA != topicB ? topicA < topicB : partitionA < partitionB;
  }

  private static boolean before(Part a, Part b) {
    return before(a.buffer.peek().timestamp(), a.topicOrder, a.partition.partition(), b.buffer.peek().timestamp(),
        b.topicOrder, b.partition.partition());
  }

  /**
   * Polls until every partition not yet read to its end has a record buffered: only then is the
   * earliest next record known.
   */
  private void fill() {
    long lastProgress = System.nanoTime();
    while (true) {
      List<TopicPartition> waiting = new ArrayList<>();
      for (Part p : parts) {
        if (!p.done && p.buffer.isEmpty()) {
          if (consumer.position(p.partition) >= p.end) {
            p.done = true; // read_committed: aborted records and markers end a partition without a record
          } else {
            waiting.add(p.partition);
          }
        }
      }
      if (waiting.isEmpty()) {
        return;
      }
      List<TopicPartition> paused = new ArrayList<>();
      List<TopicPartition> resumed = new ArrayList<>();
      for (Part p : parts) {
        (p.done || p.buffer.size() >= BUFFER ? paused : resumed).add(p.partition);
      }
      consumer.pause(paused);
      consumer.resume(resumed);
      int got = 0;
      try {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Part p = byPartition.get(new TopicPartition(r.topic(), r.partition()));
          if (r.offset() < p.end) {
            p.buffer.add(r);
            got++;
          }
        }
      } catch (KafkaException e) {
        throw new Stopped("reading the input topics failed: " + e.getMessage(), e);
      }
      if (got > 0) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
        throw new Stopped("Kafka sent nothing for " + STALL.toSeconds() + " s while " + waiting.size()
            + " input partition(s) had records left to read (" + waiting.get(0) + " …); is the broker up?", null);
      }
    }
  }

  private HistoryLine line(Part part, ConsumerRecord<byte[], byte[]> r) {
    if (onlyKey != null && (r.key() == null || !Arrays.equals(r.key(), onlyKey))) {
      return null;
    }
    number++;
    timestampTypes.add(r.timestampType());
    String origin = r.topic() + "-" + r.partition() + "@" + r.offset();
    Instant appendedAt = r.timestamp() < 0 ? null : Instant.ofEpochMilli(r.timestamp());
    if (r.key() == null) {
      return new HistoryLine.Malformed(number, "no key (the gate dead-letters it)", origin);
    }
    String key = new String(r.key(), StandardCharsets.UTF_8);
    if (r.value() == null) {
      return new HistoryLine.Malformed(number, "no value (the gate dead-letters it)", origin);
    }
    return part.reading.line(number, origin, key, r.value(), appendedAt);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }

  /** One input topic's deserializer and contract check. */
  private record Reading<V extends SpecificRecord>(InputTopic<V> topic, Deserializer<V> values) {

    static <V extends SpecificRecord> Reading<V> of(InputTopic<V> topic, ValueSerdes serdes) {
      return new Reading<>(topic, topic.valueSerde(serdes).deserializer());
    }

    HistoryLine line(long number, String origin, String key, byte[] bytes, Instant appendedAt) {
      V value;
      try {
        value = values.deserialize(topic.name(), bytes);
      } catch (SchemaLookupFailedException e) {
        throw new Stopped("the schema registry could not be asked for the schema of " + origin + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        return new HistoryLine.Malformed(number, "not a " + topic.valueType().getSimpleName() + ": " + e.getMessage()
            + " (the gate dead-letters it)", origin);
      }
      if (value == null) {
        return new HistoryLine.Malformed(number, "no value (the gate dead-letters it)", origin);
      }
      try {
        ConsentEvent event = topic.toEvent(key, value);
        return new HistoryLine.Accepted(number, value, event, appendedAt, origin);
      } catch (BadInputException e) {
        if (e.reason().equals("missing_key") || e.reason().equals("key_mismatch") || e.reason().equals("missing_value")) {
          return new HistoryLine.Malformed(number, e.getMessage() + " (the gate dead-letters it)", origin);
        }
        return new HistoryLine.Refused(number, value, e.getMessage(), appendedAt, origin);
      }
    }
  }
}
