package io.consentgate.bench;

import io.consentgate.ledger.ContactConsent;
import io.consentgate.topology.ContactConsentSerde;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The consent store's value format (JMH): a contact's state read from and written to the store,
 * once per event each. Values shaped like a settled production contact ({@link RealisticConsent}).
 */
@State(Scope.Thread)
public class ConsentStoreFormatBenchmark {

  private static final int VALUES = 1024;
  private final ContactConsentSerde serde = new ContactConsentSerde();
  private ContactConsent[] values;
  private byte[][] stored;
  private int next;

  @Setup
  public void setUp() {
    RealisticConsent realistic = new RealisticConsent(11);
    values = new ContactConsent[VALUES];
    stored = new byte[VALUES][];
    for (int i = 0; i < VALUES; i++) {
      values[i] = realistic.next(1_000_000L + i);
      stored[i] = serde.serialize(values[i]);
    }
  }

  /** A state read from the store: bytes to the state the policy decides on. */
  @Benchmark
  public Object read() {
    return serde.deserialize(stored[next++ & (VALUES - 1)]);
  }

  /** A changed state written to the store (and its changelog). */
  @Benchmark
  public Object write() {
    return serde.serialize(values[next++ & (VALUES - 1)]);
  }
}
