package io.consentgate.runtime.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Calls other instances with the JDK's HTTP client, asynchronously: a request thread never waits
 * for a peer, so two instances forwarding to each other under load cannot starve each other's
 * request threads. Sends this instance's own token ({@link QuerySettings#ownToken()}), over TLS
 * when this instance serves TLS ({@link QuerySettings#tls()}), trusting what its settings trust and
 * checking each peer's certificate against the host it is advertised at.
 */
public final class HttpPeers implements Peers {

  /** How long a peer may take to accept a connection before it counts as unreachable. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** How long a peer may take to answer before it counts as unreachable. */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient client;
  private final String token;
  private final String scheme;

  /** Calls the other instances as {@code settings} say this one is called: its scheme, its token. */
  public HttpPeers(QuerySettings settings) {
    this.token = settings.ownToken();
    this.scheme = settings.scheme();
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT);
    if (settings.tls() != null) {
      builder.sslContext(settings.tls().clientContext());
    }
    this.client = builder.build();
  }

  @Override
  public CompletableFuture<Answer> contact(HostInfo peer, String contactId, Hop hop) {
    HttpRequest request = request(peer, "/v1/contacts/" + PathSegment.encode(contactId), hop).GET().build();
    return send(request);
  }

  @Override
  public CompletableFuture<Answer> check(HostInfo peer, List<String> contactIds, Hop hop) {
    String body;
    try {
      body = Answer.JSON.writeValueAsString(contactIds);
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(e);
    }
    HttpRequest request = request(peer, QueryEndpoint.CHECK_PATH, hop)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return send(request);
  }

  private HttpRequest.Builder request(HostInfo peer, String path, Hop hop) {
    String host = peer.host().contains(":") ? "[" + peer.host() + "]" : peer.host();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://" + host + ":" + peer.port() + path))
        .timeout(ANSWER_TIMEOUT)
        .header(Hop.HEADER, hop.header())
        .header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private CompletableFuture<Answer> send(HttpRequest request) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
      JsonNode body;
      try {
        body = Answer.JSON.readTree(response.body());
      } catch (IOException e) {
        throw new CompletionException(new IOException("the peer's answer is not JSON (HTTP " + response.statusCode() + ")", e));
      }
      int retryAfter = response.headers().firstValue("Retry-After").map(HttpPeers::seconds).orElse(0);
      return new Answer(response.statusCode(), body, retryAfter);
    });
  }

  private static int seconds(String header) {
    try {
      return Integer.parseInt(header.trim());
    } catch (NumberFormatException e) {
      return Answer.RETRY_AFTER_SECONDS;
    }
  }
}
