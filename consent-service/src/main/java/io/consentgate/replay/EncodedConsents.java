package io.consentgate.replay;

import io.consentgate.ledger.ConsentLedger;
import io.consentgate.ledger.ContactConsent;
import io.consentgate.topology.ContactConsentSerde;
import java.util.HashMap;
import java.util.Map;

/**
 * A replay's consent states, one per contact, kept as the live gate's store keeps them: encoded in
 * the consent store's format, one byte array per contact. Decoded they are a graph of a dozen
 * objects per contact, which survives every young collection (a contact's state lives until its
 * next event, far down the history) and is scattered over the heap; measured on a 1M-record
 * history, the garbage collector then took 0.6 to 0.9 s of a 5 s replay and each lookup waited on
 * cache misses. Encoded, a state is one array: a decode and an encode per event (about half a
 * microsecond together) cost less than what they save. Each engine or shard owns its own.
 */
final class EncodedConsents implements ConsentLedger.Consents {

  private final Map<String, byte[]> states = new HashMap<>();
  private final ContactConsentSerde format = new ContactConsentSerde();

  @Override
  public ContactConsent get(String contactId) {
    return format.deserialize(states.get(contactId));
  }

  @Override
  public void put(String contactId, ContactConsent consent) {
    states.put(contactId, format.serialize(consent));
  }

  /** Takes a contact's state out, still encoded (null when there is none): a sharded replay moving it to another shard. */
  byte[] remove(String contactId) {
    return states.remove(contactId);
  }

  /** Puts back a state {@link #remove} took out of another shard. */
  void putEncoded(String contactId, byte[] encoded) {
    states.put(contactId, encoded);
  }
}
