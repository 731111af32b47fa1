package io.consentgate.registry.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry that speaks Confluent's REST API, so Confluent's serializers and
 * deserializers in Java, JavaScript, Python and Go work against it. AVRO schemas only. The state
 * lives in memory and every change goes through the {@link RegistryStorage} given, which the
 * server replays at start; the caller owns the storage and closes it.
 *
 * <p>One instance per storage: ids and version numbers are handed out by this process alone.
 */
public final class SchemaRegistryServer implements AutoCloseable {

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String PLAIN_JSON = "application/json";
  private static final int THREADS = 8;

  private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);

  static {
    // The JDK server writes a response's headers and its body in two packets; with Nagle's
    // algorithm on, the body waits for the client's delayed ACK, about 40 ms a request. The JDK
    // reads this property once, when its first server starts; a value set by the user wins.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer http;
  private final ExecutorService executor;
  private final RegistryEndpoints endpoints;
  private final String expectedAuthorization;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong requests = new AtomicLong();
  private final String url;

  /** A server open to everyone on {@code host:port} (port 0: a free one). */
  public SchemaRegistryServer(String host, int port, RegistryStorage storage) {
    this(host, port, storage, null);
  }

  /**
   * @param requiredUserInfo "user:password" that every request must present as HTTP basic
   *     authentication (401 otherwise), or null to require none
   */
  public SchemaRegistryServer(String host, int port, RegistryStorage storage, String requiredUserInfo) {
    this.endpoints = new RegistryEndpoints(new Registry(storage));
    this.expectedAuthorization = requiredUserInfo == null ? null
        : "Basic " + Base64.getEncoder().encodeToString(requiredUserInfo.getBytes(StandardCharsets.UTF_8));
    try {
      this.http = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + " for the schema registry", e);
    }
    AtomicInteger threadNumber = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(THREADS, task -> {
      Thread thread = new Thread(task, "schema-registry-http-" + threadNumber.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    http.setExecutor(executor);
    http.createContext("/", this::exchange);
    http.start();
    String printableHost = host.contains(":") ? "[" + host + "]" : host;
    this.url = "http://" + printableHost + ":" + http.getAddress().getPort();
    log.info("Schema registry listening on {}{}", url, requiredUserInfo == null ? "" : " (basic authentication required)");
  }

  /** The base URL clients use, e.g. {@code http://127.0.0.1:8081}. */
  public String url() {
    return url;
  }

  /** How many HTTP requests the server has answered, errors included. */
  public long requestCount() {
    return requests.get();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Schema registry on {} stopped", url);
  }

  private void exchange(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    int status;
    try {
      byte[] body = readBody(exchange.getRequestBody());
      status = answer(exchange, method, path, body);
    } catch (RuntimeException e) {
      log.error("Schema registry failed on {} {}", method, path, e);
      status = send(exchange, 500, error(500, "Internal Server Error: " + e.getMessage()));
    } finally {
      exchange.close();
    }
    log.debug("{} {} -> {}", method, path, status);
  }

  private int answer(HttpExchange exchange, String method, String rawPath, byte[] body) throws IOException {
    try {
      if (expectedAuthorization != null && !authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"SchemaRegistry\"");
        throw RegistryException.unauthorized();
      }
      RegistryEndpoints.Match match = endpoints.match(segments(rawPath)).orElseThrow(RegistryException::notFound);
      if (!match.methods().contains(method)) {
        exchange.getResponseHeaders().set("Allow", String.join(", ", match.methods()));
        throw RegistryException.methodNotAllowed();
      }
      String answer = match.answer(method, query(exchange.getRequestURI().getRawQuery()), body);
      exchange.getResponseHeaders().set("Content-Type", contentType(exchange.getRequestHeaders().getFirst("Accept")));
      return send(exchange, 200, answer);
    } catch (RegistryException e) {
      return send(exchange, e);
    }
  }

  /** Compares in constant time, so the answer's timing does not reveal how much of a guess was right. */
  private boolean authorized(String authorization) {
    return authorization != null && MessageDigest.isEqual(authorization.getBytes(StandardCharsets.UTF_8),
        expectedAuthorization.getBytes(StandardCharsets.UTF_8));
  }

  /** Confluent answers in its own media type unless the client asks for plain JSON only. */
  private static String contentType(String accept) {
    if (accept != null && accept.contains(PLAIN_JSON) && !accept.contains("application/vnd.schemaregistry")) {
      return PLAIN_JSON;
    }
    return CONTENT_TYPE;
  }

  private int send(HttpExchange exchange, RegistryException e) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    return send(exchange, e.status(), error(e.errorCode(), e.getMessage()));
  }

  private String error(int errorCode, String message) {
    return json.createObjectNode().put("error_code", errorCode).put("message", message).toString();
  }

  private static int send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    exchange.getResponseBody().write(bytes);
    return status;
  }

  private static byte[] readBody(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the request body", e);
    }
  }

  /** Splits before decoding, so a subject with an encoded slash (%2F) stays one segment. */
  private static List<String> segments(String rawPath) {
    String trimmed = rawPath.replaceAll("^/+|/+$", "");
    List<String> segments = new ArrayList<>();
    if (!trimmed.isEmpty()) {
      for (String segment : trimmed.split("/", -1)) {
        segments.add(decode(segment));
      }
    }
    return segments;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> query = new LinkedHashMap<>();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        } else if (!pair.isEmpty()) {
          query.put(decode(pair), "");
        }
      }
    }
    return query;
  }

  /** Percent-decoding only: in a path a + is a plus, not a space. */
  private static String decode(String text) {
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw RegistryException.malformedRequest("Malformed percent-encoding in '" + text + "'");
    }
  }
}
