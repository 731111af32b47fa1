package io.consentgate.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
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
  static final String INDEX_STORE = "bench-stateful-index";
  /** An address entry: a few contact ids and their latest notices. */
  static final int MAX_INDEX_BYTES = 200;
  /**
   * The share of evidence records that cross to the index: withdrawals, complaints and bounces are
   * about 8% of the generated history's records, whose evidence is about 90%.
   */
  static final int SUPPRESSING_PER_MILLE_OF_EVIDENCE = 89;

  private StatefulBaseline() {}

  static Topology build(List<String> inputs, String output) {
    StreamsBuilder b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.Bytes(), Serdes.ByteArray())
        .withCachingDisabled()
        .withLoggingEnabled(Map.of("cleanup.policy", "compact", "message.timestamp.type", "LogAppendTime")));
    b.stream(inputs, Consumed.with(Serdes.Bytes(), Serdes.ByteArray()).withName("bench-stateful-source"))
        .process(() -> new Step(Role.PLAIN, null), Named.as("bench-stateful-step"), STORE)
        .to(output, Produced.with(Serdes.Bytes(), Serdes.ByteArray()).withName("bench-stateful-sink"));
    return b.build();
  }

  /**
   * The same, plus the two hops suppression by address adds and the state each hop keeps: every
   * contact record, and the suppressing share of the evidence, crosses a repartition topic keyed by
   * another key (the address) to a get and a put in a second changelogged store (the index); each
   * contact record then crosses a second topic, keyed by contact again, to a get and a put in the
   * first store (the index's answer). No decoding, no policy: the floor of any implementation that
   * indexes addresses on their own partitions, as the issue asks, against which the gate's own
   * overhead can be told apart from the hops'.
   */
  static Topology buildWithAddressHops(String contactTopic, String evidenceTopic, String output) {
    StreamsBuilder b = new StreamsBuilder();
    b.addStateStore(changelogged(STORE));
    b.addStateStore(changelogged(INDEX_STORE));
    KStream<Bytes, byte[]> decided = b.stream(List.of(contactTopic, evidenceTopic),
            Consumed.with(Serdes.Bytes(), Serdes.ByteArray()).withName("bench-hops-source"))
        .process(() -> new Step(Role.FRONT, contactTopic), Named.as("bench-hops-step"), STORE);
    decided.filter((k, v) -> v.length > 0 && v[0] == OUT, Named.as("bench-hops-verdicts"))
        .mapValues(v -> Arrays.copyOfRange(v, 1, v.length), Named.as("bench-hops-verdict-values"))
        .to(output, Produced.with(Serdes.Bytes(), Serdes.ByteArray()).withName("bench-hops-sink"));
    decided.filter((k, v) -> v.length > 0 && v[0] != OUT, Named.as("bench-hops-to-index"))
        .selectKey((contact, v) -> addressOf(contact), Named.as("bench-hops-address-key"))
        .repartition(Repartitioned.<Bytes, byte[]>as("bench-hops-address").withKeySerde(Serdes.Bytes())
            .withValueSerde(Serdes.ByteArray()))
        .process(IndexStep::new, Named.as("bench-hops-index"), INDEX_STORE)
        .repartition(Repartitioned.<Bytes, byte[]>as("bench-hops-answers").withKeySerde(Serdes.Bytes())
            .withValueSerde(Serdes.ByteArray()))
        .process(() -> new Step(Role.ANSWER, null), Named.as("bench-hops-answer-step"), STORE)
        .filter((k, v) -> false, Named.as("bench-hops-answers-published-above"));
    return b.build();
  }

  private static final byte OUT = 0;
  private static final byte CONTACT = 1;
  private static final byte NOTICE = 2;

  private static StoreBuilder<KeyValueStore<Bytes, byte[]>> changelogged(String name) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray())
        .withCachingDisabled()
        .withLoggingEnabled(Map.of("cleanup.policy", "compact", "message.timestamp.type", "LogAppendTime"));
  }

  /** Another key for the same contact, on another partition for most contacts, as an address's would be. */
  private static Bytes addressOf(Bytes contact) {
    byte[] k = contact.get().clone();
    for (int i = 0, j = k.length - 1; i < j; i++, j--) {
      byte t = k[i];
      k[i] = k[j];
      k[j] = t;
    }
    return Bytes.wrap(k);
  }

  /** Grows {@code old} by {@code value}, keeping at most {@code max} bytes. */
  private static byte[] grown(byte[] old, byte[] value, int max) {
    if (old == null) {
      return Arrays.copyOf(value, Math.min(value.length, max));
    }
    int keep = Math.max(0, Math.min(old.length, max - value.length));
    byte[] next = Arrays.copyOf(old, Math.min(max, keep + value.length));
    System.arraycopy(value, 0, next, keep, next.length - keep);
    return next;
  }

  /** Forwards {@code value} behind a one-byte tag. */
  private static byte[] tagged(byte tag, byte[] value) {
    byte[] out = new byte[value.length + 1];
    out[0] = tag;
    System.arraycopy(value, 0, out, 1, value.length);
    return out;
  }

  /** Where a step sits: alone, in front of the hops, or behind them (the index's answer). */
  private enum Role { PLAIN, FRONT, ANSWER }

  /**
   * Get, grow, put; every third record an output (tagged in front of the hops, which also sends a
   * record to the index for every contact record and the suppressing share of the evidence); the
   * answer step only gets and puts.
   */
  private static final class Step implements Processor<Bytes, byte[], Bytes, byte[]> {
    private final Role role;
    private final String contactTopic;
    private ProcessorContext<Bytes, byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;
    private long seen;

    Step(Role role, String contactTopic) {
      this.role = role;
      this.contactTopic = contactTopic;
    }

    @Override
    public void init(ProcessorContext<Bytes, byte[]> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<Bytes, byte[]> record) {
      byte[] value = record.value() == null ? new byte[0] : record.value();
      byte[] next = grown(store.get(record.key()), value, MAX_STATE_BYTES);
      store.put(record.key(), next);
      if (role == Role.ANSWER) {
        return; // the index's answer: applied, its verdict counted among the outputs in front
      }
      if (++seen % 3 == 0) {
        context.forward(record.withValue(role == Role.PLAIN ? next : tagged(OUT, next)));
      }
      if (role == Role.PLAIN) {
        return;
      }
      boolean contact = context.recordMetadata().map(m -> contactTopic.equals(m.topic())).orElse(false);
      if (contact) {
        context.forward(record.withValue(tagged(CONTACT, value)));
      } else if (Math.floorMod(Arrays.hashCode(value), 1000) < SUPPRESSING_PER_MILLE_OF_EVIDENCE) {
        context.forward(record.withValue(tagged(NOTICE, value)));
      }
    }
  }

  /** The index: get, grow, put of the address's entry; a contact record is answered, keyed by contact again. */
  private static final class IndexStep implements Processor<Bytes, byte[], Bytes, byte[]> {
    private ProcessorContext<Bytes, byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;

    @Override
    public void init(ProcessorContext<Bytes, byte[]> context) {
      this.context = context;
      this.store = context.getStateStore(INDEX_STORE);
    }

    @Override
    public void process(Record<Bytes, byte[]> record) {
      byte[] value = record.value();
      store.put(record.key(), grown(store.get(record.key()), value, MAX_INDEX_BYTES));
      if (value[0] == CONTACT) {
        context.forward(record.withKey(addressOf(record.key())).withValue(Arrays.copyOfRange(value, 1, Math.min(value.length, 65))));
      }
    }
  }
}
