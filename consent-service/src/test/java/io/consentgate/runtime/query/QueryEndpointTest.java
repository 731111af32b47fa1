package io.consentgate.runtime.query;

import static io.consentgate.runtime.query.Consents.contact;
import static io.consentgate.runtime.query.Consents.evidence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.runtime.query.StateLookup.Copy;
import io.consentgate.runtime.query.StateLookup.Found;
import io.consentgate.topology.CatchUp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API over HTTP on two instances without Kafka (the store is faked): forwarding between them
 * with a token, the refusals (401, 400, 404, 405, 413), and every answer checked against docs/openapi.yaml.
 */
class QueryEndpointTest {

  private static final OpenApiSchemas API = OpenApiSchemas.load();
  private static final String GET = "/v1/contacts/{contactId}";
  private static final String CHECK = "/v1/contacts:check";
  private static final String TOKEN = "s3cret-a";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Consents consents = new Consents().apply(contact("c-a", "2024-03-01T08:00:00Z"),
      evidence("ev-a", "c-a", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"),
      contact("c/b ü", "2024-03-01T08:00:00Z"), evidence("ev-b", "c/b ü", EvidenceKind.UNSUBSCRIBE, "2024-03-02T08:00:00Z"));
  private QueryEndpoint a;
  private QueryEndpoint b;

  @BeforeEach
  void start() {
    a = QueryEndpoint.open(new QuerySettings("127.0.0.1", 0, null, List.of(TOKEN, "other-token"), 1));
    b = QueryEndpoint.open(new QuerySettings("127.0.0.1", 0, null, List.of("other-token", TOKEN), 1));
  }

  private void serveBoth() {
    serveBoth(CatchUp.LIVE);
  }

  private void serveBoth(CatchUp catchUp) {
    for (QueryEndpoint e : List.of(a, b)) {
      FakeLookup lookup = new FakeLookup().own("c-a", a.advertised(), b.advertised()).own("c/b ü", b.advertised());
      if (e == a) {
        lookup.active.put("c-a", new Found(consents.store.get("c-a"), Copy.ACTIVE));
      } else {
        lookup.active.put("c/b ü", new Found(consents.store.get("c/b ü"), Copy.ACTIVE));
      }
      lookup.own("c-new-a", a.advertised()).own("c-new-b", b.advertised()); // owned, but not in the stores
      e.serve(new ContactQueries(lookup, new ContactAnswers(Consents.POLICY, Consents.EPOCH, catchUp, Clock.systemUTC(), 1,
          e.applicationServer()), new HttpPeers(e.settings()), e.advertised()));
    }
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  private record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

  private Reply send(HttpRequest.Builder request, String token) throws Exception {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    return new Reply(response.statusCode(), Answer.JSON.readTree(response.body()), response);
  }

  private Reply get(QueryEndpoint at, String rawId, String token) throws Exception {
    Reply reply = send(HttpRequest.newBuilder(URI.create(at.url() + "/v1/contacts/" + rawId)).GET(), token);
    API.requireValid("GET", GET, reply.status(), reply.body());
    return reply;
  }

  private Reply check(QueryEndpoint at, String body, String token) throws Exception {
    Reply reply = send(HttpRequest.newBuilder(URI.create(at.url() + CHECK)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)), token);
    API.requireValid("POST", CHECK, reply.status(), reply.body());
    return reply;
  }

  @Test
  void eitherInstanceAnswersForEitherContactForwardingWithItsOwnToken() throws Exception {
    serveBoth();
    String encoded = PathSegment.encode("c/b ü");
    assertThat(encoded).isEqualTo("c%2Fb%20%C3%BC");

    Reply local = get(a, "c-a", TOKEN);
    Reply forwarded = get(a, encoded, TOKEN);
    Reply back = get(b, "c-a", "other-token");

    assertThat(local.status()).isEqualTo(200);
    assertThat(local.body().get("mayEmail").asBoolean()).isTrue();
    assertThat(local.body().get("servedBy").asText()).isEqualTo(a.applicationServer());
    assertThat(forwarded.status()).isEqualTo(200);
    assertThat(forwarded.body().get("contactId").asText()).isEqualTo("c/b ü");
    assertThat(forwarded.body().get("decision").asText()).isEqualTo("DENY");
    assertThat(forwarded.body().get("mayEmail").asBoolean()).isFalse();
    assertThat(forwarded.body().get("servedBy").asText()).isEqualTo(b.applicationServer());
    assertThat(back.body().get("servedBy").asText()).isEqualTo(a.applicationServer());

    Reply batch = check(b, "[\"c-a\",\"c/b ü\",\"c-unknown\",\"c-a\"]", TOKEN);
    assertThat(batch.status()).isEqualTo(200);
    List<String> results = new ArrayList<>();
    batch.body().forEach(i -> results.add(i.get("contactId").asText() + ":" + i.get("result").asText() + ":"
        + i.get("mayEmail").asBoolean()));
    assertThat(results).containsExactly("c-a:FOUND:true", "c/b ü:FOUND:false", "c-unknown:UNAVAILABLE:false",
        "c-a:FOUND:true");
  }

  @Test
  void whileTheGatesReDecideTheirHistoryAContactNotYetReadIsA503ToRetryNotA404() throws Exception {
    Consents.Redeciding redeciding = new Consents.Redeciding();
    serveBoth(redeciding);

    for (Reply r : List.of(get(a, "c-new-a", TOKEN), get(a, "c-new-b", TOKEN))) { // here, and forwarded to b
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.raw().headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
      assertThat(r.body().get("mayEmail").asBoolean()).isFalse();
    }
    Reply batch = check(a, "[\"c-a\",\"c-new-a\",\"c-new-b\"]", TOKEN);
    assertThat(batch.status()).isEqualTo(200);
    List<String> results = new ArrayList<>();
    batch.body().forEach(i -> results.add(i.get("contactId").asText() + ":" + i.get("result").asText()));
    assertThat(results).containsExactly("c-a:FOUND", "c-new-a:UNAVAILABLE", "c-new-b:UNAVAILABLE");

    redeciding.caughtUp();

    assertThat(get(a, "c-new-a", TOKEN).status()).isEqualTo(404);
    assertThat(get(a, "c-new-b", TOKEN).status()).isEqualTo(404);
    assertThat(check(a, "[\"c-new-a\",\"c-new-b\"]", TOKEN).body().findValuesAsText("result"))
        .containsExactly("UNKNOWN", "UNKNOWN");
  }

  @Test
  void withTokensEveryRequestNeedsOne() throws Exception {
    serveBoth();
    Reply none = get(a, "c-a", null);
    Reply wrong = get(a, "c-a", "guess");
    Reply batch = check(a, "[\"c-a\"]", null);

    for (Reply r : List.of(none, wrong, batch)) {
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
      assertThat(r.body().toString()).doesNotContain("example.com");
    }
  }

  @Test
  void anInstanceThatDoesNotAcceptTheOthersTokenGivesNoMail() throws Exception {
    b.close();
    b = QueryEndpoint.open(new QuerySettings("127.0.0.1", 0, null, List.of("only-b"), 1));
    serveBoth();

    Reply forwarded = get(a, PathSegment.encode("c/b ü"), TOKEN);

    assertThat(forwarded.status()).isEqualTo(502);
    assertThat(forwarded.body().get("mayEmail").asBoolean()).isFalse();
    assertThat(forwarded.body().get("error").asText()).contains("HTTP 401");
  }

  @Test
  void badRequestsAreRefusedWithAReason() throws Exception {
    serveBoth();
    StringBuilder tooMany = new StringBuilder("[");
    for (int i = 0; i <= QuerySettings.MAX_BATCH; i++) {
      tooMany.append(i == 0 ? "" : ",").append("\"c-").append(i).append('"');
    }
    tooMany.append(']');

    Reply over = check(a, tooMany.toString(), TOKEN);
    assertThat(over.status()).isEqualTo(413);
    assertThat(over.body().get("error").asText()).contains("at most 1000").contains("1001");
    assertThat(check(a, "{\"ids\":[]}", TOKEN).status()).isEqualTo(400);
    assertThat(check(a, "[\"c-a\", \" \"]", TOKEN).status()).isEqualTo(400);
    assertThat(check(a, "[\"c-a\", 7]", TOKEN).status()).isEqualTo(400);
    assertThat(check(a, "not json", TOKEN).status()).isEqualTo(400);
    assertThat(check(a, "[]", TOKEN).body()).isEmpty();

    Reply wrongMethod = send(HttpRequest.newBuilder(URI.create(a.url() + CHECK)).GET(), TOKEN);
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.raw().headers().firstValue("Allow")).hasValue("POST");
    API.requireValid("GET", GET, 405, wrongMethod.body());
    Reply unknownPath = send(HttpRequest.newBuilder(URI.create(a.url() + "/v1/verdicts")).GET(), TOKEN);
    assertThat(unknownPath.status()).isEqualTo(404);
    assertThat(unknownPath.body().get("error").asText()).contains("GET /v1/contacts/{contactId}");
    assertThat(PathSegment.decode("%")).as("not valid percent-encoding: 400").isNull();
    assertThat(PathSegment.decode("a+b%2Fc")).isEqualTo("a+b/c");
  }

  @Test
  void beforeTheGateServesItEveryContactIsUnavailable() throws Exception {
    Reply one = get(a, "c-a", TOKEN);
    assertThat(one.status()).isEqualTo(503);
    assertThat(one.raw().headers().firstValue("Retry-After")).hasValue("1");
    assertThat(one.body().get("mayEmail").asBoolean()).isFalse();
    Reply batch = check(a, "[\"c-a\"]", TOKEN);
    assertThat(batch.body().get(0).get("result").asText()).isEqualTo("UNAVAILABLE");
  }

  @Test
  void anAnswerDoesNotWaitForTheCallersDelayedAck() throws Exception {
    serveBoth();
    get(a, "c-a", TOKEN);
    double[] ms = new double[21];
    for (int i = 0; i < ms.length; i++) {
      long start = System.nanoTime();
      get(a, "c-a", TOKEN);
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    java.util.Arrays.sort(ms);
    // With Nagle's algorithm on, every answer took 40 ms more (the body waited for the ACK of the headers).
    assertThat(ms[ms.length / 2]).as("median of %s ms", java.util.Arrays.toString(ms)).isLessThan(30);
  }

  @Test
  void theSchemaCheckIsNotVacuous() {
    JsonNode missingMayEmail = Answer.JSON.createObjectNode().put("contactId", "c-1").put("error", "x");
    assertThat(API.errors("GET", GET, 503, missingMayEmail)).isNotEmpty();
    JsonNode allowedWhileUnknown = Answer.JSON.createArrayNode().add(Answer.JSON.createObjectNode()
        .put("contactId", "c-1").put("result", "UNKNOWN").put("mayEmail", true));
    assertThat(API.errors("POST", CHECK, 200, allowedWhileUnknown)).isNotEmpty();
    assertThat(API.errors("GET", GET, 418, missingMayEmail)).isNotEmpty();
    assertThatThrownBy(() -> API.requireValid("GET", GET, 503, missingMayEmail)).isInstanceOf(AssertionError.class);
  }

  @Test
  void settingsThatWouldServeEmailAddressesBeyondThisMachineWithoutATokenCannotBeMade() {
    assertThatThrownBy(() -> new QuerySettings("0.0.0.0", 8088, "gate-1:8088", List.of(), 1))
        .hasMessageContaining("query.tokens.file").hasMessageContaining("not a loopback address");
    assertThatThrownBy(() -> new QuerySettings("0.0.0.0", 8088, "gate-1:8088", List.of("t"), 1))
        .as("tokens, but in clear text").hasMessageContaining("query.tls.keystore").hasMessageContaining("query.insecure");
    assertThatThrownBy(() -> new QuerySettings("0.0.0.0", 8088, "gate-1:8088", List.of(), 1, null, true))
        .as("query.insecure waives TLS, never the tokens").hasMessageContaining("query.tokens.file");
    assertThat(new QuerySettings("0.0.0.0", 8088, "gate-1:8088", List.of("t"), 1, null, true).enabled()).isTrue();
    assertThatThrownBy(() -> new QuerySettings("0.0.0.0", 8088, null, List.of("t"), 1, null, true))
        .hasMessageContaining("query.advertised");
    assertThat(new QuerySettings("0.0.0.0", QuerySettings.OFF, null, List.of(), 1).enabled()).isFalse();
    assertThat(new QuerySettings("localhost", 8088, null, List.of(), 1).enabled()).isTrue();
  }
}
