package io.consentgate.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.EvidenceKind;
import io.consentgate.policy.AddressKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class HistoryGeneratorTest {

  private static String generate(long records, int perContact, long seed) {
    StringWriter w = new StringWriter();
    HistoryGenerator.generate(records, perContact, seed, new PrintWriter(w));
    return w.toString();
  }

  private static List<SpecificRecord> records(String history) throws MalformedRecordException {
    List<SpecificRecord> records = new ArrayList<>();
    for (String line : history.lines().toList()) {
      records.add(HistoryJson.read(line));
    }
    return records;
  }

  @Test
  void sameSeedSameBytesAndTheAskedNumberOfLines() {
    String once = generate(5_000, 8, 42);
    assertThat(generate(5_000, 8, 42)).isEqualTo(once);
    assertThat(generate(5_000, 8, 43)).isNotEqualTo(once);
    assertThat(once.lines()).hasSize(5_000);
    assertThat(generate(7, 1, 1).lines()).hasSize(7);
  }

  /** Issue 23: a few re-imports of an address under another contact id, all of its brand. */
  @Test
  void aFewContactsShareTheirMailboxWithAnEarlierContactOfTheirBrand() throws Exception {
    Map<String, List<ContactCreated>> byMailbox = new HashMap<>();
    int contacts = 0;
    for (SpecificRecord r : records(generate(40_000, 8, 7))) {
      if (r instanceof ContactCreated c) {
        contacts++;
        String key = AddressKey.of(c.getBrandId(), c.getEmail()).orElseThrow().value();
        byMailbox.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
      }
    }
    List<List<ContactCreated>> shared = byMailbox.values().stream().filter(l -> l.size() > 1).toList();
    long reimports = shared.stream().mapToInt(l -> l.size() - 1).sum();
    assertThat(reimports).as("re-imported contacts of %d", contacts)
        .isGreaterThan(contacts / 100).isLessThan(contacts / 15);
    for (List<ContactCreated> same : shared) {
      assertThat(same.stream().map(ContactCreated::getContactId).distinct()).hasSameSizeAs(same);
      // Spelt otherwise than the first: a case or +tag difference that only normalising removes.
      assertThat(same.stream().skip(1)).allSatisfy(c -> assertThat(c.getEmail()).isNotEqualTo(same.get(0).getEmail()));
    }
  }

  /** Issue 23: occasional hard bounces, each with the bounce's message id as proof. */
  @Test
  void aFewPiecesOfEvidenceAreHardBouncesWithProof() throws Exception {
    List<ConsentEvidence> evidence = records(generate(40_000, 8, 7)).stream()
        .filter(ConsentEvidence.class::isInstance).map(ConsentEvidence.class::cast).toList();
    List<ConsentEvidence> bounces = evidence.stream().filter(e -> e.getKind() == EvidenceKind.HARD_BOUNCE).toList();
    assertThat(bounces.size()).as("bounces of %d", evidence.size())
        .isGreaterThan(evidence.size() / 200).isLessThan(evidence.size() / 50);
    assertThat(bounces).allSatisfy(b -> assertThat(b.getProof().getReference()).startsWith("<bounce-"));
  }
}
