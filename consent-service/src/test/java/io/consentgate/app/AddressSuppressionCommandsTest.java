package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Suppression by address and hard bounces (docs/policy.md) as the data-team commands show them:
 * a person who unsubscribed as c-ann and was re-imported as c-ann2 (the same mailbox, spelled
 * differently) is not allowed again, and explain says which contact and which record suppressed it.
 */
class AddressSuppressionCommandsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * c-ann unsubscribes (u-9, recorded on 1 March but appended only on 10 May); c-ann2 is the same
   * mailbox re-imported on 1 April, with a purchase (an implicit grant, which does not lift a
   * suppression) and, in June, a confirmed double opt-in (an explicit grant after it, which does).
   * c-bob's address bounced, without proof; c-cat's bounced with proof.
   */
  static final String HISTORY = String.join("\n",
      contact("c-ann", "ann@example.org", "2024-01-05T10:00:00Z", "2024-01-05T10:00:02Z"),
      evidence("ev-ann-1", "c-ann", "CHECKBOX_OPT_IN", "2024-01-05T10:00:30Z", "form-1", "2024-01-05T10:00:32Z"),
      contact("c-ann2", "Ann+shop@Example.org", "2024-04-01T08:00:00Z", "2024-04-01T08:00:02Z"),
      evidence("ev-ann2-1", "c-ann2", "PURCHASE", "2024-04-01T08:05:00Z", "order-5", "2024-04-01T08:05:02Z"),
      evidence("u-9", "c-ann", "UNSUBSCRIBE", "2024-03-01T09:00:00Z", null, "2024-05-10T12:00:00Z"),
      evidence("ev-ann2-2", "c-ann2", "DOUBLE_OPT_IN_CONFIRMED", "2024-06-01T10:00:00Z", "token-7", "2024-06-01T10:00:02Z"),
      contact("c-bob", "bob@example.org", "2024-01-06T10:00:00Z", "2024-01-06T10:00:02Z"),
      evidence("ev-bob-1", "c-bob", "CHECKBOX_OPT_IN", "2024-01-06T10:00:30Z", "form-2", "2024-01-06T10:00:32Z"),
      evidence("b-1", "c-bob", "HARD_BOUNCE", "2024-02-01T10:00:00Z", null, "2024-02-01T10:00:02Z"),
      contact("c-bob2", "BOB@example.org", "2024-03-06T10:00:00Z", "2024-03-06T10:00:02Z"),
      evidence("ev-bob2-1", "c-bob2", "WEBSITE_FORM", "2024-03-06T10:00:30Z", "form-3", "2024-03-06T10:00:32Z"),
      contact("c-cat", "cat@example.org", "2024-01-07T10:00:00Z", "2024-01-07T10:00:02Z"),
      evidence("ev-cat-1", "c-cat", "CHECKBOX_OPT_IN", "2024-01-07T10:00:30Z", "form-4", "2024-01-07T10:00:32Z"),
      evidence("b-2", "c-cat", "HARD_BOUNCE", "2024-02-07T10:00:00Z", "msg-4711", "2024-02-07T10:00:02Z"),
      contact("c-cat2", "cat@example.org", "2024-03-07T10:00:00Z", "2024-03-07T10:00:02Z"),
      evidence("ev-cat2-1", "c-cat2", "PURCHASE", "2024-03-07T10:00:30Z", "order-9", "2024-03-07T10:00:32Z")) + "\n";

  @TempDir
  Path dir;

  Path history;

  @BeforeEach
  void write() throws IOException {
    history = Files.writeString(dir.resolve("history.jsonl"), HISTORY);
  }

  @Test
  void explainOfAReimportedContactShowsSuppressedAndNamesTheOtherContactAndItsUnsubscribe() throws Exception {
    CliRun run = CliRun.of("explain", "--contact", "c-ann2", "--at", "2024-05-01T00:00:00Z", "--input", history.toString(),
        "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode x = JSON.readTree(run.out());
    // What held at T: c-ann's unsubscribe happened before T, so the re-imported contact is suppressed.
    assertThat(x.at("/heldAtT/verdict/decision").asText()).isEqualTo("DENY");
    assertThat(x.at("/heldAtT/verdict/status").asText()).isEqualTo("SUPPRESSED");
    assertThat(x.at("/heldAtT/verdict/oneToOneAllowed").asBoolean()).isTrue();
    assertThat(x.at("/heldAtT/verdict/reasons").toString()).contains("WITHDRAWN_ELSEWHERE:c-ann/u-9");
    assertThat(x.at("/heldAtT/verdict/evidenceIds/0").asText()).isEqualTo("u-9");
    assertThat(x.at("/heldAtT/rule/number").asInt()).isEqualTo(5);
    assertThat(x.at("/heldAtT/suppressedBy/contactId").asText()).isEqualTo("c-ann");
    assertThat(x.at("/heldAtT/suppressedBy/evidenceId").asText()).isEqualTo("u-9");
    assertThat(x.at("/heldAtT/suppressedBy/kind").asText()).isEqualTo("UNSUBSCRIBE");
    assertThat(x.at("/heldAtT/suppressedBy/eventTime").asText()).isEqualTo("2024-03-01T09:00:00Z");
    assertThat(x.at("/heldAtT/suppressedBy/where").asText()).isEqualTo("line 5");
    // What was known at T: the unsubscribe was appended after T, so the gate could only allow.
    assertThat(x.at("/knownByT/verdict/status").asText()).isEqualTo("CONSENTED_IMPLICIT");
    assertThat(x.at("/knownByT/suppressedBy").isNull()).isTrue();

    JsonNode same = x.get("sameAddress");
    assertThat(same).hasSize(1);
    assertThat(same.at("/0/contactId").asText()).isEqualTo("c-ann");
    assertThat(same.at("/0/email").asText()).isEqualTo("ann@example.org");
    assertThat(same.at("/0/evidenceId").asText()).isEqualTo("u-9");
    assertThat(same.at("/0/knownByT/role").asText()).isEqualTo("not-yet-appended");
    assertThat(same.at("/0/heldAtT/role").asText()).isEqualTo("decides");
    // The contact's own purchase counted without deciding: an implicit grant does not lift a suppression.
    assertThat(role(x.get("timeline"), "ev-ann2-1", "heldAtT")).isEqualTo("counted");
    assertThat(x.get("timeline")).as("only c-ann2's own records").hasSize(3);

    CliRun text = CliRun.of("explain", "--contact", "c-ann2", "--at", "2024-05-01T00:00:00Z", "--input", history.toString());
    assertThat(text.out())
        .contains("3. what held at T in the light of everything known now: DENY SUPPRESSED")
        .contains("rule 5: another contact of the brand with the same address (as normalised) withdrew")
        .contains("suppressed by contact c-ann's UNSUBSCRIBE u-9 at 2024-03-01T09:00:00Z, appended at "
            + "2024-05-10T12:00:00Z (line 5): c-ann's address ann@example.org is this contact's, as normalised")
        .contains("suppression by address: what other contacts with c-ann2's brand and address")
        .containsPattern("c-ann \\(ann@example.org\\) +u-9 UNSUBSCRIBE acme, no proof +line 5 +not yet appended +decides")
        .contains("WITHDRAWN_ELSEWHERE: another contact of the brand with the same address unsubscribed");
  }

  @Test
  void anExplicitGrantAfterTheUnsubscribeLiftsItAndExplainSaysWhich() throws Exception {
    JsonNode x = JSON.readTree(CliRun.of("explain", "--contact", "c-ann2", "--at", "2024-07-01T00:00:00Z", "--input",
        history.toString(), "--json").out());
    assertThat(x.at("/heldAtT/verdict/status").asText()).isEqualTo("CONSENTED_EXPLICIT");
    assertThat(x.at("/heldAtT/rule/number").asInt()).isEqualTo(6);
    assertThat(x.at("/heldAtT/suppressedBy").isNull()).isTrue();
    assertThat(x.at("/sameAddress/0/heldAtT/role").asText()).isEqualTo("lifted");
    assertThat(x.at("/sameAddress/0/heldAtT/code").asText()).isEqualTo("ev-ann2-2");
  }

  @Test
  void theContactThatUnsubscribedIsStillWithdrawnAndListsNothingElsewhere() throws Exception {
    JsonNode x = JSON.readTree(CliRun.of("explain", "--contact", "c-ann", "--at", "2024-07-01T00:00:00Z", "--input",
        history.toString(), "--json").out());
    assertThat(x.at("/heldAtT/verdict/status").asText()).isEqualTo("WITHDRAWN");
    assertThat(x.at("/heldAtT/rule/number").asInt()).isEqualTo(4);
    assertThat(x.get("sameAddress")).isEmpty();
  }

  @Test
  void hardBouncesOwnAndElsewhere() throws Exception {
    // c-cat's own bounce, with proof: undeliverable, rule 3, one-to-one denied too.
    JsonNode cat = JSON.readTree(CliRun.of("explain", "--contact", "c-cat", "--at", "2024-05-01", "--input",
        history.toString(), "--json").out());
    assertThat(cat.at("/heldAtT/verdict/status").asText()).isEqualTo("UNDELIVERABLE");
    assertThat(cat.at("/heldAtT/verdict/oneToOneAllowed").asBoolean()).isFalse();
    assertThat(cat.at("/heldAtT/rule/number").asInt()).isEqualTo(3);
    assertThat(role(cat.get("timeline"), "b-2", "heldAtT")).isEqualTo("decides");
    assertThat(role(cat.get("timeline"), "ev-cat-1", "heldAtT")).isEqualTo("counted");

    // c-cat2 has that address too: suppressed by the bounce, one-to-one denied (the address takes no mail).
    JsonNode cat2 = JSON.readTree(CliRun.of("explain", "--contact", "c-cat2", "--at", "2024-05-01", "--input",
        history.toString(), "--json").out());
    assertThat(cat2.at("/heldAtT/verdict/status").asText()).isEqualTo("SUPPRESSED");
    assertThat(cat2.at("/heldAtT/verdict/oneToOneAllowed").asBoolean()).isFalse();
    assertThat(cat2.at("/heldAtT/verdict/reasons").toString()).contains("BOUNCED_ELSEWHERE:c-cat/b-2");
    assertThat(cat2.at("/heldAtT/suppressedBy/kind").asText()).isEqualTo("HARD_BOUNCE");
    assertThat(cat2.at("/knownByT/suppressedBy/evidenceId").asText()).isEqualTo("b-2");

    // c-bob's bounce has no proof: it suppresses nobody, and both say why.
    JsonNode bob2 = JSON.readTree(CliRun.of("explain", "--contact", "c-bob2", "--at", "2024-05-01", "--input",
        history.toString(), "--json").out());
    assertThat(bob2.at("/heldAtT/verdict/status").asText()).isEqualTo("CONSENTED_IMPLICIT");
    assertThat(bob2.at("/sameAddress/0/evidenceId").asText()).isEqualTo("b-1");
    assertThat(bob2.at("/sameAddress/0/heldAtT/role").asText()).isEqualTo("ignored");
    assertThat(bob2.at("/sameAddress/0/heldAtT/code").asText()).isEqualTo("UNVERIFIABLE_EVIDENCE");
    JsonNode bob = JSON.readTree(CliRun.of("explain", "--contact", "c-bob", "--at", "2024-05-01", "--input",
        history.toString(), "--json").out());
    assertThat(bob.at("/heldAtT/verdict/status").asText()).isEqualTo("CONSENTED_EXPLICIT");
    assertThat(role(bob.get("timeline"), "b-1", "heldAtT")).isEqualTo("ignored UNVERIFIABLE_EVIDENCE");
  }

  @Test
  void whatIfSuppressesInTheBaselineAndTheCandidate() throws Exception {
    Path strict = Files.writeString(dir.resolve("strict.properties"), "policy.default-profile=strict\n");
    Path flips = dir.resolve("flips.jsonl");
    CliRun run = CliRun.of("whatif", "--input", history.toString(), "--candidate-config", strict.toString(), "--as-of",
        "2024-05-01T00:00:00Z", "--flips", flips.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    // Under optin alone c-ann2 (a purchase) and c-cat2 would be allowed, and so lose consent under strict;
    // suppressed by address they may not be emailed under either, so they do not flip.
    assertThat(run.out()).contains("what-if as of 2024-05-01T00:00:00Z: 6 contacts")
        .containsPattern("SUPPRESSED +(\\. +)*2")
        .containsPattern("UNDELIVERABLE +(\\. +)*1")
        .contains("may email -> may not: 2  (c-bob, c-bob2)");
    List<String> lines = Files.readAllLines(flips);
    assertThat(lines).extracting(l -> JSON.readTree(l).get("contactId").asText()).containsExactly("c-bob", "c-bob2");
  }

  static String contact(String id, String email, String createdAt, String appendedAt) {
    return "{\"type\":\"contact\",\"contactId\":\"" + id + "\",\"brandId\":\"acme\",\"email\":\"" + email
        + "\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"" + createdAt + "\",\"appendedAt\":\"" + appendedAt + "\"}";
  }

  static String evidence(String id, String contactId, String kind, String occurredAt, String proof, String appendedAt) {
    return "{\"type\":\"evidence\",\"evidenceId\":\"" + id + "\",\"contactId\":\"" + contactId
        + "\",\"brandId\":\"acme\",\"kind\":\"" + kind + "\",\"occurredAt\":\"" + occurredAt + "\""
        + (proof == null ? "" : ",\"proof\":{\"reference\":\"" + proof + "\"}") + ",\"appendedAt\":\"" + appendedAt + "\"}";
  }

  private static String role(JsonNode timeline, String evidenceId, String view) {
    for (JsonNode e : timeline) {
      if (evidenceId.equals(e.path("evidenceId").asText())) {
        JsonNode role = e.get(view);
        return role.get("role").asText() + (role.has("code") ? " " + role.get("code").asText() : "");
      }
    }
    throw new AssertionError("no " + evidenceId + " in the timeline");
  }
}
