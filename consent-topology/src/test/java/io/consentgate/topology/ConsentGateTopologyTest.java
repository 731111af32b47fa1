package io.consentgate.topology;

import io.consentgate.topics.GateTopics;

import static io.consentgate.topology.GateTestDriver.START;
import static io.consentgate.topology.GateTestDriver.contact;
import static io.consentgate.topology.GateTestDriver.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactSource;
import io.consentgate.events.Decision;
import io.consentgate.events.EvidenceKind;
import io.consentgate.policy.PolicySettings;
import io.consentgate.policy.Profile;
import io.consentgate.policy.RoleAddresses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The production topology, driven through TopologyTestDriver with Avro in the registry wire format. */
class ConsentGateTopologyTest {

  private static final Instant T0 = Instant.parse("2024-03-10T08:00:00Z");

  @Nested
  class WhenVerdictsAreEmitted {

    @Test
    void firstVerdictAtContactCreationWithVersionOne() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        List<ConsentVerdict> out = gate.readVerdicts();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getVersion()).isEqualTo(1);
        assertThat(out.get(0).getStatus()).isEqualTo(ConsentStatus.NO_CONSENT);
        assertThat(out.get(0).getDecidedAt()).isEqualTo(T0);
        assertThat(out.get(0).getPolicy()).isEqualTo("optin/1");
      }
    }

    @Test
    void onlyOnChangeAndEachVersionOneMore() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(10)));
        gate.send(evidence("e-2", "c-1", EvidenceKind.WRITTEN_CONSENT, T0.plusSeconds(20))); // still explicit: no verdict
        gate.send(evidence("e-3", "c-1", EvidenceKind.PURCHASE, T0.plusSeconds(30))); // still explicit: no verdict
        gate.send(evidence("e-4", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(40)));
        List<ConsentVerdict> out = gate.readVerdicts();
        assertThat(out).extracting(ConsentVerdict::getStatus).containsExactly(
            ConsentStatus.NO_CONSENT, ConsentStatus.CONSENTED_EXPLICIT, ConsentStatus.WITHDRAWN);
        assertThat(out).extracting(ConsentVerdict::getVersion).containsExactly(1L, 2L, 3L);
        assertThat(out.get(2).getEvidenceIds()).containsExactly("e-4");
      }
    }

    @Test
    void aChangeOfValidUntilAloneIsANewVerdict() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-1", "c-1", EvidenceKind.PURCHASE, T0));
        gate.send(evidence("e-2", "c-1", EvidenceKind.PURCHASE, T0.plus(Duration.ofDays(100))));
        List<ConsentVerdict> out = gate.readVerdicts();
        assertThat(out).extracting(ConsentVerdict::getStatus).containsExactly(
            ConsentStatus.NO_CONSENT, ConsentStatus.CONSENTED_IMPLICIT, ConsentStatus.CONSENTED_IMPLICIT);
        assertThat(out.get(1).getValidUntil()).isEqualTo(Instant.parse("2026-03-10T08:00:00Z"));
        assertThat(out.get(2).getValidUntil()).isEqualTo(Instant.parse("2026-06-18T08:00:00Z"));
      }
    }

    @Test
    void evidenceBeforeItsContactIsKeptAndCountsWhenTheContactArrives() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(evidence("e-1", "c-1", EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, T0));
        assertThat(gate.readVerdicts()).as("no contact yet, no verdict").isEmpty();
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0.minusSeconds(60)));
        List<ConsentVerdict> out = gate.readVerdicts();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getStatus()).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
        assertThat(out.get(0).getVersion()).isEqualTo(1);
        assertThat(out.get(0).getDecidedAt()).as("latest event time of the contact").isEqualTo(T0);
      }
    }

    @Test
    void aDuplicateEvidenceIdChangesNothing() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        ConsentEvidence unsubscribe = evidence("e-1", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(5));
        gate.send(unsubscribe);
        gate.send(unsubscribe);
        gate.send(unsubscribe);
        assertThat(gate.readVerdicts()).extracting(ConsentVerdict::getStatus)
            .containsExactly(ConsentStatus.NO_CONSENT, ConsentStatus.WITHDRAWN);
      }
    }

    @Test
    void aDuplicateOrSupersededRecordWritesNothingToTheStateChangelog() {
      try (GateTestDriver gate = new GateTestDriver()) {
        var changelog = gate.driver.createOutputTopic("consent-gate-test-" + ConsentGateTopology.CONSENT_STORE + "-changelog",
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-2", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(50)));
        assertThat(changelog.readKeyValuesToList()).as("each change is stored: the contact, the index's answer, the withdrawal")
            .hasSize(3);
        gate.send(evidence("e-2", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(50))); // a duplicate
        gate.send(evidence("e-1", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(10))); // superseded by e-2
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0)); // the contact again
        assertThat(changelog.readKeyValuesToList()).as("records that change nothing are not stored again").isEmpty();
        assertThat(gate.readVerdicts()).extracting(ConsentVerdict::getStatus)
            .containsExactly(ConsentStatus.NO_CONSENT, ConsentStatus.WITHDRAWN);
      }
    }

    @Test
    void anOlderRecordArrivingLateIsDecidedByEventTimeNotArrival() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-2", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(50)));
        gate.send(evidence("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(10))); // arrives late
        List<ConsentVerdict> out = gate.readVerdicts();
        assertThat(out).extracting(ConsentVerdict::getStatus)
            .containsExactly(ConsentStatus.NO_CONSENT, ConsentStatus.WITHDRAWN);
      }
    }

    @Test
    void verdictRecordsCarryTheDecisionTimeAsTimestamp() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        TestRecord<String, ConsentVerdict> record = gate.readVerdictRecords().get(0);
        assertThat(record.key()).isEqualTo("c-1");
        assertThat(record.getRecordTime()).isEqualTo(T0);
      }
    }

    @Test
    void contactsAreDecidedIndependently() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(contact("c-2", "bob@example.org", ContactSource.THIRD_PARTY_LIST, T0));
        gate.send(evidence("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(1)));
        List<TestRecord<String, ConsentVerdict>> out = gate.readVerdictRecords();
        assertThat(out).extracting(TestRecord::key).containsExactly("c-1", "c-2", "c-1");
        assertThat(out.get(1).value().getStatus()).isEqualTo(ConsentStatus.SOURCE_NOT_ACCEPTABLE);
        assertThat(out.get(1).value().getVersion()).isEqualTo(1);
      }
    }
  }

  @Nested
  class Lapses {

    @Test
    void aTwoYearGrantLapsesWhenTheClockPassesItsEnd() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-1", "c-1", EvidenceKind.PURCHASE, T0));
        gate.readVerdicts();
        Instant justBefore = Instant.parse("2026-03-10T07:59:00Z");
        gate.advanceClock(Duration.between(START, justBefore));
        assertThat(gate.readVerdicts()).as("still valid a minute before").isEmpty();
        gate.advanceClock(Duration.ofMinutes(2));
        List<ConsentVerdict> out = gate.readVerdicts();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getStatus()).isEqualTo(ConsentStatus.EXPIRED);
        assertThat(out.get(0).getDecision()).isEqualTo(Decision.DENY);
        assertThat(out.get(0).getVersion()).isEqualTo(3);
        assertThat(out.get(0).getDecidedAt()).as("the moment the gate noticed")
            .isEqualTo(justBefore.plus(Duration.ofMinutes(2)));
      }
    }

    @Test
    void theIndexHoldsOnlyContactsWhoseConsentCanLapseAndForgetsThemOnceLapsed() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-1", "c-1", EvidenceKind.PURCHASE, T0));
        gate.send(contact("c-2", "bob@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-2", "c-2", EvidenceKind.CHECKBOX_OPT_IN, T0));
        gate.send(contact("c-3", "cy@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-3", "c-3", EvidenceKind.PURCHASE, T0.plus(Duration.ofDays(400))));
        assertThat(indexedContacts(gate)).containsExactly("c-1", "c-3");

        gate.advanceClock(Duration.between(START, Instant.parse("2026-04-01T00:00:00Z")));
        assertThat(gate.readVerdicts()).filteredOn(v -> v.getStatus() == ConsentStatus.EXPIRED)
            .extracting(ConsentVerdict::getContactId).containsExactly("c-1");
        assertThat(indexedContacts(gate)).containsExactly("c-3");
      }
    }

    @Test
    void aNewGrantBeforeTheLapseMovesTheIndexEntry() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-1", "c-1", EvidenceKind.PURCHASE, T0));
        gate.send(evidence("e-2", "c-1", EvidenceKind.DONATION, T0.plus(Duration.ofDays(365))));
        gate.readVerdicts();
        gate.advanceClock(Duration.between(START, Instant.parse("2026-04-01T00:00:00Z")));
        assertThat(gate.readVerdicts()).as("the donation keeps it valid until 2027").isEmpty();
        gate.advanceClock(Duration.ofDays(365));
        assertThat(gate.readVerdicts()).extracting(ConsentVerdict::getStatus).containsExactly(ConsentStatus.EXPIRED);
      }
    }

    @Test
    void aLapseIsNotUndoneByAnOlderRecordArrivingLater() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-1", "c-1", EvidenceKind.PURCHASE, T0));
        gate.advanceClock(Duration.between(START, Instant.parse("2026-04-01T00:00:00Z")));
        gate.readVerdicts();
        gate.send(evidence("e-2", "c-1", EvidenceKind.VERBAL_CONSENT, T0.plusSeconds(60)));
        assertThat(gate.readVerdicts()).as("decided at the lapse time, not at the old event time").isEmpty();
      }
    }

    @SuppressWarnings("unchecked")
    private List<String> indexedContacts(GateTestDriver gate) {
      KeyValueStore<Bytes, byte[]> index = (KeyValueStore<Bytes, byte[]>) (KeyValueStore<?, ?>)
          gate.driver.getKeyValueStore(ConsentGateTopology.LAPSE_INDEX_STORE);
      List<String> ids = new java.util.ArrayList<>();
      try (KeyValueIterator<Bytes, byte[]> it = index.all()) {
        it.forEachRemaining(kv -> ids.add(new String(kv.key.get(), 8, kv.key.get().length - 8, StandardCharsets.UTF_8)));
      }
      return ids;
    }
  }

  @Nested
  class Configuration {

    @Test
    void theProfileIsChosenPerBrand() {
      PolicySettings policy = new PolicySettings(Profile.OPTIN, Map.of("strictco", Profile.STRICT), RoleAddresses.defaults());
      TopologySettings settings = new TopologySettings(GateTopics.DEFAULTS, policy, Duration.ofMinutes(1), false);
      try (GateTestDriver gate = new GateTestDriver(settings)) {
        gate.send(contact("c-1", "acme", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(contact("c-2", "strictco", "bob@example.org", ContactSource.OWN_CHANNEL, T0));
        ConsentEvidence acmeCheckbox = evidence("e-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, T0.plusSeconds(1));
        ConsentEvidence strictCheckbox = ConsentEvidence.newBuilder(evidence("e-2", "c-2", EvidenceKind.CHECKBOX_OPT_IN,
            T0.plusSeconds(1))).setBrandId("strictco").build();
        gate.send(acmeCheckbox);
        gate.send(strictCheckbox);
        List<ConsentVerdict> out = gate.readVerdicts();
        assertThat(out).filteredOn(v -> v.getContactId().equals("c-1")).last()
            .extracting(ConsentVerdict::getStatus, ConsentVerdict::getPolicy)
            .containsExactly(ConsentStatus.CONSENTED_EXPLICIT, "optin/1");
        assertThat(out).filteredOn(v -> v.getContactId().equals("c-2")).last()
            .extracting(ConsentVerdict::getStatus, ConsentVerdict::getPolicy)
            .containsExactly(ConsentStatus.PENDING_CONFIRMATION, "strict/1");
      }
    }

    @Test
    void topicNamesComeFromSettings() {
      GateTopics topics = new GateTopics("in-contacts", "in-evidence", "out-verdicts", "out-dlq");
      TopologySettings settings = new TopologySettings(topics, PolicySettings.defaults(), Duration.ofMinutes(1), true);
      try (GateTestDriver gate = new GateTestDriver(settings)) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        assertThat(gate.readVerdicts()).hasSize(1);
        assertThat(gate.driver.producedTopicNames()).contains("out-verdicts");
        assertThat(gate.registry.hasSubject("out-verdicts-value")).isTrue();
        assertThat(gate.registry.hasSubject("in-contacts-value")).isTrue();
        assertThat(gate.driver.producedTopicNames()).as("four topics: no audit trail").doesNotContain(
            GateTopics.DEFAULT_VERDICTS_AUDIT);
      }
    }

    @Test
    void everyVerdictAlsoGoesToTheAuditTopicWithItsHeaders() {
      try (GateTestDriver gate = new GateTestDriver()) {
        gate.send(contact("c-1", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
        gate.send(evidence("e-1", "c-1", EvidenceKind.PURCHASE, T0.plusSeconds(10)));
        gate.advanceClock(Duration.ofDays(3 * 365)); // the lapse, published by the punctuation
        List<TestRecord<String, ConsentVerdict>> verdicts = gate.readVerdictRecords();
        List<TestRecord<String, ConsentVerdict>> audit = gate.readAuditRecords();
        assertThat(verdicts).extracting(r -> r.getValue().getStatus()).containsExactly(ConsentStatus.NO_CONSENT,
            ConsentStatus.CONSENTED_IMPLICIT, ConsentStatus.EXPIRED);
        assertThat(audit).extracting(TestRecord::getKey).containsExactly("c-1", "c-1", "c-1");
        assertThat(audit).extracting(TestRecord::getValue).isEqualTo(verdicts.stream().map(TestRecord::getValue).toList());
        assertThat(audit).allSatisfy(r -> assertThat(r.getHeaders().lastHeader("consent-gate-application-id")).isNotNull());
        assertThat(gate.registry.hasSubject(GateTopics.DEFAULT_VERDICTS_AUDIT + "-value")).isTrue();
      }
    }

    @Test
    void everyProcessorAndStoreIsNamedExplicitly() {
      try (GateTestDriver gate = new GateTestDriver()) {
        TopologyDescription description = gate.topology.describe();
        assertThat(description.subtopologies()).as("the deciders, and the suppression index keyed by address").hasSize(2);
        List<String> nodes = description.subtopologies().stream().flatMap(t -> t.nodes().stream())
            .map(TopologyDescription.Node::name).toList();
        assertThat(nodes).containsExactlyInAnyOrder(ConsentGateTopology.CONTACT_SOURCE, ConsentGateTopology.EVIDENCE_SOURCE,
            ConsentGateTopology.CONTACT_CHECK, ConsentGateTopology.EVIDENCE_CHECK, ConsentGateTopology.MERGE,
            ConsentGateTopology.DECIDER, ConsentGateTopology.VERDICT_SINK, ConsentGateTopology.REROUTE_OUT,
            ConsentGateTopology.REROUTED + "-repartition-filter", ConsentGateTopology.REROUTED + "-repartition-sink",
            ConsentGateTopology.REROUTED + "-repartition-source", ConsentGateTopology.REROUTE_IN,
            ConsentGateTopology.DECIDER_REROUTED, ConsentGateTopology.VERDICT_SINK_REROUTED,
            ConsentGateTopology.AUDIT_SINK, ConsentGateTopology.AUDIT_SINK_REROUTED,
            ConsentGateTopology.ADDRESS_OUT, ConsentGateTopology.ADDRESS_OUT_REROUTED, ConsentGateTopology.ADDRESS_MERGE,
            ConsentGateTopology.ADDRESS_EVENTS + "-repartition-filter", ConsentGateTopology.ADDRESS_EVENTS + "-repartition-sink",
            ConsentGateTopology.ADDRESS_EVENTS + "-repartition-source", ConsentGateTopology.ADDRESS_IN,
            ConsentGateTopology.ADDRESS_INDEX, ConsentGateTopology.DELIVERIES_OUT,
            ConsentGateTopology.DELIVERIES + "-repartition-filter", ConsentGateTopology.DELIVERIES + "-repartition-sink",
            ConsentGateTopology.DELIVERIES + "-repartition-source", ConsentGateTopology.DELIVERIES_IN,
            ConsentGateTopology.DECIDER_ADDRESSED, ConsentGateTopology.VERDICT_SINK_ADDRESSED,
            ConsentGateTopology.AUDIT_SINK_ADDRESSED);
        assertThat(description.toString()).doesNotContain("KSTREAM-", "KTABLE-")
            .contains(ConsentGateTopology.CONSENT_STORE, ConsentGateTopology.LAPSE_INDEX_STORE, ConsentGateTopology.CATCH_UP_STORE,
                ConsentGateTopology.ADDRESS_INDEX_STORE);
      }
    }
  }
}
