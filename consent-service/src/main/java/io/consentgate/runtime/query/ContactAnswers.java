package io.consentgate.runtime.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consentgate.contract.VerdictMapping;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.history.HistoryJson;
import io.consentgate.ledger.ContactConsent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Decision;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.Verdict;
import io.consentgate.runtime.query.StateLookup.Copy;
import io.consentgate.runtime.query.StateLookup.Found;
import io.consentgate.runtime.query.StateLookup.Missing;
import io.consentgate.runtime.query.StateLookup.Read;
import io.consentgate.runtime.query.StateLookup.Unavailable;
import io.consentgate.topology.CatchUp;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;

/**
 * What the query API says about one contact, from what the store holds of it: pure, no I/O.
 *
 * <p>The verdict is the policy's decision over the stored state at the contact's decision time
 * ({@link ContactConsent#asOf()}: the time of the last published verdict, or of evidence recorded
 * since that did not change the outcome), numbered with the published version and the gate's
 * epoch, written as {@code verdicts} writes it ({@link HistoryJson#write(ConsentVerdict)}). Its
 * {@code decision}, {@code status} and {@code validUntil} are those of the last published verdict,
 * since the gate publishes whenever one of them changes; {@code reasons}, {@code evidenceIds} and
 * {@code decidedAt} equal the published verdict's unless evidence arrived since that changed none
 * of the three.
 *
 * <p>{@code mayEmail} is decided at the moment of the request and fails closed: true only for an
 * {@code ALLOW} with a {@code CONSENTED_*} status (in the policy's verdict and in the last
 * published outcome; every other status, {@code UNDELIVERABLE} and {@code SUPPRESSED} included, is a
 * {@code DENY}), whose {@code validUntil} has not passed, from the active copy or from a
 * standby at most {@code standbyMaxLag} offsets behind.
 *
 * <p>"Unknown" is an answer only once the gate is live. While it re-decides its history and has
 * not caught up with its input ({@link CatchUp#inputsCaughtUp()}), a contact the store does not
 * hold, or holds no contact record for, may well be in the input still to be read: it is not
 * answerable yet (503, {@code UNAVAILABLE}), not unknown (404, {@code UNKNOWN}).
 */
public final class ContactAnswers {

  private final ConsentPolicy policy;
  private final long epoch;
  private final CatchUp catchUp;
  private final Clock clock;
  private final long standbyMaxLag;
  private final String servedBy;

  /**
   * @param epoch the epoch this gate publishes in
   * @param catchUp whether this gate has caught up with the input it found at start
   *     ({@link CatchUp#LIVE} for a gate that did not re-decide its history)
   * @param servedBy this instance's advertised {@code host:port}, named in every answer
   */
  public ContactAnswers(ConsentPolicy policy, long epoch, CatchUp catchUp, Clock clock, long standbyMaxLag, String servedBy) {
    this.policy = policy;
    this.epoch = epoch;
    this.catchUp = catchUp;
    this.clock = clock;
    this.standbyMaxLag = standbyMaxLag;
    this.servedBy = servedBy;
  }

  /** {@code GET /v1/contacts/{contactId}}: 200 with the verdict, 404 unknown, 503 not answerable now. */
  public Answer contact(String contactId, Read read) {
    if (read instanceof Unavailable u) {
      return unavailable(contactId, u.reason());
    }
    if (!holdsContactRecord(read) && !catchUp.inputsCaughtUp()) {
      return unavailable(contactId, INPUT_NOT_READ);
    }
    if (read instanceof Missing m) {
      ObjectNode body = denied(contactId, "unknown contact");
      copy(body, m.copy());
      return new Answer(404, body, 0);
    }
    Found found = (Found) read;
    ContactConsent consent = found.consent();
    if (consent.state().contact().isEmpty()) {
      ObjectNode body = denied(contactId, "no contact record yet: the evidence held counts when the contact arrives");
      evidenceHeld(body, consent);
      copy(body, found.copy());
      return new Answer(404, body, 0);
    }
    if (consent.published() == null) {
      return catchingUp(contactId);
    }
    Decided decided = decide(consent, found.copy());
    ConsentVerdict record = VerdictMapping.toRecord(decided.verdict(), consent.published().version());
    record.setEpoch(epoch);
    ObjectNode body;
    try {
      body = (ObjectNode) Answer.JSON.readTree(HistoryJson.write(record));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    body.put("mayEmail", decided.mayEmail());
    if (decided.note() != null) {
      body.put("note", decided.note());
    }
    evidenceHeld(body, consent);
    copy(body, found.copy());
    return Answer.ok(body);
  }

  /** One result of {@code POST /v1/contacts:check}: FOUND, UNKNOWN or UNAVAILABLE, always with {@code mayEmail}. */
  public ObjectNode item(String contactId, Read read) {
    if (read instanceof Unavailable u) {
      return unavailableItem(contactId, u.reason());
    }
    if (!holdsContactRecord(read) && !catchUp.inputsCaughtUp()) {
      return unavailableItem(contactId, INPUT_NOT_READ);
    }
    if (read instanceof Missing m) {
      ObjectNode item = item(contactId, "UNKNOWN", false);
      copy(item, m.copy());
      return item;
    }
    Found found = (Found) read;
    ContactConsent consent = found.consent();
    if (consent.state().contact().isEmpty()) {
      ObjectNode item = item(contactId, "UNKNOWN", false);
      item.put("note", "no contact record yet");
      copy(item, found.copy());
      return item;
    }
    if (consent.published() == null) {
      return unavailableItem(contactId, CATCHING_UP);
    }
    Decided decided = decide(consent, found.copy());
    Verdict v = decided.verdict();
    ObjectNode item = item(contactId, "FOUND", decided.mayEmail());
    item.put("decision", v.decision().name());
    item.put("status", v.status().name());
    if (v.validUntil() != null) {
      item.put("validUntil", v.validUntil().toString()); // the JDK's ISO-8601, as HistoryJson writes it
    }
    item.put("version", consent.published().version());
    item.put("epoch", epoch);
    if (decided.note() != null) {
      item.put("note", decided.note());
    }
    copy(item, found.copy());
    return item;
  }

  /** 503 for one contact: {@code "mayEmail": false} and why, with {@code Retry-After}. */
  public static Answer unavailable(String contactId, String reason) {
    ObjectNode body = denied(contactId, reason);
    return new Answer(503, body, Answer.RETRY_AFTER_SECONDS);
  }

  public static ObjectNode unavailableItem(String contactId, String reason) {
    ObjectNode item = item(contactId, "UNAVAILABLE", false);
    item.put("error", reason);
    return item;
  }

  static final String CATCHING_UP = "the gate is re-deciding its history (catching up after a reset or as a new "
      + "application id) and has not published this contact's verdict in the new epoch yet";

  static final String INPUT_NOT_READ = "the gate is re-deciding its history (catching up after a reset or as a new "
      + "application id) and has not read all of its input yet: this contact's record may be among what is still to come";

  /** Whether the store holds the contact's record; without it, "unknown" is an answer only once the input is read. */
  private static boolean holdsContactRecord(Read read) {
    return read instanceof Found f && f.consent().state().contact().isPresent();
  }

  private static Answer catchingUp(String contactId) {
    return unavailable(contactId, CATCHING_UP);
  }

  private static ObjectNode denied(String contactId, String error) {
    ObjectNode body = Answer.JSON.createObjectNode();
    body.put("contactId", contactId);
    body.put("mayEmail", false);
    body.put("error", error);
    return body;
  }

  private static ObjectNode item(String contactId, String result, boolean mayEmail) {
    ObjectNode item = Answer.JSON.createObjectNode();
    item.put("contactId", contactId);
    item.put("result", result);
    item.put("mayEmail", mayEmail);
    return item;
  }

  private void copy(ObjectNode body, Copy copy) {
    body.put("servedBy", servedBy);
    body.put("standby", copy.standby());
    if (copy.standby()) {
      body.put("standbyLag", copy.lag());
    }
  }

  private static void evidenceHeld(ObjectNode body, ContactConsent consent) {
    ArrayNode held = body.putArray("evidenceHeld");
    for (Evidence e : consent.state().evidence()) {
      held.add(e.evidenceId());
    }
  }

  /** @param verdict the policy's verdict, the published outcome's by construction */
  private record Decided(Verdict verdict, boolean mayEmail, String note) {}

  private Decided decide(ContactConsent consent, Copy copy) {
    ContactConsent.Published published = consent.published();
    Verdict verdict = policy.decide(consent.state(), consent.asOf());
    Instant now = clock.instant();
    boolean may = false;
    String note = null;
    if (!allows(verdict.decision(), verdict.status())) {
      note = null; // the decision says it
    } else if (!allows(published.decision(), published.status()) && !consent.state().addressRegistered()) {
      note = "the last published verdict was " + published.decision() + " " + published.status()
          + ": the gate allows no contact before the suppression index of its address has answered it, which may "
          + "still bring a suppression by another contact with the same address (docs/policy.md, Suppression by address)";
    } else if (!allows(published.decision(), published.status())) {
      note = "the last published verdict was " + published.decision() + " " + published.status()
          + ": the policy changed since, without re-deciding (docs/operating.md, Changing the policy)";
    } else if (lapsed(verdict.validUntil(), now) || lapsed(published.validUntil(), now)) {
      note = "validUntil has passed: treat as DENY (the gate publishes the lapse at its next check)";
    } else if (copy.standby() && copy.lag() > standbyMaxLag) {
      note = "answered by a standby copy " + copy.lag() + " offsets behind, more than query.standby.max-lag ("
          + standbyMaxLag + "): it may miss a withdrawal";
    } else {
      may = true;
    }
    return new Decided(verdict, may, note);
  }

  private static boolean allows(Decision decision, ConsentStatus status) {
    return decision == Decision.ALLOW
        && (status == ConsentStatus.CONSENTED_EXPLICIT || status == ConsentStatus.CONSENTED_IMPLICIT);
  }

  private static boolean lapsed(Instant validUntil, Instant now) {
    return validUntil != null && !now.isBefore(validUntil);
  }
}
