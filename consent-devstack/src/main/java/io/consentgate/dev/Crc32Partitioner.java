package io.consentgate.dev;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

/**
 * How librdkafka-based clients (Python confluent-kafka, Go, .NET, C/C++) place a keyed record by
 * default ({@code partitioner=consistent_random}): CRC-32 of the key bytes modulo the partition
 * count, where the Java client uses murmur2. Shared by the tests that produce as such a client
 * would: the misrouting tests and the lifecycle chaos suite's generator.
 */
public final class Crc32Partitioner implements Partitioner {

  public static int partitionOf(String key, int partitions) {
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % partitions);
  }

  @Override
  public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
    CRC32 crc = new CRC32();
    crc.update(keyBytes);
    return (int) (crc.getValue() % cluster.partitionCountForTopic(topic));
  }

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
