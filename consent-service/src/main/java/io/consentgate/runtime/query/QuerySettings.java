package io.consentgate.runtime.query;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The query API of one gate instance: where it listens, the address other instances call it at,
 * who may ask, and how far behind a standby may be and still let mail through.
 *
 * <p>The answers hold email addresses and the callers' tokens travel in headers, so an instance
 * listens beyond its own machine only with bearer tokens and TLS: settings that would serve a
 * non-loopback address without tokens, or without TLS unless {@code insecure} says something else
 * encrypts the traffic, cannot be made.
 *
 * @param host the address to listen on ({@value #DEFAULT_HOST} by default; {@code 0.0.0.0} every interface)
 * @param port the port; 0 any free one, {@value #OFF} no query API
 * @param advertised {@code host:port} other instances call this one at (Kafka Streams'
 *     {@code application.server}); null: {@code host} and the port listened on, which needs a
 *     {@code host} other machines can reach, so a wildcard {@code host} needs it set
 * @param tokens the bearer tokens a caller may present, the first also sent on calls to other
 *     instances; empty: no token asked (loopback only)
 * @param standbyMaxLag the most offsets a standby's copy may be behind its changelog and still
 *     answer {@code "mayEmail": true}; at least 1 (the key's definition checks it), since under
 *     exactly-once a caught-up standby reports a lag of 1 (the commit marker)
 * @param tls the certificate to serve HTTPS with and what to trust when calling the other
 *     instances, or null for plain HTTP; every instance of one gate must agree
 * @param insecure {@code query.insecure}: plain HTTP beyond loopback is meant (something else, a
 *     service mesh or a proxy on the same host, encrypts the traffic); tokens are still required
 */
public record QuerySettings(String host, int port, String advertised, List<String> tokens, long standbyMaxLag,
                            QueryTls tls, boolean insecure) {

  public static final int OFF = -1;
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final long DEFAULT_STANDBY_MAX_LAG = 1;
  /** The most contact ids one {@code POST /v1/contacts:check} may carry (docs/openapi.yaml). */
  public static final int MAX_BATCH = 1000;

  public QuerySettings {
    Objects.requireNonNull(host, "host");
    tokens = List.copyOf(tokens);
    // query.port and query.standby.max-lag alone are checked where they are defined (the configuration's
    // definitions); what is checked here depends on several settings together.
    for (String token : tokens) {
      if (token.isBlank() || token.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("query.tokens.file: a bearer token must be one word without spaces");
      }
    }
    if (port != OFF) {
      InetAddress address = resolve(host);
      if (!address.isLoopbackAddress() && tokens.isEmpty()) {
        throw new IllegalArgumentException("query.host=" + host + " is not a loopback address and no query.tokens.file "
            + "is set: the query API's answers hold email addresses, so it serves them beyond this machine only to "
            + "callers with a bearer token. Set query.tokens.file=FILE (one token a line), or query.host=127.0.0.1");
      }
      if (!address.isLoopbackAddress() && tls == null && !insecure) {
        throw new IllegalArgumentException("query.host=" + host + " is not a loopback address and no "
            + QueryTls.KEYSTORE + " is set: bearer tokens and email addresses would cross the network in clear text. "
            + "Set " + QueryTls.KEYSTORE + "=FILE.p12 and " + QueryTls.KEYSTORE_PASSWORD + ", or query.insecure=true "
            + "if something else encrypts the traffic (a service mesh, a TLS proxy on this host), or query.host=127.0.0.1");
      }
      if (advertised == null && address.isAnyLocalAddress()) {
        throw new IllegalArgumentException("query.host=" + host + " listens on every interface, which other instances "
            + "cannot call: set query.advertised to the host:port they reach this one at");
      }
      if (advertised != null) {
        parseEndpoint(advertised);
      }
    }
  }

  /** Plain HTTP, which these settings allow on loopback only. */
  public QuerySettings(String host, int port, String advertised, List<String> tokens, long standbyMaxLag) {
    this(host, port, advertised, tokens, standbyMaxLag, null, false);
  }

  /** The same settings, served over TLS. */
  public QuerySettings withTls(QueryTls tls) {
    return new QuerySettings(host, port, advertised, tokens, standbyMaxLag, tls, insecure);
  }

  public static QuerySettings off() {
    return new QuerySettings(DEFAULT_HOST, OFF, null, List.of(), DEFAULT_STANDBY_MAX_LAG);
  }

  /** On {@code 127.0.0.1}, without tokens. */
  public static QuerySettings loopback(int port) {
    return new QuerySettings(DEFAULT_HOST, port, null, List.of(), DEFAULT_STANDBY_MAX_LAG);
  }

  public boolean enabled() {
    return port != OFF;
  }

  /** {@code https} with TLS, else {@code http}: how this instance and the others are called. */
  public String scheme() {
    return tls == null ? "http" : "https";
  }

  /** The token this instance presents to the others, or null when none is configured. */
  public String ownToken() {
    return tokens.isEmpty() ? null : tokens.get(0);
  }

  /** {@code host:port} as a Kafka Streams host; the port must be a number. */
  public static HostInfo parseEndpoint(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    if (colon <= 0 || colon == endpoint.length() - 1) {
      throw new IllegalArgumentException("query.advertised must be host:port, got '" + endpoint + "'");
    }
    String host = endpoint.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(endpoint.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("query.advertised must be host:port, got '" + endpoint + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("query.advertised must be host:port with a port from 1 to 65535, got '"
          + endpoint + "'");
    }
    return new HostInfo(host, port);
  }

  private static InetAddress resolve(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("query.host: cannot resolve '" + host + "'");
    }
  }
}
