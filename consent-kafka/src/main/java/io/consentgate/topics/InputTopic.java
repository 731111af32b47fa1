package io.consentgate.topics;

import io.consentgate.contract.EventMapping;
import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.serde.ValueSerdes;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One input topic of the gate, typed by the record it carries: its name, its key (the record's
 * contactId, as a string), its value type and serde, the record's event time, and the contract
 * check that turns a record into the domain event it stands for. Whatever handles input records
 * (the topology, the replay, {@code publish}, the bench) asks the descriptor instead of testing the
 * record's type itself; {@link GateTopics#inputFor} finds the descriptor of a record.
 *
 * <p>The gate has two: {@link #contactCreated} and {@link #consentEvidence} (docs/events.md).
 *
 * @param <V> the Avro record the topic carries
 */
public final class InputTopic<V extends SpecificRecord> {

  private final String name;
  private final Class<V> valueType;
  private final Function<V, String> contactId;
  private final Function<V, Instant> eventTime;
  private final BiFunction<String, V, ConsentEvent> check;

  private InputTopic(String name, Class<V> valueType, Function<V, String> contactId, Function<V, Instant> eventTime,
                     BiFunction<String, V, ConsentEvent> check) {
    this.name = Objects.requireNonNull(name, "name");
    this.valueType = valueType;
    this.contactId = contactId;
    this.eventTime = eventTime;
    this.check = check;
  }

  /** {@code ContactCreated} records, keyed by contactId; event time {@code createdAt}. */
  public static InputTopic<ContactCreated> contactCreated(String name) {
    return new InputTopic<>(name, ContactCreated.class, ContactCreated::getContactId, ContactCreated::getCreatedAt,
        EventMapping::contact);
  }

  /** {@code ConsentEvidence} records, keyed by contactId; event time {@code occurredAt}. */
  public static InputTopic<ConsentEvidence> consentEvidence(String name) {
    return new InputTopic<>(name, ConsentEvidence.class, ConsentEvidence::getContactId, ConsentEvidence::getOccurredAt,
        EventMapping::evidence);
  }

  public String name() {
    return name;
  }

  public Class<V> valueType() {
    return valueType;
  }

  /** Keys are contactIds, as UTF-8 strings. */
  public Serde<String> keySerde() {
    return Serdes.String();
  }

  /** The value serde, from the site's choice of serde ({@link ValueSerdes}). */
  public Serde<V> valueSerde(ValueSerdes serdes) {
    return serdes.forType(valueType);
  }

  /** Whether {@code value} is a record of this topic's type. */
  public boolean carries(Object value) {
    return valueType.isInstance(value);
  }

  /** The key a producer gives the record: its contactId (null when it has none). */
  public String keyOf(V value) {
    return contactId.apply(value);
  }

  /** When the record happened (null when it does not say). */
  public Instant eventTimeOf(V value) {
    return eventTime.apply(value);
  }

  /**
   * The contract check ({@link EventMapping}): the domain event that the record, read under
   * {@code key}, stands for.
   *
   * @throws io.consentgate.contract.BadInputException when the record breaks the contract
   */
  public ConsentEvent toEvent(String key, V value) {
    return check.apply(key, value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputTopic<?> other && name.equals(other.name) && valueType.equals(other.valueType);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + valueType.hashCode();
  }

  @Override
  public String toString() {
    return name + " (" + valueType.getSimpleName() + ")";
  }
}
