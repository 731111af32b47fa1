package io.consentgate.topology;

import io.consentgate.contract.VerdictHeaders;
import io.consentgate.contract.VerdictMapping;
import io.consentgate.ledger.ConsentLedger;
import io.consentgate.ledger.LapseSchedule;
import io.consentgate.ledger.ContactConsent;

import io.consentgate.policy.AddressKey;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Suppression;
import io.consentgate.policy.ConsentPolicy;
import io.micrometer.core.instrument.Counter;
import io.consentgate.events.ConsentVerdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
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

  static final String MODE = "mode";
  /** Re-deciding the history: events are recorded, nothing is published. */
  static final String QUIET = "QUIET";
  /**
   * Caught up, and publishing each contact's current verdict once, a batch at a time. Events are
   * decided live meanwhile: the pass does not come back to a contact it has passed, nor reach one
   * created behind it, so nothing may wait for it.
   */
  static final String SETTLING = "SETTLING";
  static final String LIVE = "LIVE";
  private static final Duration SETTLE_CHECK_INTERVAL = Duration.ofSeconds(1);
  private static final int SETTLE_BATCH = 5_000;

  /** Where a decider node sits: on the inputs, behind the re-routing topic, or behind the suppression index. */
  enum Role {
    /** Decides owned events, passes the others on, and checks lapses. */
    INPUT,
    /** Decides events that came through the re-routing topic (all owned by construction). */
    REROUTED,
    /**
     * Applies what the suppression index delivers: suppressions from other contacts and answers to
     * registrations (all owned by construction). These send nothing on to the index.
     */
    ADDRESSED
  }

  private final ConsentPolicy policy;
  private final Duration lapseCheckInterval;
  private final ContactOwnership ownership;
  private final long epoch;
  private final CatchUp catchUp;
  private final Role role;
  private final List<String> verdictSinks;
  private final String reroutingChild;
  private final String addressChild;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ContactConsent> consents;
  private KeyValueStore<String, String> catchUpMode;
  /** The input decider's mode, kept in the catch-up store so that it survives restarts and moves with the task. */
  private String mode;
  private Cancellable settling;
  private String settledUpTo;
  private OwnershipCheck ownershipCheck;
  private ConsentLedger ledger;
  private Counter applied;
  private Counter unchanged;
  private byte[] applicationIdHeader;
  private byte[] epochHeader;

  /**
   * @param verdictSink the child node verdicts go to
   * @param reroutingChild the child node events of other tasks' contacts go to; null when re-routing is off
   */
  ConsentDecider(ConsentPolicy policy, TopologySettings settings, Role role, String verdictSink, String reroutingChild,
                 String addressChild) {
    this(policy, settings, role, List.of(verdictSink), reroutingChild, addressChild);
  }

  /**
   * @param verdictSinks the child nodes every verdict goes to: the verdict topic's sink and, when the
   *     gate keeps an audit trail, the audit topic's
   * @param reroutingChild the child node events of other tasks' contacts go to; null when re-routing is off
   * @param addressChild the child node notices and contact records go to, keyed by address, on their
   *     way to the suppression index; null for the node behind the index, which sends none
   */
  ConsentDecider(ConsentPolicy policy, TopologySettings settings, Role role, List<String> verdictSinks,
                 String reroutingChild, String addressChild) {
    this.policy = policy;
    this.lapseCheckInterval = settings.lapseCheckInterval();
    this.ownership = settings.ownership();
    this.epoch = settings.epoch();
    this.catchUp = settings.catchUp();
    this.role = role;
    this.verdictSinks = List.copyOf(verdictSinks);
    this.reroutingChild = reroutingChild;
    this.addressChild = addressChild;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    // Header values are read, never changed, by the producer: one copy serves every verdict.
    this.applicationIdHeader = context.applicationId().getBytes(StandardCharsets.UTF_8);
    this.epochHeader = Long.toString(epoch).getBytes(StandardCharsets.UTF_8);
    int partition = context.taskId().partition();
    this.consents = context.getStateStore(ConsentGateTopology.CONSENT_STORE);
    this.catchUpMode = context.getStateStore(ConsentGateTopology.CATCH_UP_STORE);
    KeyValueStore<Bytes, byte[]> index = context.getStateStore(ConsentGateTopology.LAPSE_INDEX_STORE);
    this.ledger = new ConsentLedger(policy, ConsentLedger.Consents.of(consents::get, consents::put),
        new LapseSchedule(new LapseIndexStore(index), contactId -> ownership.owns(partition, contactId),
            dropped -> LOG.warn("dropped {} lapse entries of contacts task {} does not own (state from before re-routing); "
                + "nothing is published for them here. Re-decide from the inputs to merge such state (docs/operating.md, Changing the policy).",
                dropped, context.taskId())), (contactId, verdict, version) -> {
          Record<String, Object> published = withWriter(new Record<>(contactId, inEpoch(VerdictMapping.toRecord(verdict,
              version)), verdict.decidedAt().toEpochMilli()));
          for (String sink : verdictSinks) {
            context.forward(published, sink); // the same record to the verdict topic and the audit topic
          }
        }, new ToTheIndex());
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
      mode = catchUpMode.get(MODE);
      if (mode == null) {
        mode = catchUp.catchingUp() ? QUIET : LIVE; // a task that has decided nothing yet
        catchUpMode.put(MODE, mode);
      }
      if (!mode.equals(LIVE)) {
        // SETTLING after a restart or a move: the pass starts again; contacts already published are skipped.
        settling = context.schedule(SETTLE_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::settleOnceCaughtUp);
      }
    }
  }

  /**
   * While catching up, nothing is published; once the inputs are caught up, the current verdict of
   * every contact of this task is published, a batch per punctuation so that no transaction grows
   * without bound, and the task goes live.
   */
  private void settleOnceCaughtUp(long now) {
    if (mode.equals(QUIET)) {
      if (!catchUp.inputsCaughtUp()) {
        return;
      }
      mode = SETTLING;
      catchUpMode.put(MODE, SETTLING);
    }
    List<String> batch = new ArrayList<>(SETTLE_BATCH);
    boolean more;
    try (KeyValueIterator<String, ContactConsent> it = consents.range(settledUpTo, null)) {
      while (it.hasNext() && batch.size() < SETTLE_BATCH) {
        String contactId = it.next().key;
        if (!contactId.equals(settledUpTo)) {
          batch.add(contactId);
        }
      }
      more = it.hasNext();
    }
    Instant at = Instant.ofEpochMilli(now);
    for (String contactId : batch) {
      ledger.settle(contactId, at);
    }
    if (!batch.isEmpty()) {
      settledUpTo = batch.get(batch.size() - 1);
    }
    if (!more) {
      mode = LIVE;
      catchUpMode.put(MODE, LIVE);
      settling.cancel();
      LOG.info("task {} caught up: published the current verdict of each of its contacts in epoch {}; now live",
          context.taskId(), epoch);
    }
  }

  /** Sends a contact's notices and records on to the suppression index, keyed by address. */
  private final class ToTheIndex implements ConsentLedger.Notices {
    @Override
    public void send(Suppression notice) {
      forward(notice.address(), notice);
    }

    @Override
    public void register(AddressKey address, Contact contact) {
      forward(address, contact);
    }

    private void forward(AddressKey address, ConsentEvent event) {
      if (addressChild == null) {
        // Only contact records and evidence send anything, and they never come from the index.
        throw new IllegalStateException("the decider behind the suppression index got a " + event.getClass().getSimpleName());
      }
      context.forward(new Record<String, Object>(address.value(), event, event.eventTime().toEpochMilli()), addressChild);
    }
  }

  private ConsentVerdict inEpoch(ConsentVerdict verdict) {
    verdict.setEpoch(epoch);
    return verdict;
  }

  /** Which gate wrote a verdict, in which epoch: the start-up guard reads them back (one writer per verdict topic). */
  private <V> Record<String, V> withWriter(Record<String, V> verdict) {
    verdict.headers().add(VerdictHeaders.APPLICATION_ID, applicationIdHeader);
    verdict.headers().add(VerdictHeaders.EPOCH, epochHeader);
    return verdict;
  }

  @Override
  public void process(Record<String, ConsentEvent> record) {
    if (role == Role.INPUT && reroutingChild != null && !ownershipCheck.owned(record.key(), context)) {
      context.forward(record, reroutingChild);
      return;
    }
    boolean quietly = QUIET.equals(role == Role.INPUT ? mode : catchUpMode.get(MODE));
    boolean changed = quietly ? ledger.applyQuietly(record.key(), record.value()) : ledger.apply(record.key(), record.value());
    if (role == Role.ADDRESSED) {
      return; // what the index delivers is no input record: the accounting counts each of those once
    }
    if (changed) {
      applied.increment();
    } else {
      unchanged.increment(); // a duplicate or something already superseded
    }
  }
}
