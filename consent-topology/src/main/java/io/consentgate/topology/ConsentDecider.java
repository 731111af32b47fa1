package io.consentgate.topology;

import io.consentgate.contract.VerdictMapping;
import io.consentgate.ledger.ConsentLedger;
import io.consentgate.ledger.LapseSchedule;
import io.consentgate.ledger.ContactConsent;

import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The gate's one stateful step on Kafka Streams: the {@link ConsentLedger} over the consent store
 * and the lapse index, publishing verdicts downstream. A wall-clock punctuation re-decides the
 * contacts whose implicit consent is due to lapse.
 *
 * <p>A task decides only the contacts it owns ({@link ContactOwnership}). The input decider passes
 * an event of another contact on to the re-routing topic; what comes back from that topic, now
 * on the owner's partition, goes to a second decider node over the same stores. Two nodes rather
 * than a merge in front of one: correctly partitioned events then cross no extra processor.
 */
final class ConsentDecider implements Processor<String, ConsentEvent, String, Object> {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsentDecider.class);

  /** Where a decider node sits: on the inputs, or behind the re-routing topic. */
  enum Role {
    /** Decides owned events, passes the others on, and checks lapses. */
    INPUT,
    /** Decides events that came through the re-routing topic (all owned by construction). */
    REROUTED
  }

  private final ConsentPolicy policy;
  private final Duration lapseCheckInterval;
  private final ContactOwnership ownership;
  private final Role role;
  private final String verdictSink;
  private final String reroutingChild;
  private ProcessorContext<String, Object> context;
  private OwnershipCheck ownershipCheck;
  private ConsentLedger ledger;
  private Counter applied;
  private Counter unchanged;

  /**
   * @param verdictSink the child node verdicts go to
   * @param reroutingChild the child node events of other tasks' contacts go to; null when re-routing is off
   */
  ConsentDecider(ConsentPolicy policy, Duration lapseCheckInterval, ContactOwnership ownership, Role role,
                 String verdictSink, String reroutingChild) {
    this.policy = policy;
    this.lapseCheckInterval = lapseCheckInterval;
    this.ownership = ownership;
    this.role = role;
    this.verdictSink = verdictSink;
    this.reroutingChild = reroutingChild;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    int partition = context.taskId().partition();
    KeyValueStore<String, ContactConsent> consents = context.getStateStore(ConsentGateTopology.CONSENT_STORE);
    KeyValueStore<Bytes, byte[]> index = context.getStateStore(ConsentGateTopology.LAPSE_INDEX_STORE);
    this.ledger = new ConsentLedger(policy, ConsentLedger.Consents.of(consents::get, consents::put),
        new LapseSchedule(new LapseIndexStore(index), contactId -> ownership.owns(partition, contactId),
            dropped -> LOG.warn("dropped {} lapse entries of contacts task {} does not own (state from before re-routing); "
                + "nothing is published for them here. Re-decide from the inputs to merge such state (README).",
                dropped, context.taskId())), (contactId, verdict, version) ->
        context.forward(new Record<>(contactId, VerdictMapping.toRecord(verdict, version), verdict.decidedAt().toEpochMilli()),
            verdictSink));
    this.ownershipCheck = new OwnershipCheck(ownership, partition);
    // Accounting: every record that passed the contract check either changed the contact's state
    // or was a duplicate / superseded record; the rest of the input is in the dead-letter topic.
    // Both decider nodes of a task count into the task's counters (a record is decided by one of them).
    this.applied = AccountingMetrics.applied(context.taskId().toString());
    this.unchanged = AccountingMetrics.unchanged(context.taskId().toString());
    if (role == Role.INPUT) {
      // Lapses are the one thing time alone changes; live they are noticed on the wall clock. The
      // offline replay drives this clock from the records' event time instead.
      context.schedule(lapseCheckInterval, PunctuationType.WALL_CLOCK_TIME, now -> ledger.checkLapses(Instant.ofEpochMilli(now)));
    }
  }

  @Override
  public void process(Record<String, ConsentEvent> record) {
    if (role == Role.INPUT && reroutingChild != null && !ownershipCheck.owned(record.key(), context)) {
      context.forward(record, reroutingChild);
      return;
    }
    if (ledger.apply(record.key(), record.value())) {
      applied.increment();
    } else {
      unchanged.increment(); // a duplicate or something already superseded
    }
  }
}
