package io.consentgate.runtime.query;

import static io.consentgate.runtime.query.Consents.contact;
import static io.consentgate.runtime.query.Consents.evidence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.runtime.http.TestCertificates;
import io.consentgate.runtime.query.StateLookup.Copy;
import io.consentgate.runtime.query.StateLookup.Found;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query API over HTTPS: callers with and without a token, and instances calling each other over TLS. */
class QueryTlsTest {

  private static final String PASSWORD = "changeit-123";
  private static final String TOKEN = "tls-token";

  @TempDir
  static Path dir;
  private static Path shared;
  private static Path keysA;
  private static Path keysB;

  private final Consents consents = new Consents().apply(contact("c-a", "2024-03-01T08:00:00Z"),
      evidence("ev-a", "c-a", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"),
      contact("c-b", "2024-03-01T08:00:00Z"), evidence("ev-b", "c-b", EvidenceKind.CHECKBOX_OPT_IN, "2024-03-02T08:00:00Z"));
  private final List<QueryEndpoint> endpoints = new ArrayList<>();

  @BeforeAll
  static void certificates() throws Exception {
    shared = TestCertificates.keystore(dir, "gate", PASSWORD);
    keysA = TestCertificates.keystore(dir, "gate-a", PASSWORD);
    keysB = TestCertificates.keystore(dir, "gate-b", PASSWORD);
  }

  @AfterEach
  void stop() {
    endpoints.forEach(QueryEndpoint::close);
  }

  /** Two instances, each owning one contact and asking the other for the other one. */
  private List<QueryEndpoint> pair(QueryTls tlsA, QueryTls tlsB) {
    QueryEndpoint a = QueryEndpoint.open(new QuerySettings("127.0.0.1", 0, null, List.of(TOKEN), 1).withTls(tlsA));
    QueryEndpoint b = QueryEndpoint.open(new QuerySettings("127.0.0.1", 0, null, List.of(TOKEN), 1).withTls(tlsB));
    endpoints.add(a);
    endpoints.add(b);
    for (QueryEndpoint e : List.of(a, b)) {
      FakeLookup lookup = new FakeLookup().own("c-a", a.advertised()).own("c-b", b.advertised());
      String own = e == a ? "c-a" : "c-b";
      lookup.active.put(own, new Found(consents.store.get(own), Copy.ACTIVE));
      e.serve(new ContactQueries(lookup, new ContactAnswers(Consents.POLICY, Consents.EPOCH, io.consentgate.topology.CatchUp.LIVE, Clock.systemUTC(), 1,
          e.applicationServer()), new HttpPeers(e.settings()), e.advertised()));
    }
    return List.of(a, b);
  }

  private static HttpResponse<String> get(SSLContext trust, String url, String token) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trust).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return Answer.JSON.readTree(response.body());
  }

  @Test
  void overTlsACallerWithATokenIsAnsweredAndOneWithoutIsRefused() throws Exception {
    QueryTls tls = QueryTls.load(shared, PASSWORD, null, null);
    QueryEndpoint a = pair(tls, tls).get(0);
    assertThat(a.url()).startsWith("https://127.0.0.1:");

    HttpResponse<String> withToken = get(tls.clientContext(), a.url() + "/v1/contacts/c-a", TOKEN);
    HttpResponse<String> forwarded = get(tls.clientContext(), a.url() + "/v1/contacts/c-b", TOKEN);
    HttpResponse<String> without = get(tls.clientContext(), a.url() + "/v1/contacts/c-a", null);

    assertThat(withToken.statusCode()).isEqualTo(200);
    assertThat(json(withToken).get("mayEmail").asBoolean()).isTrue();
    assertThat(forwarded.statusCode()).as("the owner, called over TLS: " + forwarded.body()).isEqualTo(200);
    assertThat(json(forwarded).get("servedBy").asText()).isEqualTo(endpoints.get(1).applicationServer());
    assertThat(without.statusCode()).isEqualTo(401);
    assertThat(without.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
    assertThat(json(without).get("error").asText()).contains("bearer token");
  }

  @Test
  void plainHttpAndAnUntrustedCertificateGetNoAnswer() throws Exception {
    QueryTls tls = QueryTls.load(shared, PASSWORD, null, null);
    QueryEndpoint a = pair(tls, tls).get(0);
    HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create(a.url().replace("https:", "http:")
        + "/v1/contacts/c-a")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()))
        .as("no answer in clear text").isInstanceOf(IOException.class);
    SSLContext otherTrust = QueryTls.load(keysA, PASSWORD, null, null).clientContext();
    assertThatThrownBy(() -> get(otherTrust, a.url() + "/v1/contacts/c-a", TOKEN)).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void instancesWithACertificateEachForwardOnlyWithATruststoreThatHoldsTheOthers() throws Exception {
    Path trust = TestCertificates.truststore(dir, PASSWORD, PASSWORD, keysA, keysB);
    QueryTls tlsA = QueryTls.load(keysA, PASSWORD, trust, PASSWORD);
    QueryTls tlsB = QueryTls.load(keysB, PASSWORD, trust, PASSWORD);
    QueryEndpoint a = pair(tlsA, tlsB).get(0);

    HttpResponse<String> forwarded = get(tlsA.clientContext(), a.url() + "/v1/contacts/c-b", TOKEN);
    assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
    assertThat(json(forwarded).get("mayEmail").asBoolean()).isTrue();

    endpoints.forEach(QueryEndpoint::close);
    endpoints.clear();
    QueryTls ownOnly = QueryTls.load(keysA, PASSWORD, null, null);
    QueryEndpoint lone = pair(ownOnly, QueryTls.load(keysB, PASSWORD, null, null)).get(0);
    HttpResponse<String> untrusted = get(ownOnly.clientContext(), lone.url() + "/v1/contacts/c-b", TOKEN);
    assertThat(untrusted.statusCode()).as("the other instance's certificate is not trusted: no answer, no mail")
        .isEqualTo(503);
    assertThat(json(untrusted).get("mayEmail").asBoolean()).isFalse();
  }

  @Test
  void aKeystoreThatCannotBeUsedIsAConfigurationErrorNamingTheKey() {
    assertThatThrownBy(() -> QueryTls.load(shared, "wrong", null, null))
        .hasMessageContaining("query.tls.keystore").hasMessageContaining("password");
    assertThatThrownBy(() -> QueryTls.load(dir.resolve("missing.p12"), PASSWORD, null, null))
        .hasMessageContaining("query.tls.keystore").hasMessageContaining("is not a file");
    assertThatThrownBy(() -> QueryTls.load(shared, null, null, null)).hasMessageContaining("query.tls.keystore.password");
  }
}
