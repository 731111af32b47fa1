package io.consentgate.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps RocksDB's off-heap memory for the whole process: every store instance (one per store per
 * task) shares one block cache and one write-buffer manager charged to it, so memory no longer
 * grows with the number of partitions. Index and filter blocks live in the cache too.
 *
 * <p>Sized by {@value #MEMORY_BYTES} (total) and {@value #WRITE_BUFFER_RATIO} (the share of it
 * for memtables), which the runtime passes in the Streams configuration.
 */
public final class BoundedMemoryRocksDB implements RocksDBConfigSetter {

  public static final String MEMORY_BYTES = "consent.gate.rocksdb.memory.bytes";
  public static final String WRITE_BUFFER_RATIO = "consent.gate.rocksdb.write.buffer.ratio";

  private static Cache cache;
  private static WriteBufferManager writeBufferManager;
  private static long cacheBytes;

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    long total = Long.parseLong(String.valueOf(configs.getOrDefault(MEMORY_BYTES, StreamsSettings.DEFAULT_ROCKSDB_MEMORY_BYTES)));
    double ratio = Double.parseDouble(String.valueOf(configs.getOrDefault(WRITE_BUFFER_RATIO, StreamsSettings.DEFAULT_ROCKSDB_WRITE_BUFFER_RATIO)));
    shared(total, ratio);
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(cache);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(writeBufferManager);
    options.setMaxWriteBufferNumber(2);
  }

  private static synchronized void shared(long totalBytes, double writeBufferRatio) {
    if (cache == null) {
      cacheBytes = totalBytes;
      // High-priority pool for index and filter blocks, so data blocks cannot evict them.
      cache = new LRUCache(totalBytes, -1, false, 0.1);
      writeBufferManager = new WriteBufferManager((long) (totalBytes * writeBufferRatio), cache);
    }
  }

  /** The shared cache's size, once a store has been configured (for tests and diagnostics). */
  public static synchronized long cacheBytes() {
    return cacheBytes;
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write-buffer manager are shared by every store: they live as long as the process.
  }
}
