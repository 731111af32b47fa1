package io.consentgate.topology;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.Verdict;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds each contact's events into the consent store, asks the policy for a verdict and publishes
 * it when the outcome changed (the first one once the contact record is known). A punctuation
 * re-decides the contacts whose implicit consent is due to lapse.
 */
final class ConsentDecider implements Processor<String, ConsentEvent, String, ConsentVerdict> {

  /** Metric group {@code stream-consent-gate-metrics}: records-applied-total, records-unchanged-total. */
  static final String METRIC_SCOPE = "consent-gate";

  private final ConsentPolicy policy;
  private final Duration lapseCheckInterval;
  private ProcessorContext<String, ConsentVerdict> context;
  private KeyValueStore<String, ContactConsent> consents;
  private LapseIndex lapses;
  private Sensor applied;
  private Sensor unchanged;

  ConsentDecider(ConsentPolicy policy, Duration lapseCheckInterval) {
    this.policy = policy;
    this.lapseCheckInterval = lapseCheckInterval;
  }

  @Override
  public void init(ProcessorContext<String, ConsentVerdict> context) {
    this.context = context;
    this.consents = context.getStateStore(ConsentGateTopology.CONSENT_STORE);
    KeyValueStore<Bytes, byte[]> index = context.getStateStore(ConsentGateTopology.LAPSE_INDEX_STORE);
    this.lapses = new LapseIndex(index);
    // Accounting: every record that passed the contract check either changed the contact's state
    // or was a duplicate / superseded record; the rest of the input is in the dead-letter topic.
    String task = context.taskId().toString();
    this.applied = context.metrics().addRateTotalSensor(METRIC_SCOPE, task, "records-applied", Sensor.RecordingLevel.INFO);
    this.unchanged = context.metrics().addRateTotalSensor(METRIC_SCOPE, task, "records-unchanged", Sensor.RecordingLevel.INFO);
    // Lapses are the one thing time alone changes; live they are noticed on the wall clock. The
    // offline replay drives this clock from the records' event time instead.
    context.schedule(lapseCheckInterval, PunctuationType.WALL_CLOCK_TIME, now -> checkLapses(Instant.ofEpochMilli(now)));
  }

  @Override
  public void process(Record<String, ConsentEvent> record) {
    String contactId = record.key();
    ContactConsent current = consents.get(contactId);
    if (current == null) {
      current = ContactConsent.empty(contactId);
    }
    ConsentState next = current.state().with(record.value());
    if (next == current.state()) {
      unchanged.record(); // a duplicate or something already superseded: nothing to decide or store
      return;
    }
    applied.record();
    ContactConsent updated = new ContactConsent(contactId, next, current.published());
    consents.put(contactId, decideAndPublish(updated, updated.asOf()));
  }

  private void checkLapses(Instant now) {
    for (String contactId : lapses.dueAt(now)) {
      ContactConsent current = consents.get(contactId);
      Instant asOf = current.asOf().isAfter(now) ? current.asOf() : now;
      ContactConsent updated = decideAndPublish(current, asOf);
      if (updated != current) {
        consents.put(contactId, updated);
      }
    }
  }

  private ContactConsent decideAndPublish(ContactConsent consent, Instant asOf) {
    if (consent.state().contact().isEmpty()) {
      return consent; // evidence before its contact: kept, decided when the contact arrives
    }
    Verdict verdict = policy.decide(consent.state(), asOf);
    ContactConsent.Published last = consent.published();
    if (last != null && last.sameOutcomeAs(verdict)) {
      return consent;
    }
    long version = last == null ? 1 : last.version() + 1;
    if (last != null && last.validUntil() != null) {
      lapses.remove(last.validUntil(), consent.contactId());
    }
    if (verdict.validUntil() != null) {
      lapses.add(verdict.validUntil(), consent.contactId());
    }
    context.forward(new Record<>(consent.contactId(), VerdictMapping.toRecord(verdict, version),
        verdict.decidedAt().toEpochMilli()));
    return new ContactConsent(consent.contactId(), consent.state(), ContactConsent.Published.of(verdict, version));
  }
}
