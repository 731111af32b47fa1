package io.consentgate.topics;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * The gate's topic names (docs/events.md gives the defaults; each is configurable), and the two
 * input topics as typed descriptors ({@link InputTopic}).
 */
public record GateTopics(String contactCreated, String consentEvidence, String verdicts, String deadLetters) {

  public static final GateTopics DEFAULTS =
      new GateTopics("contact-created", "consent-evidence", "consent-verdicts", "consent-gate-dlq");

  public GateTopics {
    Objects.requireNonNull(contactCreated, "contactCreated");
    Objects.requireNonNull(consentEvidence, "consentEvidence");
    Objects.requireNonNull(verdicts, "verdicts");
    Objects.requireNonNull(deadLetters, "deadLetters");
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
