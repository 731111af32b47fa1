package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.runtime.GateService;
import io.consentgate.topology.ContactOwnership;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Suppression by address on a real broker: the unsubscribing contact and the re-imported ones live
 * on other partitions than each other, so the suppression crosses tasks through the index's topics.
 */
class AddressSuppressionIT {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int PARTITIONS = 4;

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  /** Contact ids whose owning partition differs from {@code notOn}'s, one per other partition, cycling. */
  private static List<String> idsOnOtherPartitions(String notOn, int count) {
    ContactOwnership ownership = new ContactOwnership(PARTITIONS);
    int avoid = ownership.partitionOf(notOn);
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < count; i++) {
      String id = "c-reimport-" + i;
      if (ownership.partitionOf(id) != avoid) {
        ids.add(id);
      }
    }
    return ids;
  }

  @Test
  void aContactCreatedAfterACommittedSuppressionOnAnotherPartitionIsNeverAllowed() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "suppression", dir.resolve("suppression"), PARTITIONS);
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateOnKafkaIT.createTopics(runtime);
    try (GateService gate = runtime.gateService()) {
      gate.start();
      KafkaStack.publish(runtime, """
          {"type":"contact","contactId":"c-orig","brandId":"acme","email":"Dana.Doe@example.org","source":"OWN_CHANNEL","createdAt":"2024-01-05T10:00:00Z"}
          {"type":"evidence","evidenceId":"ev-orig-1","contactId":"c-orig","brandId":"acme","kind":"CHECKBOX_OPT_IN","occurredAt":"2024-01-05T10:00:30Z","proof":{"reference":"form-1"}}
          {"type":"evidence","evidenceId":"ev-orig-2","contactId":"c-orig","brandId":"acme","kind":"UNSUBSCRIBE","occurredAt":"2024-06-01T00:00:00Z"}
          """);
      // Committed: the sender-visible verdict of the withdrawal is written in the same transaction
      // as the notice to the index.
      await().atMost(WAIT).until(() -> KafkaStack.verdicts(runtime).stream()
          .anyMatch(v -> v.getContactId().equals("c-orig") && v.getStatus().name().equals("WITHDRAWN")));

      List<String> reImports = idsOnOtherPartitions("c-orig", 12);
      StringBuilder history = new StringBuilder();
      for (int i = 0; i < reImports.size(); i++) {
        String id = reImports.get(i);
        String email = i % 2 == 0 ? "dana.doe+shop" + i + "@Example.org" : "DANA.DOE@example.org";
        String purchase = "{\"type\":\"evidence\",\"evidenceId\":\"ev-" + id + "\",\"contactId\":\"" + id
            + "\",\"brandId\":\"acme\",\"kind\":\"PURCHASE\",\"occurredAt\":\"2024-09-01T00:00:00Z\",\"proof\":{\"reference\":\"order-" + i + "\"}}\n";
        String contact = "{\"type\":\"contact\",\"contactId\":\"" + id + "\",\"brandId\":\"acme\",\"email\":\"" + email
            + "\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"2024-09-01T00:00:00Z\"}\n";
        // Half with the purchase first: the contact's consent is whole the moment its record arrives.
        history.append(i % 4 < 2 ? purchase + contact : contact + purchase);
      }
      // A contact of another brand with the address is not suppressed: the test can see an ALLOW.
      history.append("""
          {"type":"contact","contactId":"c-other-brand","brandId":"globex","email":"dana.doe@example.org","source":"OWN_CHANNEL","createdAt":"2024-09-01T00:00:00Z"}
          {"type":"evidence","evidenceId":"ev-other-brand","contactId":"c-other-brand","brandId":"globex","kind":"PURCHASE","occurredAt":"2024-09-01T00:00:00Z","proof":{"reference":"order-g"}}
          """);
      KafkaStack.publish(runtime, history.toString());

      await().atMost(WAIT).untilAsserted(() -> {
        List<ConsentVerdict> verdicts = KafkaStack.verdicts(runtime);
        for (String id : reImports) {
          assertThat(verdicts.stream().filter(v -> v.getContactId().equals(id)).reduce((a, b) -> b))
              .as(id).hasValueSatisfying(v -> assertThat(v.getStatus().name()).isEqualTo("SUPPRESSED"));
        }
        assertThat(verdicts).filteredOn(v -> v.getContactId().equals("c-other-brand")).last()
            .satisfies(v -> assertThat(v.getDecision().name()).isEqualTo("ALLOW"));
      });
      await().atMost(WAIT).until(() -> stack.caughtUp(runtime));
      List<ConsentVerdict> all = KafkaStack.verdicts(runtime);
      assertThat(all).filteredOn(v -> reImports.contains(v.getContactId()))
          .as("no re-imported contact was ever allowed, not even before the index answered")
          .allSatisfy(v -> assertThat(v.getDecision().name()).isEqualTo("DENY"))
          .allSatisfy(v -> assertThat(v.getReasons()).doesNotContain("CONSENTED_IMPLICIT"));
      assertThat(all).filteredOn(v -> reImports.contains(v.getContactId()) && v.getStatus().name().equals("SUPPRESSED"))
          .allSatisfy(v -> assertThat(v.getReasons()).contains("WITHDRAWN_ELSEWHERE:c-orig/ev-orig-2"));
    }
  }
}
