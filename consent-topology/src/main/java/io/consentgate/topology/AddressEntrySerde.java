package io.consentgate.topology;

import io.consentgate.ledger.AddressEntry;
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.Suppression;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Values of the suppression index store: a format byte, the address key, the contact ids, then
 * each notice (source contact, evidence id, kind by name, occurredAt), in {@link DataOutputStream}
 * form. Kinds are stored by name: a renamed constant would fail loudly rather than misread.
 */
final class AddressEntrySerde implements Serde<AddressEntry> {

  private static final byte FORMAT = 1;

  static byte[] serialize(AddressEntry entry) {
    if (entry == null) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 16 * entry.contactIds().size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      String address = entry.notices().isEmpty() ? "" : entry.notices().get(0).address().value();
      out.writeUTF(address);
      out.writeInt(entry.contactIds().size());
      for (String contactId : entry.contactIds()) {
        out.writeUTF(contactId);
      }
      out.writeInt(entry.notices().size());
      for (Suppression notice : entry.notices()) {
        out.writeUTF(notice.sourceContactId());
        out.writeUTF(notice.evidenceId());
        out.writeUTF(notice.kind().name());
        out.writeLong(notice.occurredAt().toEpochMilli());
      }
    } catch (IOException e) {
      throw new SerializationException("cannot write a suppression index entry", e);
    }
    return bytes.toByteArray();
  }

  static AddressEntry deserialize(byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length == 0 || data[0] != FORMAT) {
      throw new SerializationException("unknown suppression index entry format " + (data.length == 0 ? "(empty)" : data[0]));
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 1, data.length - 1))) {
      String address = in.readUTF();
      int contacts = in.readInt();
      List<String> contactIds = new ArrayList<>(Math.min(contacts, 1024));
      for (int i = 0; i < contacts; i++) {
        contactIds.add(in.readUTF());
      }
      int count = in.readInt();
      List<Suppression> notices = new ArrayList<>(Math.min(count, 1024));
      for (int i = 0; i < count; i++) {
        String source = in.readUTF();
        notices.add(new Suppression(source, new AddressKey(address), source, in.readUTF(),
            EvidenceKind.valueOf(in.readUTF()), Instant.ofEpochMilli(in.readLong())));
      }
      if (in.available() != 0) {
        throw new SerializationException(in.available() + " bytes after a suppression index entry");
      }
      return new AddressEntry(contactIds, notices);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("corrupt suppression index entry", e);
    }
  }

  @Override
  public Serializer<AddressEntry> serializer() {
    return (topic, entry) -> serialize(entry);
  }

  @Override
  public Deserializer<AddressEntry> deserializer() {
    return (topic, data) -> deserialize(data);
  }
}
