package io.consentgate.topology;

import io.consentgate.ledger.ContactConsent;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.events.Proof;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import io.consentgate.policy.ConsentState;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Principle 6 end to end: through the production topology, any arrival order of a history, with
 * any duplicated records, ends in the same stored consent state and the same published outcome
 * (decision, status, validUntil) per contact. The rest of the last verdict (its version, reasons,
 * evidence ids) describes the moment the outcome last changed, which an order may move.
 */
class ArrivalOrderPropertiesTest {

  private static final Instant BASE = Instant.parse("2023-01-01T00:00:00Z");
  private static final String[] EMAILS = {"ann@example.org", "info@example.org", "bob+x@example.com", "bad@@example.org"};

  @Property(tries = 40)
  void anyPermutationWithDuplicatesEndsInTheSameVerdicts(@ForAll long seed) {
    Random random = new Random(seed);
    List<SpecificRecord> history = history(random);
    List<SpecificRecord> shuffled = new ArrayList<>(history);
    for (int i = random.nextInt(4); i > 0; i--) {
      shuffled.add(history.get(random.nextInt(history.size())));
    }
    Collections.shuffle(shuffled, random);

    Outcome inOrder = run(history);
    Outcome permuted = run(shuffled);
    assertThat(permuted.states()).isEqualTo(inOrder.states());
    assertThat(permuted.published()).isEqualTo(inOrder.published());
  }

  private record Outcome(Map<String, ConsentState> states, Map<String, List<Object>> published) {}

  private static List<SpecificRecord> history(Random random) {
    List<SpecificRecord> records = new ArrayList<>();
    int contacts = 1 + random.nextInt(3);
    for (int c = 0; c < contacts; c++) {
      String id = "c-" + c;
      records.add(ContactCreated.newBuilder().setContactId(id).setBrandId("acme")
          .setEmail(EMAILS[random.nextInt(EMAILS.length)])
          .setSource(ContactSource.values()[random.nextInt(ContactSource.values().length)])
          .setCreatedAt(at(random)).build());
      int evidence = random.nextInt(8);
      for (int e = 0; e < evidence; e++) {
        records.add(ConsentEvidence.newBuilder().setEvidenceId(id + "-e" + e).setContactId(id)
            .setBrandId(random.nextInt(6) == 0 ? "globex" : "acme")
            .setKind(EvidenceKind.values()[random.nextInt(EvidenceKind.values().length)])
            .setOccurredAt(at(random))
            .setProof(random.nextInt(5) == 0 ? null : Proof.newBuilder().setReference("p-" + e).setUrl(null)
                .setIpAddress(null).setUserAgent(null).setCapturedText(null).build())
            .build());
      }
    }
    return records;
  }

  /** Few distinct instants over five years, so ties and two-year lapses both happen. */
  private static Instant at(Random random) {
    return BASE.plus(Duration.ofDays(180L * random.nextInt(10)));
  }

  private static Outcome run(List<SpecificRecord> records) {
    Map<String, List<Object>> published = new HashMap<>();
    Map<String, ConsentState> states = new HashMap<>();
    // In-memory stores: the property is about the logic, and it runs two drivers per try.
    TopologySettings d = TopologySettings.defaults();
    try (GateTestDriver gate = new GateTestDriver(new TopologySettings(d.topics(), d.policy(), d.lapseCheckInterval(), false))) {
      records.forEach(gate::send);
      for (ConsentVerdict v : gate.readVerdicts()) {
        published.put(v.getContactId(), List.of(v.getDecision(), v.getStatus(), String.valueOf(v.getValidUntil())));
      }
      KeyValueStore<String, ContactConsent> store = gate.driver.getKeyValueStore(ConsentGateTopology.CONSENT_STORE);
      try (KeyValueIterator<String, ContactConsent> all = store.all()) {
        all.forEachRemaining(kv -> states.put(kv.key, kv.value.state()));
      }
    }
    return new Outcome(states, published);
  }
}
