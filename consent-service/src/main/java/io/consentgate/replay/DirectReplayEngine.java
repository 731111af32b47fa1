package io.consentgate.replay;

import io.consentgate.contract.VerdictMapping;
import io.consentgate.ledger.LapseSchedule;
import io.consentgate.ledger.SortedKeySet;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.TopologySettings;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * The gate's decisions without Kafka: the topology's contract checks and its {@link io.consentgate.ledger.ConsentLedger}
 * over in-memory maps and the same {@link LapseSchedule}, with lapse checks fired on the schedule
 * of the topology's wall-clock punctuation, and the suppression index by address wired in
 * ({@link AddressGate}: the ledger's traffic with the index is run to the end after each record).
 * What it skips is only the plumbing (serdes, record queues, store layers, the topics between the
 * ledger and the index), which is most of the cost of a replay.
 */
final class DirectReplayEngine implements ReplayEngine {

  private final AddressGate gate;
  private final Sink sink;
  private final long lapseCheckMillis;
  /** The next point of the lapse-check schedule: every lapse check interval from the epoch, where the replay's clock starts. */
  private long nextLapseCheck;

  DirectReplayEngine(TopologySettings settings, Sink sink) {
    this.sink = sink;
    this.gate = new AddressGate(new ConsentPolicy(settings.policy()), new LapseSchedule(new SortedKeySet()),
        (contactId, verdict, version) -> sink.verdict(VerdictMapping.toRecord(verdict, version)));
    this.lapseCheckMillis = settings.lapseCheckInterval().toMillis();
    this.nextLapseCheck = lapseCheckMillis;
  }

  /**
   * The topology's contract check: the domain event a record stands for, keyed as a producer
   * keys it (by its contactId).
   *
   * @throws io.consentgate.contract.BadInputException when the record breaks the contract (the topology would dead-letter it)
   */
  static ConsentEvent check(GateTopics topics, SpecificRecord record) {
    var input = topics.inputFor(record);
    return input.toEvent(input.keyOf(record), record);
  }

  @Override
  public void accept(SpecificRecord record, ConsentEvent event, String refusal) {
    if (event == null) {
      sink.refused(refusal);
    } else {
      gate.apply(event);
    }
  }

  /**
   * Like a Kafka Streams wall-clock punctuation, the lapse check runs at most once per move of the
   * clock, at the new time, once the next point of its schedule is reached.
   */
  @Override
  public void advanceClock(Instant from, Instant to) {
    long now = to.toEpochMilli();
    if (now >= nextLapseCheck) {
      gate.checkLapses(to);
      nextLapseCheck += ((now - nextLapseCheck) / lapseCheckMillis + 1) * lapseCheckMillis; // the next point after now
    }
  }
}
