package io.consentgate.topology;

import io.consentgate.ledger.AddressEntry;
import io.consentgate.ledger.AddressIndex;
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Suppression;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The suppression index ({@link AddressIndex}) on Kafka Streams: reads the contact records and
 * notices keyed by address, and sends what it delivers on, keyed by the contact it is for.
 * Everything for one address passes through one task, in the order it was written, so a
 * registration that follows a committed suppression is always answered after it.
 */
final class AddressIndexProcessor implements Processor<String, ConsentEvent, String, ConsentEvent> {

  private ProcessorContext<String, ConsentEvent> context;
  private AddressIndex index;

  @Override
  public void init(ProcessorContext<String, ConsentEvent> context) {
    this.context = context;
    KeyValueStore<String, AddressEntry> store = context.getStateStore(ConsentGateTopology.ADDRESS_INDEX_STORE);
    this.index = new AddressIndex(AddressIndex.Entries.of(address -> store.get(address.value()),
        (address, entry) -> store.put(address.value(), entry)), event -> context.forward(new Record<>(event.contactId(), event, event.eventTime().toEpochMilli())));
  }

  @Override
  public void process(Record<String, ConsentEvent> record) {
    if (record.value() instanceof Contact contact) {
      index.register(new AddressKey(record.key()), contact);
    } else if (record.value() instanceof Suppression notice) {
      index.suppress(notice);
    } else {
      throw new IllegalStateException("the suppression index takes contact records and notices, not "
          + record.value().getClass().getSimpleName());
    }
  }
}
