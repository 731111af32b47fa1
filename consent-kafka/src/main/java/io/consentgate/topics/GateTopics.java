package io.consentgate.topics;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * The gate's topic names (docs/events.md gives the defaults; each is configurable), and the two
 * input topics as typed descriptors ({@link InputTopic}).
 *
 * @param verdictsAudit the audit topic, where the gate also writes every verdict it publishes and
 *     which keeps them all (the verdict topic is compacted); null when the gate keeps no audit trail
 */
public record GateTopics(String contactCreated, String consentEvidence, String verdicts, String deadLetters,
                         String verdictsAudit) {

  /** The default name of the audit topic. */
  public static final String DEFAULT_VERDICTS_AUDIT = "consent-verdicts-audit";

  public static final GateTopics DEFAULTS =
      new GateTopics("contact-created", "consent-evidence", "consent-verdicts", "consent-gate-dlq", DEFAULT_VERDICTS_AUDIT);

  public GateTopics {
    Objects.requireNonNull(contactCreated, "contactCreated");
    Objects.requireNonNull(consentEvidence, "consentEvidence");
    Objects.requireNonNull(verdicts, "verdicts");
    Objects.requireNonNull(deadLetters, "deadLetters");
    if (verdictsAudit != null && verdictsAudit.equals(verdicts)) {
      throw new IllegalArgumentException("the audit topic must not be the verdict topic: " + verdicts);
    }
  }

  /** The four topics without an audit trail. */
  public GateTopics(String contactCreated, String consentEvidence, String verdicts, String deadLetters) {
    this(contactCreated, consentEvidence, verdicts, deadLetters, null);
  }

  /** Whether the gate writes every verdict to an audit topic as well. */
  public boolean audits() {
    return verdictsAudit != null;
  }

  /** The same topics with the audit trail in {@code topic} (null: none). */
  public GateTopics withVerdictsAudit(String topic) {
    return new GateTopics(contactCreated, consentEvidence, verdicts, deadLetters, topic);
  }

  /** The {@link #contactCreated} topic, typed. */
  public InputTopic<ContactCreated> contactCreatedInput() {
    return InputTopic.contactCreated(contactCreated);
  }

  /** The {@link #consentEvidence} topic, typed. */
  public InputTopic<ConsentEvidence> consentEvidenceInput() {
    return InputTopic.consentEvidence(consentEvidence);
  }

  /** Both input topics. */
  public List<InputTopic<?>> inputs() {
    return List.of(contactCreatedInput(), consentEvidenceInput());
  }

  /**
   * The input topic that carries records like {@code record}: the one place that goes from a
   * record's type to its topic. The descriptor is typed so that its methods take {@code record}
   * ({@code var input = topics.inputFor(record); input.keyOf(record)}); give them only this record
   * or others of its class.
   *
   * @throws IllegalArgumentException when {@code record} is not an input record
   */
  public <V extends SpecificRecord> InputTopic<? super V> inputFor(V record) {
    InputTopic<?> input;
    if (record instanceof ContactCreated) {
      input = contactCreatedInput();
    } else if (record instanceof ConsentEvidence) {
      input = consentEvidenceInput();
    } else {
      throw new IllegalArgumentException("not an input record: "
          + (record == null ? "null" : record.getClass().getSimpleName()));
    }
    @SuppressWarnings("unchecked") // the topic's value type is the record's class
    InputTopic<? super V> forRecord = (InputTopic<? super V>) input;
    return forRecord;
  }
}
