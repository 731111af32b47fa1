package io.consentgate.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Which task owns a contact: the input partition the Java producer's default partitioner gives its
 * id (murmur2 of the UTF-8 key bytes). Producers of other languages may partition differently
 * (librdkafka's default is CRC32), so the gate decides ownership itself instead of trusting the
 * partition a record arrived on: the verdict of a contact must never depend on its producers.
 *
 * @param inputPartitions the partition count of the input topics when the gate started
 */
public record ContactOwnership(int inputPartitions) {

  public ContactOwnership {
    if (inputPartitions < 1) {
      throw new IllegalArgumentException("input partitions must be at least 1: " + inputPartitions);
    }
  }

  public int partitionOf(String contactId) {
    return Utils.toPositive(Utils.murmur2(contactId.getBytes(StandardCharsets.UTF_8))) % inputPartitions;
  }

  public boolean owns(int partition, String contactId) {
    return partitionOf(contactId) == partition;
  }
}
