package io.consentgate.bench;

import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.PolicySettings;
import java.time.Instant;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Decisions per second of the pure policy over realistic contact states (JMH): outcomes and full verdicts. */
@State(Scope.Thread)
public class PolicyBenchmark {

  private static final int STATES = 1024;
  private ConsentPolicy policy;
  private ConsentState[] states;
  private Instant[] asOf;
  private int next;

  @Setup
  public void setUp() {
    policy = new ConsentPolicy(PolicySettings.defaults());
    SplittableRandom random = new SplittableRandom(7);
    states = new ConsentState[STATES];
    asOf = new Instant[STATES];
    Instant base = Instant.parse("2024-01-01T00:00:00Z");
    EvidenceKind[] kinds = EvidenceKind.values();
    for (int i = 0; i < STATES; i++) {
      ConsentState s = ConsentState.EMPTY.with(new Contact("c-" + i, "acme", "person" + i + "@example.org",
          ContactSource.values()[random.nextInt(ContactSource.values().length)], base));
      Instant t = base;
      for (int e = 0; e < 1 + random.nextInt(8); e++) {
        t = t.plusSeconds(random.nextInt(3_000_000));
        s = s.with(new Evidence("e-" + i + "-" + e, "c-" + i, random.nextInt(20) == 0 ? "globex" : "acme",
            kinds[random.nextInt(kinds.length)], t, random.nextInt(10) == 0 ? null : "proof-" + e));
      }
      states[i] = s;
      asOf[i] = s.latestEventTime().orElseThrow();
    }
  }

  /** A full verdict, reasons and lists included: what the gate builds when it publishes. */
  @Benchmark
  public Object decide() {
    int i = next++ & (STATES - 1);
    return policy.decide(states[i], asOf[i]);
  }

  /** The outcome alone: what the gate computes on every event to see whether anything changed. */
  @Benchmark
  public Object outcome() {
    int i = next++ & (STATES - 1);
    return policy.outcome(states[i], asOf[i]);
  }
}
