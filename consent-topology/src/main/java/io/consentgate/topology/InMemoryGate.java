package io.consentgate.topology;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;

/**
 * The gate's decisions without Kafka, for the offline replay: the topology's contract checks and
 * {@link ConsentLedger} over in-memory maps, and a lapse clock that fires on the same schedule as
 * the topology's wall-clock punctuation does when its clock is moved the same way. What it skips is
 * only the plumbing (serdes, record queues, store layers), which is most of the cost of a replay.
 */
public final class InMemoryGate {

  private final Map<String, ContactConsent> consents = new HashMap<>();
  private final SortedLapses lapses = new SortedLapses();
  private final ConsentLedger ledger;
  private final long lapseCheckMillis;
  private long clock;
  private long nextLapseCheck;

  /** Starts at the epoch, as the replay's topology does. */
  public InMemoryGate(TopologySettings settings, Consumer<ConsentVerdict> verdicts) {
    this.ledger = new ConsentLedger(new ConsentPolicy(settings.policy()),
        ConsentLedger.Consents.of(consents::get, consents::put), lapses,
        (contactId, verdict, version) -> verdicts.accept(VerdictMapping.toRecord(verdict, version)));
    this.lapseCheckMillis = settings.lapseCheckInterval().toMillis();
    this.nextLapseCheck = lapseCheckMillis;
  }

  /** Records an event that already passed {@link #check}. */
  public void apply(ConsentEvent event) {
    ledger.apply(event.contactId(), event);
  }

  /**
   * The topology's contract check: the domain event a record stands for.
   *
   * @throws BadInputException when the record breaks the contract (the topology would dead-letter it)
   */
  public static ConsentEvent check(SpecificRecord record) {
    if (record instanceof ContactCreated c) {
      return EventMapping.contact(c.getContactId(), c);
    }
    if (record instanceof ConsentEvidence e) {
      return EventMapping.evidence(e.getContactId(), e);
    }
    throw new IllegalArgumentException("not an input record: " + record.getClass().getSimpleName());
  }

  /**
   * Moves the lapse clock forward. Like a Kafka Streams wall-clock punctuation, the lapse check
   * runs at most once per move, at the new time, once the next point of its schedule (every lapse
   * check interval from the epoch) is reached.
   */
  public void advanceClockTo(Instant time) {
    long now = time.toEpochMilli();
    if (now <= clock) {
      return;
    }
    clock = now;
    if (now >= nextLapseCheck) {
      ledger.checkLapses(time);
      nextLapseCheck += ((now - nextLapseCheck) / lapseCheckMillis + 1) * lapseCheckMillis; // the next point after now
    }
  }

  /** The lapse schedule in the lapse index's own key order (time, then the id's UTF-8 bytes). */
  private static final class SortedLapses implements ConsentLedger.LapseSchedule {
    private final TreeSet<Bytes> keys = new TreeSet<>();

    @Override
    public void add(Instant lapsesAt, String contactId) {
      keys.add(LapseIndex.key(lapsesAt.toEpochMilli(), contactId));
    }

    @Override
    public void remove(Instant lapsesAt, String contactId) {
      keys.remove(LapseIndex.key(lapsesAt.toEpochMilli(), contactId));
    }

    @Override
    public List<String> dueAt(Instant now) {
      List<String> due = new ArrayList<>();
      for (Bytes k : keys.headSet(LapseIndex.prefix(now.toEpochMilli() + 1))) {
        byte[] key = k.get();
        due.add(new String(key, Long.BYTES, key.length - Long.BYTES, StandardCharsets.UTF_8));
      }
      return due;
    }
  }
}
