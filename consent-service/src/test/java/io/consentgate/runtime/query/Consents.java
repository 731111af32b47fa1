package io.consentgate.runtime.query;

import io.consentgate.contract.VerdictMapping;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.ledger.ConsentLedger;
import io.consentgate.ledger.ContactConsent;
import io.consentgate.ledger.LapseSchedule;
import io.consentgate.ledger.SortedKeySet;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.PolicySettings;
import io.consentgate.topology.CatchUp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** The gate's own ledger over a map: store entries and the verdicts it published, as the topology keeps them. */
final class Consents {

  static final ConsentPolicy POLICY = new ConsentPolicy(PolicySettings.defaults());
  static final long EPOCH = 3;

  final Map<String, ContactConsent> store = new HashMap<>();
  final Map<String, ConsentVerdict> published = new HashMap<>();
  private final ConsentLedger ledger = new ConsentLedger(POLICY, ConsentLedger.Consents.of(store::get, store::put),
      new LapseSchedule(new SortedKeySet()), (contactId, verdict, version) -> {
        ConsentVerdict record = VerdictMapping.toRecord(verdict, version);
        record.setEpoch(EPOCH);
        published.put(contactId, record);
      });

  Consents apply(ConsentEvent... events) {
    for (ConsentEvent e : events) {
      ledger.apply(e.contactId(), e);
    }
    return this;
  }

  Consents applyQuietly(ConsentEvent e) {
    ledger.applyQuietly(e instanceof Contact c ? c.contactId() : ((Evidence) e).contactId(), e);
    return this;
  }

  Consents lapses(Instant now) {
    ledger.checkLapses(now);
    return this;
  }

  /** A gate re-deciding its history, which has caught up with its input once the test says so. */
  static final class Redeciding implements CatchUp {
    private volatile boolean caughtUp;

    @Override
    public boolean catchingUp() {
      return true;
    }

    @Override
    public boolean inputsCaughtUp() {
      return caughtUp;
    }

    void caughtUp() {
      caughtUp = true;
    }
  }

  static Contact contact(String id, String createdAt) {
    return new Contact(id, "acme", id + "@example.com", ContactSource.OWN_CHANNEL, Instant.parse(createdAt));
  }

  static Evidence evidence(String evidenceId, String contactId, EvidenceKind kind, String occurredAt) {
    return new Evidence(evidenceId, contactId, "acme", kind, Instant.parse(occurredAt), "proof-" + evidenceId);
  }
}
