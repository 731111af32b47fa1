package io.consentgate.runtime.query;

import static io.consentgate.runtime.query.Consents.contact;
import static io.consentgate.runtime.query.Consents.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consentgate.history.HistoryJson;
import io.consentgate.ledger.ContactConsent;
import io.consentgate.policy.AddressKey;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Decision;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.Suppression;
import io.consentgate.runtime.query.StateLookup.Copy;
import io.consentgate.runtime.query.StateLookup.Found;
import io.consentgate.runtime.query.StateLookup.Missing;
import io.consentgate.runtime.query.StateLookup.Unavailable;
import io.consentgate.topology.CatchUp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What the API says about one contact, from the store entry the gate's own ledger leaves behind. */
class ContactAnswersTest {

  private static final OpenApiSchemas API = OpenApiSchemas.load();
  private static final String GET = "/v1/contacts/{contactId}";
  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  private static ContactAnswers answersAt(Instant now) {
    return answers(CatchUp.LIVE, now);
  }

  private static ContactAnswers answers(CatchUp catchUp, Instant now) {
    return new ContactAnswers(Consents.POLICY, Consents.EPOCH, catchUp, Clock.fixed(now, ZoneOffset.UTC), 1, "10.0.0.5:8088");
  }

  private static JsonNode verdictLine(Consents consents, String contactId) throws Exception {
    return Answer.JSON.readTree(HistoryJson.write(consents.published.get(contactId)));
  }

  /** The answer without what it adds to the verdict: what {@code verdicts} printed for the contact. */
  private static ObjectNode verdictPart(JsonNode answer) {
    ObjectNode copy = (ObjectNode) answer.deepCopy();
    copy.remove(java.util.List.of("mayEmail", "note", "evidenceHeld", "servedBy", "standby", "standbyLag"));
    return copy;
  }

  @Test
  void theAnswerIsThePublishedVerdictPlusMayEmailAndTheEvidenceHeld() throws Exception {
    Consents consents = new Consents().apply(contact("c-1", "2024-03-01T08:00:00Z"),
        evidence("ev-2", "c-1", EvidenceKind.VERBAL_CONSENT, "2024-03-01T09:00:00Z"),
        evidence("ev-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));

    Answer answer = answersAt(NOW).contact("c-1", new Found(consents.store.get("c-1"), Copy.ACTIVE));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.retryAfterSeconds()).isZero();
    assertThat(verdictPart(answer.body())).as("the verdict as verdicts printed it").isEqualTo(verdictLine(consents, "c-1"));
    assertThat(answer.body().get("epoch").asLong()).isEqualTo(Consents.EPOCH);
    assertThat(answer.body().get("mayEmail").asBoolean()).isTrue();
    assertThat(answer.body().get("evidenceHeld").toString()).isEqualTo("[\"ev-1\",\"ev-2\"]");
    assertThat(answer.body().get("reasons").toString()).contains("VERBAL_CONSENT_NOT_VERIFIABLE:ev-2");
    assertThat(answer.body().get("servedBy").asText()).isEqualTo("10.0.0.5:8088");
    assertThat(answer.body().get("standby").asBoolean()).isFalse();
    assertThat(answer.body().has("standbyLag")).isFalse();
    API.requireValid("GET", GET, 200, answer.body());
  }

  @Test
  void aWithdrawnContactMayNotBeEmailedAndEqualsItsLastVerdict() throws Exception {
    Consents consents = new Consents().apply(contact("c-2", "2024-03-01T08:00:00Z"),
        evidence("ev-1", "c-2", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"),
        evidence("ev-2", "c-2", EvidenceKind.UNSUBSCRIBE, "2024-04-02T08:00:00Z"));

    Answer answer = answersAt(NOW).contact("c-2", new Found(consents.store.get("c-2"), Copy.ACTIVE));

    assertThat(verdictPart(answer.body())).isEqualTo(verdictLine(consents, "c-2"));
    assertThat(answer.body().get("decision").asText()).isEqualTo("DENY");
    assertThat(answer.body().get("version").asLong()).as("NO_CONSENT, CONSENTED_EXPLICIT, WITHDRAWN").isEqualTo(3);
    assertThat(answer.body().get("mayEmail").asBoolean()).isFalse();
    assertThat(answer.body().has("note")).as("the decision says why").isFalse();
    API.requireValid("GET", GET, 200, answer.body());
  }

  @Test
  void aContactSuppressedByAnotherContactsUnsubscribeIsADenyThatNamesIt() throws Exception {
    // c-ann2 signed up; then c-ann, the same mailbox, unsubscribed: the address's index delivers it.
    Consents consents = new Consents().apply(contact("c-ann2", "2024-03-01T08:00:00Z"),
        evidence("ev-1", "c-ann2", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"),
        new Suppression("c-ann2", AddressKey.of("acme", "c-ann2@example.com").orElseThrow(), "c-ann", "u-9",
            EvidenceKind.UNSUBSCRIBE, Instant.parse("2024-04-02T08:00:00Z")));

    Answer answer = answersAt(NOW).contact("c-ann2", new Found(consents.store.get("c-ann2"), Copy.ACTIVE));

    assertThat(verdictPart(answer.body())).isEqualTo(verdictLine(consents, "c-ann2"));
    assertThat(answer.body().get("decision").asText()).isEqualTo("DENY");
    assertThat(answer.body().get("status").asText()).isEqualTo("SUPPRESSED");
    assertThat(answer.body().get("reasons").toString()).contains("WITHDRAWN_ELSEWHERE:c-ann/u-9");
    assertThat(answer.body().get("evidenceIds").toString()).isEqualTo("[\"u-9\"]");
    assertThat(answer.body().get("mayEmail").asBoolean()).isFalse();
    assertThat(answer.body().get("oneToOneAllowed").asBoolean()).isTrue();
    ObjectNode item = answersAt(NOW).item("c-ann2", new Found(consents.store.get("c-ann2"), Copy.ACTIVE));
    assertThat(item.get("status").asText()).isEqualTo("SUPPRESSED");
    assertThat(item.get("mayEmail").asBoolean()).isFalse();
    // That docs/openapi.yaml documents SUPPRESSED is everyStatusThePolicyDecidesIsOneTheApiDocuments's.
  }

  @Test
  void anUndeliverableContactMayNotBeEmailedNotEvenOneToOne() throws Exception {
    Consents consents = new Consents().apply(contact("c-cat", "2024-03-01T08:00:00Z"),
        evidence("ev-1", "c-cat", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"),
        evidence("b-1", "c-cat", EvidenceKind.HARD_BOUNCE, "2024-04-02T08:00:00Z"));

    Answer answer = answersAt(NOW).contact("c-cat", new Found(consents.store.get("c-cat"), Copy.ACTIVE));

    assertThat(answer.body().get("status").asText()).isEqualTo("UNDELIVERABLE");
    assertThat(answer.body().get("decision").asText()).isEqualTo("DENY");
    assertThat(answer.body().get("oneToOneAllowed").asBoolean()).isFalse();
    assertThat(answer.body().get("mayEmail").asBoolean()).isFalse();
  }

  @Test
  void everyStatusThePolicyDecidesIsOneTheApiDocuments() {
    // A status missing from docs/openapi.yaml's Status enum makes every answer carrying it invalid there.
    for (ConsentStatus status : ConsentStatus.values()) {
      ObjectNode body = Answer.JSON.createObjectNode();
      body.put("contactId", "c-1");
      body.put("status", status.name());
      assertThat(API.errors("GET", GET, 200, body)).as(status.name())
          .noneMatch(e -> e.contains("status") && e.contains("enum"));
    }
  }

  @Test
  void anAllowHeldBackForTheAddressIndexSaysSoAndIsNoMail() throws Exception {
    // The store as the gate leaves it when a grant arrives before the index answered the contact's
    // registration: the published verdict stays NO_CONSENT, the policy alone would allow.
    ConsentState state = ConsentState.EMPTY.with(contact("c-5", "2024-03-01T08:00:00Z"))
        .with(evidence("ev-1", "c-5", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));
    ContactConsent consent = new ContactConsent("c-5", state, new ContactConsent.Published(1, Decision.DENY,
        ConsentStatus.NO_CONSENT, null, Instant.parse("2024-03-01T08:00:00Z")));

    Answer answer = answersAt(NOW).contact("c-5", new Found(consent, Copy.ACTIVE));

    assertThat(answer.body().get("mayEmail").asBoolean()).isFalse();
    assertThat(answer.body().get("note").asText()).contains("suppression index").doesNotContain("policy changed");
  }

  @Test
  void anAllowWhoseValidUntilHasPassedIsNoMailBeforeTheGatePublishesTheLapse() throws Exception {
    Consents consents = new Consents().apply(contact("c-3", "2024-03-01T08:00:00Z"),
        evidence("ev-1", "c-3", EvidenceKind.PURCHASE, "2024-03-10T08:00:00Z"));
    Found found = new Found(consents.store.get("c-3"), Copy.ACTIVE);

    Answer before = answersAt(Instant.parse("2026-03-10T07:59:59Z")).contact("c-3", found);
    Answer after = answersAt(Instant.parse("2026-03-10T08:00:00Z")).contact("c-3", found);

    assertThat(before.body().get("status").asText()).isEqualTo("CONSENTED_IMPLICIT");
    assertThat(before.body().get("mayEmail").asBoolean()).isTrue();
    assertThat(verdictPart(after.body())).as("still the published verdict").isEqualTo(verdictLine(consents, "c-3"));
    assertThat(after.body().get("mayEmail").asBoolean()).isFalse();
    assertThat(after.body().get("note").asText()).contains("validUntil has passed");
    API.requireValid("GET", GET, 200, after.body());

    ObjectNode item = answersAt(Instant.parse("2026-03-10T08:00:00Z")).item("c-3", found);
    assertThat(item.get("result").asText()).isEqualTo("FOUND");
    assertThat(item.get("mayEmail").asBoolean()).isFalse();
    assertThat(item.get("validUntil").asText()).isEqualTo("2026-03-10T08:00:00Z");

    consents.lapses(Instant.parse("2026-03-10T08:01:00Z"));
    Answer lapsed = answersAt(Instant.parse("2026-03-10T09:00:00Z")).contact("c-3", new Found(consents.store.get("c-3"), Copy.ACTIVE));
    assertThat(verdictPart(lapsed.body())).as("after the lapse is published: the lapse verdict")
        .isEqualTo(verdictLine(consents, "c-3"));
    assertThat(lapsed.body().get("status").asText()).isEqualTo("EXPIRED");
  }

  @Test
  void evidenceThatChangedNoOutcomeShowsInReasonsButNotInTheOutcomeOrVersion() throws Exception {
    Consents consents = new Consents().apply(contact("c-4", "2024-03-01T08:00:00Z"),
        evidence("ev-1", "c-4", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));
    JsonNode published = verdictLine(consents, "c-4");
    consents.apply(evidence("ev-2", "c-4", EvidenceKind.NEWSLETTER_SIGNUP, "2024-05-02T08:00:00Z"));
    assertThat(verdictLine(consents, "c-4")).as("nothing new published").isEqualTo(published);

    JsonNode answer = answersAt(NOW).contact("c-4", new Found(consents.store.get("c-4"), Copy.ACTIVE)).body();

    for (String field : new String[] {"contactId", "decision", "status", "version", "epoch", "email", "policy"}) {
      assertThat(answer.get(field)).as(field).isEqualTo(published.get(field));
    }
    assertThat(answer.has("validUntil")).isFalse();
    assertThat(answer.get("evidenceIds").toString()).contains("ev-2");
    assertThat(answer.get("decidedAt").asText()).isEqualTo("2024-05-02T08:00:00Z");
    assertThat(answer.get("mayEmail").asBoolean()).isTrue();
  }

  @Test
  void aStandbyAnswersWithItsLagAndNeverAllowsBeyondTheLimit() {
    Consents consents = new Consents().apply(contact("c-5", "2024-03-01T08:00:00Z"),
        evidence("ev-1", "c-5", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));

    JsonNode caughtUp = answersAt(NOW).contact("c-5", new Found(consents.store.get("c-5"), new Copy(true, 1))).body();
    JsonNode behind = answersAt(NOW).contact("c-5", new Found(consents.store.get("c-5"), new Copy(true, 2))).body();

    assertThat(caughtUp.get("standby").asBoolean()).isTrue();
    assertThat(caughtUp.get("standbyLag").asLong()).isEqualTo(1);
    assertThat(caughtUp.get("mayEmail").asBoolean()).as("a caught-up standby (lag 1: the commit marker)").isTrue();
    assertThat(behind.get("mayEmail").asBoolean()).isFalse();
    assertThat(behind.get("note").asText()).contains("2 offsets behind").contains("query.standby.max-lag");
    API.requireValid("GET", GET, 200, behind);

    ObjectNode item = answersAt(NOW).item("c-5", new Found(consents.store.get("c-5"), new Copy(true, 2)));
    assertThat(item.get("mayEmail").asBoolean()).isFalse();
    assertThat(item.get("standbyLag").asLong()).isEqualTo(2);
  }

  @Test
  void unknownContactsEvidenceWithoutAContactAndUnavailableStoresAreNeverMail() {
    Consents consents = new Consents().apply(evidence("ev-9", "c-9", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));
    ContactAnswers answers = answersAt(NOW);

    Answer unknown = answers.contact("c-0", new Missing(Copy.ACTIVE));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("mayEmail").asBoolean()).isFalse();
    API.requireValid("GET", GET, 404, unknown.body());

    Answer evidenceOnly = answers.contact("c-9", new Found(consents.store.get("c-9"), Copy.ACTIVE));
    assertThat(evidenceOnly.status()).isEqualTo(404);
    assertThat(evidenceOnly.body().get("mayEmail").asBoolean()).isFalse();
    assertThat(evidenceOnly.body().get("evidenceHeld").toString()).isEqualTo("[\"ev-9\"]");
    API.requireValid("GET", GET, 404, evidenceOnly.body());

    Answer restoring = answers.contact("c-1", new Unavailable("restoring"));
    assertThat(restoring.status()).isEqualTo(503);
    assertThat(restoring.retryAfterSeconds()).isPositive();
    assertThat(restoring.body().get("mayEmail").asBoolean()).isFalse();
    API.requireValid("GET", GET, 503, restoring.body());

    assertThat(answers.item("c-0", new Missing(Copy.ACTIVE)).get("result").asText()).isEqualTo("UNKNOWN");
    assertThat(answers.item("c-9", new Found(consents.store.get("c-9"), Copy.ACTIVE)).get("result").asText()).isEqualTo("UNKNOWN");
    assertThat(answers.item("c-1", new Unavailable("restoring")).get("result").asText()).isEqualTo("UNAVAILABLE");
  }

  @Test
  void aContactRecordedQuietlyWhileTheGateCatchesUpIsNotAnsweredYet() {
    Consents consents = new Consents().applyQuietly(contact("c-6", "2024-03-01T08:00:00Z"))
        .applyQuietly(evidence("ev-1", "c-6", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));

    Answer answer = answersAt(NOW).contact("c-6", new Found(consents.store.get("c-6"), Copy.ACTIVE));

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.body().get("error").asText()).contains("re-deciding");
    assertThat(answersAt(NOW).item("c-6", new Found(consents.store.get("c-6"), Copy.ACTIVE)).get("result").asText())
        .isEqualTo("UNAVAILABLE");
  }

  @Test
  void whileTheGateHasNotReadItsInputNoContactIsUnknownOnlyNotAnswerableYet() {
    Consents consents = new Consents().applyQuietly(evidence("ev-9", "c-9", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));
    Consents.Redeciding redeciding = new Consents.Redeciding();
    ContactAnswers answers = answers(redeciding, NOW);
    Found evidenceOnly = new Found(consents.store.get("c-9"), Copy.ACTIVE);

    for (Answer a : java.util.List.of(answers.contact("c-0", new Missing(Copy.ACTIVE)), answers.contact("c-9", evidenceOnly),
        answers.contact("c-0", new Missing(new Copy(true, 1))))) {
      assertThat(a.status()).as("its record may be in the input still to be read: not 404").isEqualTo(503);
      assertThat(a.retryAfterSeconds()).isPositive();
      assertThat(a.body().get("mayEmail").asBoolean()).isFalse();
      assertThat(a.body().get("error").asText()).contains("re-deciding its history").contains("not read all of its input");
      API.requireValid("GET", GET, 503, a.body());
    }
    for (ObjectNode item : java.util.List.of(answers.item("c-0", new Missing(Copy.ACTIVE)), answers.item("c-9", evidenceOnly))) {
      assertThat(item.get("result").asText()).isEqualTo("UNAVAILABLE");
      assertThat(item.get("mayEmail").asBoolean()).isFalse();
      assertThat(item.get("error").asText()).contains("not read all of its input");
    }

    redeciding.caughtUp();

    Answer unknown = answers.contact("c-0", new Missing(Copy.ACTIVE));
    assertThat(unknown.status()).as("once the input is read, unknown is an answer").isEqualTo(404);
    API.requireValid("GET", GET, 404, unknown.body());
    assertThat(answers.contact("c-9", evidenceOnly).status()).isEqualTo(404);
    assertThat(answers.item("c-0", new Missing(Copy.ACTIVE)).get("result").asText()).isEqualTo("UNKNOWN");
    assertThat(answers.item("c-9", evidenceOnly).get("result").asText()).isEqualTo("UNKNOWN");
  }

  @Test
  void whileTheGateHasNotReadItsInputAContactItHasDecidedIsStillAnswered() {
    // A task that settled on another instance before a rebalance moved it here: its verdict is published.
    Consents consents = new Consents().apply(contact("c-1", "2024-03-01T08:00:00Z"),
        evidence("ev-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));

    Answer answer = answers(new Consents.Redeciding(), NOW).contact("c-1", new Found(consents.store.get("c-1"), Copy.ACTIVE));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body().get("mayEmail").asBoolean()).isTrue();
  }
}
