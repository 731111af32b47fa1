package io.consentgate.ledger;

import io.consentgate.policy.AddressKey;
import io.consentgate.policy.AddressRegistered;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.Suppression;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.Decision;
import io.consentgate.policy.Outcome;
import io.consentgate.policy.Verdict;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The gate's bookkeeping per contact, whatever keeps the state: fold an event into the contact's
 * consent, decide, publish a verdict only when the outcome changed, and keep the lapse schedule in
 * step with what was published. The topology runs it over Kafka Streams stores; the offline replay
 * runs the very same code over plain maps.
 */
public final class ConsentLedger {

  /** Where each contact's consent is kept. */
  public interface Consents {
    ContactConsent get(String contactId);

    void put(String contactId, ContactConsent consent);

    /** Consents kept by the two functions given, e.g. a store's get and put. */
    static Consents of(Function<String, ContactConsent> get, BiConsumer<String, ContactConsent> put) {
      return new Consents() {
        @Override
        public ContactConsent get(String contactId) {
          return get.apply(contactId);
        }

        @Override
        public void put(String contactId, ContactConsent consent) {
          put.accept(contactId, consent);
        }
      };
    }
  }

  /** Where published verdicts go. */
  public interface Verdicts {
    void publish(String contactId, Verdict verdict, long version);
  }

  /** What a contact tells the suppression index of its address ({@link AddressIndex}). */
  public interface Notices {
    /**
     * For a ledger whose contacts are decided one at a time, with no suppression by address: no
     * notice goes anywhere, and the ledger answers each contact record's registration itself.
     */
    Notices NONE = new Notices() {
      @Override
      public void send(Suppression notice) {}

      @Override
      public void register(AddressKey address, Contact contact) {}
    };

    /** A withdrawal, complaint or bounce of the contact: {@link AddressIndex#suppress}. */
    void send(Suppression notice);

    /** The contact's record, new or changed: {@link AddressIndex#register}, whose answer comes back as an event. */
    void register(AddressKey address, Contact contact);
  }

  private final ConsentPolicy policy;
  private final Consents consents;
  private final LapseSchedule lapses;
  private final Verdicts verdicts;
  private final Notices notices;

  /** A ledger whose contacts suppress nothing beyond themselves: for tests of one contact at a time. */
  public ConsentLedger(ConsentPolicy policy, Consents consents, LapseSchedule lapses, Verdicts verdicts) {
    this(policy, consents, lapses, verdicts, Notices.NONE);
  }

  public ConsentLedger(ConsentPolicy policy, Consents consents, LapseSchedule lapses, Verdicts verdicts,
                       Notices notices) {
    this.policy = policy;
    this.consents = consents;
    this.lapses = lapses;
    this.verdicts = verdicts;
    this.notices = notices;
  }

  /** Records one event; false when it changed nothing (a duplicate or already superseded). */
  public boolean apply(String contactId, ConsentEvent event) {
    return apply(contactId, event, true);
  }

  /**
   * Records one event of a contact that has no verdict yet without publishing anything: a gate
   * re-deciding a history from scratch would otherwise publish every intermediate state again (a
   * withdrawn contact passing through ALLOW on its way back to WITHDRAWN). {@link #settle}
   * publishes the outcome once it has caught up.
   *
   * <p>A contact that already has a verdict is decided and published as by {@link #apply}: its
   * settle is behind it and will not come again, so a withdrawal recorded quietly now would leave
   * its old ALLOW standing for good. Whatever order settles and events come in, the latest verdict
   * of a settled contact is therefore the outcome of everything recorded for it.
   */
  public boolean applyQuietly(String contactId, ConsentEvent event) {
    return apply(contactId, event, false);
  }

  private boolean apply(String contactId, ConsentEvent event, boolean live) {
    ContactConsent current = consents.get(contactId);
    if (current == null) {
      current = ContactConsent.empty(contactId);
    }
    ConsentState next = current.state().with(event);
    if (next == current.state()) {
      return false; // nothing to decide or store
    }
    ContactConsent updated = new ContactConsent(contactId, next, current.published());
    boolean publish = live || current.published() != null;
    consents.put(contactId, publish ? decideAndPublish(updated, updated.asOf()) : updated);
    sendNotices(current.state(), next, event, live);
    return true;
  }

  /**
   * Tells the address's index what of this contact suppresses the others with its address: a new
   * suppressing piece of evidence, or, when its contact record arrives or changes, every such piece
   * recorded so far and then the record itself. Sent whatever the mode: the index must know
   * everything, even while quiet.
   */
  private void sendNotices(ConsentState before, ConsentState state, ConsentEvent event, boolean live) {
    if (event instanceof Suppression || event instanceof AddressRegistered || state.contact().isEmpty()) {
      return;
    }
    Contact contact = state.contact().get();
    if (event instanceof Evidence e && !suppressesOthers(e, contact)) {
      return;
    }
    AddressKey address = AddressKey.of(contact).orElse(null);
    if (address == null) {
      return; // not a valid address: nothing to suppress by
    }
    if (event instanceof Evidence e) {
      notices.send(Suppression.notice(address, e));
      return;
    }
    // A bounce is about an address, a withdrawal about a person: when a contact moves to another
    // address, the bounces of the address it left do not follow it (those from before its new record).
    Contact previous = before.contact().orElse(null);
    boolean moved = previous != null && !address.equals(AddressKey.of(previous).orElse(null));
    for (int i = 0; i < state.evidenceCount(); i++) {
      Evidence e = state.evidenceAt(i);
      if (suppressesOthers(e, contact)
          && !(moved && e.kind() == EvidenceKind.HARD_BOUNCE && e.occurredAt().isBefore(contact.createdAt()))) {
        notices.send(Suppression.notice(address, e));
      }
    }
    if (notices == Notices.NONE) {
      apply(contact.contactId(), AddressRegistered.of(contact), live);
    } else {
      notices.register(address, contact);
    }
  }

  /**
   * Whether a piece of the contact's evidence suppresses the other contacts with its address: a
   * withdrawal of the contact's brand (proof or not), or a hard bounce of its brand with proof.
   */
  public static boolean suppressesOthers(Evidence e, Contact contact) {
    return e.kind().suppressesAddress() && e.brandId().equals(contact.brandId())
        && (e.kind() != EvidenceKind.HARD_BOUNCE || e.isVerifiable());
  }

  /**
   * Publishes the current verdict of a contact recorded quietly, once: the verdict at its latest
   * event, or, if that consent has lapsed by {@code now}, the lapse, as a lapse check would have
   * found it. False when there is nothing to settle: no contact record yet, or a verdict already
   * published.
   */
  public boolean settle(String contactId, Instant now) {
    ContactConsent current = consents.get(contactId);
    if (current == null || current.published() != null || current.state().contact().isEmpty()) {
      return false;
    }
    Instant asOf = current.asOf();
    Verdict atLatestEvent = policy.decide(current.state(), asOf);
    if (atLatestEvent.validUntil() != null && !atLatestEvent.validUntil().isAfter(now) && now.isAfter(asOf)) {
      asOf = now; // lapsed while the gate was catching up: publish the lapse, never the lapsed consent
    }
    consents.put(contactId, decideAndPublish(current, asOf));
    return true;
  }

  /** Re-decides the contacts whose implicit consent is due to lapse by {@code now}. */
  public void checkLapses(Instant now) {
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
    ContactConsent.Published last = consent.published();
    Outcome outcome = policy.outcome(consent.state(), asOf);
    if (last != null && last.sameOutcomeAs(outcome)) {
      return consent; // nothing to publish: the verdict's reasons and lists are never built
    }
    if (outcome.decision() == Decision.ALLOW && !consent.state().addressRegistered()) {
      // A suppression of the address may still be on its way to this contact: no ALLOW before
      // the index's answer, which comes after every suppression it had. A DENY need not wait.
      return consent;
    }
    Verdict verdict = policy.decide(consent.state(), asOf);
    long version = last == null ? 1 : last.version() + 1;
    if (last != null && last.validUntil() != null) {
      lapses.remove(last.validUntil(), consent.contactId());
    }
    if (verdict.validUntil() != null) {
      lapses.add(verdict.validUntil(), consent.contactId());
    }
    verdicts.publish(consent.contactId(), verdict, version);
    return new ContactConsent(consent.contactId(), consent.state(), ContactConsent.Published.of(verdict, version));
  }
}
