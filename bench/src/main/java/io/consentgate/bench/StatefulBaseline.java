package io.consentgate.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The limit any stateful exactly-once application of the gate's shape reaches on this machine,
 * beside which the gate is measured: per input record a get and a put of a state-sized value (up
 * to 600 bytes, growing with each record of the key) in a changelogged RocksDB store without
 * cache, and an output record for every third input. No decoding, no policy: only what the gate
 * cannot avoid.
 */
final class StatefulBaseline {

  static final String STORE = "bench-stateful-state";
  static final int MAX_STATE_BYTES = 600;

  private StatefulBaseline() {}

  static Topology build(List<String> inputs, String output) {
    StreamsBuilder b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.Bytes(), Serdes.ByteArray())
        .withCachingDisabled()
        .withLoggingEnabled(Map.of("cleanup.policy", "compact", "message.timestamp.type", "LogAppendTime")));
    b.stream(inputs, Consumed.with(Serdes.Bytes(), Serdes.ByteArray()).withName("bench-stateful-source"))
        .process(Step::new, Named.as("bench-stateful-step"), STORE)
        .to(output, Produced.with(Serdes.Bytes(), Serdes.ByteArray()).withName("bench-stateful-sink"));
    return b.build();
  }

  /** Get, grow, put; forward every third. */
  private static final class Step implements Processor<Bytes, byte[], Bytes, byte[]> {
    private ProcessorContext<Bytes, byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;
    private long seen;

    @Override
    public void init(ProcessorContext<Bytes, byte[]> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<Bytes, byte[]> record) {
      byte[] value = record.value() == null ? new byte[0] : record.value();
      byte[] old = store.get(record.key());
      byte[] next;
      if (old == null) {
        next = Arrays.copyOf(value, Math.min(value.length, MAX_STATE_BYTES));
      } else {
        int keep = Math.max(0, Math.min(old.length, MAX_STATE_BYTES - value.length));
        next = Arrays.copyOf(old, Math.min(MAX_STATE_BYTES, keep + value.length));
        System.arraycopy(value, 0, next, keep, next.length - keep);
      }
      store.put(record.key(), next);
      if (++seen % 3 == 0) {
        context.forward(record.withValue(next));
      }
    }
  }
}
