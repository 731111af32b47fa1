package io.consentgate.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/** Counts the changelog records Kafka Streams restores. */
final class RestoreCounter implements StateRestoreListener {

  private final AtomicLong restored = new AtomicLong();

  @Override
  public void onRestoreStart(TopicPartition partition, String store, long start, long end) {}

  @Override
  public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
    restored.addAndGet(numRestored);
  }

  @Override
  public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {}

  long total() {
    return restored.get();
  }
}
