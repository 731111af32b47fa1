package io.consentgate.topology;

import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * What the gate's two exception handlers ({@link DeadLetterOrRetryHandler} for bytes,
 * {@link DeadLetterProcessingHandler} for records) do alike: they look down an error's causes for
 * a failure that is not the record's fault (and then do not dead-letter it), and otherwise let
 * Kafka Streams' own handler make the dead letters, count them and stamp them with the time they
 * are written before resuming.
 */
final class DeadLettering {

  private DeadLettering() {}

  /** Whether {@code error} or any of its causes is a {@code kind}. */
  static boolean causedBy(Throwable error, Class<? extends Throwable> kind) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (kind.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The dead letters to resume with: counted by reason and source topic first, then made by Kafka
   * Streams' own handler ({@code deadLetters}, called once) and {@linkplain #stampedWhenWritten
   * stamped with the time they are written}.
   */
  static List<ProducerRecord<byte[], byte[]>> counted(ErrorHandlerContext context, Exception error,
                                                      Supplier<List<ProducerRecord<byte[], byte[]>>> deadLetters) {
    DeadLetterMetrics.count(error, context.topic());
    return stampedWhenWritten(deadLetters.get());
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
