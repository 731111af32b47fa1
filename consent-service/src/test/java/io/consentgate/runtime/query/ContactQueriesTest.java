package io.consentgate.runtime.query;

import static io.consentgate.runtime.query.Consents.contact;
import static io.consentgate.runtime.query.Consents.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.runtime.query.StateLookup.Copy;
import io.consentgate.runtime.query.StateLookup.Found;
import io.consentgate.runtime.query.StateLookup.Unavailable;
import io.consentgate.topology.CatchUp;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** Which copy answers for a contact: here, the owner, a standby, or nobody (503), and never a loop. */
class ContactQueriesTest {

  private static final HostInfo SELF = new HostInfo("10.0.0.1", 8088);
  private static final HostInfo OTHER = new HostInfo("10.0.0.2", 8088);
  private static final HostInfo THIRD = new HostInfo("10.0.0.3", 8088);

  private final Consents consents = new Consents().apply(contact("c-1", "2024-03-01T08:00:00Z"),
      evidence("ev-1", "c-1", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));
  private final FakeLookup lookup = new FakeLookup();
  private final FakePeers peers = new FakePeers();
  private final ContactQueries queries = new ContactQueries(lookup, new ContactAnswers(Consents.POLICY, Consents.EPOCH,
      CatchUp.LIVE, Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC), 1, "10.0.0.1:8088"), peers, SELF);

  /** Answers what it is told, per host; a host it knows nothing of is unreachable. Records every call. */
  private static final class FakePeers implements Peers {
    final Map<HostInfo, Answer> contactAnswers = new HashMap<>();
    final Map<HostInfo, java.util.function.Function<List<String>, Answer>> checkAnswers = new HashMap<>();
    final List<String> calls = new ArrayList<>();

    @Override
    public CompletableFuture<Answer> contact(HostInfo peer, String contactId, Hop hop) {
      calls.add("GET " + ContactQueries.endpoint(peer) + " " + contactId + " " + hop);
      Answer a = contactAnswers.get(peer);
      return a == null ? CompletableFuture.failedFuture(new ConnectException("Connection refused"))
          : CompletableFuture.completedFuture(a);
    }

    @Override
    public CompletableFuture<Answer> check(HostInfo peer, List<String> contactIds, Hop hop) {
      calls.add("CHECK " + ContactQueries.endpoint(peer) + " " + contactIds + " " + hop);
      var f = checkAnswers.get(peer);
      return f == null ? CompletableFuture.failedFuture(new ConnectException("Connection refused"))
          : CompletableFuture.completedFuture(f.apply(contactIds));
    }
  }

  private Found found() {
    return new Found(consents.store.get("c-1"), Copy.ACTIVE);
  }

  @Test
  void theOwnerAnswersFromItsActiveCopyWithoutAskingAnyone() {
    lookup.own("c-1", SELF, OTHER).active.put("c-1", found());

    Answer answer = queries.contact("c-1", Hop.CLIENT).join();

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body().get("mayEmail").asBoolean()).isTrue();
    assertThat(peers.calls).isEmpty();
    assertThat(lookup.standbyReads).hasValue(0);
  }

  @Test
  void anotherInstancesContactIsForwardedToItsOwnerAndItsAnswerPassedOn() {
    lookup.own("c-1", OTHER, SELF);
    Answer owners = ContactAnswers.unavailable("c-1", "restoring");
    peers.contactAnswers.put(OTHER, owners);

    Answer answer = queries.contact("c-1", Hop.CLIENT).join();

    assertThat(answer).as("a restoring owner's 503 is passed on; the standby copy here is not asked").isSameAs(owners);
    assertThat(peers.calls).containsExactly("GET 10.0.0.2:8088 c-1 OWNER");
    assertThat(lookup.standbyReads).hasValue(0);
  }

  @Test
  void whenTheOwnerDoesNotAnswerAStandbyCopyHereAnswersAndSaysSo() {
    lookup.own("c-1", OTHER, SELF).standby.put("c-1", new Found(consents.store.get("c-1"), new Copy(true, 1)));

    Answer answer = queries.contact("c-1", Hop.CLIENT).join();

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body().get("standby").asBoolean()).isTrue();
    assertThat(answer.body().get("standbyLag").asLong()).isEqualTo(1);
    assertThat(answer.body().get("mayEmail").asBoolean()).isTrue();
  }

  @Test
  void whenTheOwnerDoesNotAnswerItsStandbyElsewhereIsAskedAsAStandby() {
    lookup.own("c-1", OTHER, THIRD);
    Answer fromStandby = new Answer(200, Answer.JSON.createObjectNode().put("contactId", "c-1"), 0);
    peers.contactAnswers.put(THIRD, fromStandby);

    assertThat(queries.contact("c-1", Hop.CLIENT).join()).isSameAs(fromStandby);
    assertThat(peers.calls).containsExactly("GET 10.0.0.2:8088 c-1 OWNER", "GET 10.0.0.3:8088 c-1 STANDBY");
  }

  @Test
  void nobodyToAnswerIsA503ThatNamesTheOwner() {
    lookup.own("c-1", OTHER);

    Answer answer = queries.contact("c-1", Hop.CLIENT).join();

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.retryAfterSeconds()).isPositive();
    assertThat(answer.body().get("mayEmail").asBoolean()).isFalse();
    assertThat(answer.body().get("error").asText()).contains("10.0.0.2:8088").contains("Connection refused")
        .contains("no standby");
  }

  @Test
  void anOwnerThatRefusesTheCallIsA502NotAFallbackToAStandby() {
    lookup.own("c-1", OTHER, SELF);
    peers.contactAnswers.put(OTHER, Answer.error(401, "a bearer token is required"));

    Answer answer = queries.contact("c-1", Hop.CLIENT).join();

    assertThat(answer.status()).isEqualTo(502);
    assertThat(answer.body().get("mayEmail").asBoolean()).isFalse();
    assertThat(answer.body().get("error").asText()).contains("HTTP 401").contains("query.tokens.file");
  }

  @Test
  void aForwardedQuestionIsNeverForwardedAgain() {
    lookup.own("c-1", OTHER, SELF).standby.put("c-1", found());

    Answer answer = queries.contact("c-1", Hop.OWNER).join();

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.body().get("error").asText()).contains("rebalancing");
    assertThat(peers.calls).isEmpty();
  }

  @Test
  void noMetadataIsA503() {
    Answer answer = queries.contact("c-1", Hop.CLIENT).join();
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.body().get("error").asText()).contains("rebalancing");
  }

  @Test
  void aCheckAsksEachOwnerOnceAndAnswersInTheOrderAsked() {
    lookup.own("c-1", SELF).active.put("c-1", found());
    lookup.own("c-2", OTHER).own("c-3", THIRD, SELF).own("c-4", OTHER).own("c-5", THIRD, SELF);
    lookup.standby.put("c-3", new Unavailable("restoring"));
    peers.checkAnswers.put(OTHER, ids -> {
      ArrayNode array = Answer.JSON.createArrayNode();
      ids.forEach(id -> array.add(ContactAnswers.unavailableItem(id, "from other").put("servedBy", "other")));
      return Answer.ok(array);
    });

    Answer answer = queries.check(List.of("c-2", "c-1", "c-3", "c-9", "c-4", "c-5", "c-2"), Hop.CLIENT).join();

    assertThat(answer.status()).isEqualTo(200);
    List<String> summary = new ArrayList<>();
    for (JsonNode item : answer.body()) {
      summary.add(item.get("contactId").asText() + ":" + item.get("result").asText() + ":" + item.get("mayEmail").asBoolean());
    }
    assertThat(summary).containsExactly("c-2:UNAVAILABLE:false", "c-1:FOUND:true", "c-3:UNAVAILABLE:false",
        "c-9:UNAVAILABLE:false", "c-4:UNAVAILABLE:false", "c-5:UNKNOWN:false", "c-2:UNAVAILABLE:false");
    assertThat(answer.body().get(0).get("servedBy").asText()).isEqualTo("other");
    assertThat(answer.body().get(5).get("standby").asBoolean()).as("THIRD does not answer: the standby copy here")
        .isTrue();
    assertThat(peers.calls).containsExactlyInAnyOrder("CHECK 10.0.0.2:8088 [c-2, c-4, c-2] OWNER",
        "CHECK 10.0.0.3:8088 [c-3, c-5] OWNER");
    OpenApiSchemas.load().requireValid("POST", "/v1/contacts:check", 200, answer.body());
  }

  @Test
  void aCheckWhoseOwnerAnswersSomethingElseLeavesItsIdsUnavailable() {
    lookup.own("c-2", OTHER).own("c-4", OTHER);
    peers.checkAnswers.put(OTHER, ids -> Answer.error(401, "a bearer token is required"));

    Answer answer = queries.check(List.of("c-2", "c-4"), Hop.CLIENT).join();

    assertThat(answer.body()).hasSize(2).allSatisfy(item -> {
      assertThat(item.get("result").asText()).isEqualTo("UNAVAILABLE");
      assertThat(item.get("error").asText()).contains("HTTP 401");
    });
  }
}
