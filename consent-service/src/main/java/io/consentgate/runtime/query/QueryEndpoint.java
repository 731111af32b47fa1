package io.consentgate.runtime.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.consentgate.topology.StreamsSettings;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate's query API over HTTP ({@code docs/openapi.yaml}), on the JDK's HTTP server:
 * <ul>
 *   <li>{@code GET /v1/contacts/{contactId}}: the contact's verdict and whether mail may go now;</li>
 *   <li>{@code POST /v1/contacts:check}: the same, short, for up to {@value QuerySettings#MAX_BATCH} ids.</li>
 * </ul>
 * With tokens configured every request must carry {@code Authorization: Bearer <token>} (401
 * otherwise), the calls between instances too. It listens from {@link #open} on, answering 503
 * until {@link #serve} hands it the gate, whose Kafka Streams needs the advertised address
 * ({@link #advertised()}) before it is built.
 */
public final class QueryEndpoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(QueryEndpoint.class);

  /**
   * The JDK's HTTP server writes a response's headers and body apart; with Nagle's algorithm on, the
   * body then waits for the caller's delayed ACK, 40 ms on Linux, on every answer (measured: p50
   * 44 ms instead of 0.5 ms). The server reads this property once, when the first server of the
   * process is made, so {@code ConsentGateCli.main} sets it too, before anything listens.
   */
  public static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

  static {
    noDelay();
  }

  /** Asks the JDK's HTTP servers of this process for TCP_NODELAY, unless told otherwise; call before the first one. */
  public static void noDelay() {
    if (System.getProperty(NO_DELAY_PROPERTY) == null) {
      System.setProperty(NO_DELAY_PROPERTY, "true");
    }
  }

  public static final String CONTACT_PATH = "/v1/contacts/";
  public static final String CHECK_PATH = "/v1/contacts:check";
  /** A check body holds at most {@value QuerySettings#MAX_BATCH} ids; this bounds what is read of it. */
  static final int MAX_BODY_BYTES = 1 << 20;
  private static final int THREADS = 4;

  private final QuerySettings settings;
  private final HttpServer server;
  private final ExecutorService executor;
  private final HostInfo advertised;
  private final List<byte[]> tokens;
  private volatile ContactQueries queries;

  private QueryEndpoint(QuerySettings settings, HttpServer server, ExecutorService executor, HostInfo advertised) {
    this.settings = settings;
    this.server = server;
    this.executor = executor;
    this.advertised = advertised;
    this.tokens = settings.tokens().stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /**
   * Listens on the configured address; answers 503 until {@link #serve}.
   *
   * @throws UncheckedIOException the port cannot be opened; its cause is a {@link java.net.BindException}
   *     when the port is in use
   */
  public static QueryEndpoint open(QuerySettings settings) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException("the query API is off (query.port=-1)");
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the query port " + settings.port() + " on " + settings.host() + ": "
          + e.getMessage(), e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "consent-gate-query-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    HostInfo advertised = settings.advertised() != null ? QuerySettings.parseEndpoint(settings.advertised())
        : new HostInfo(settings.host(), server.getAddress().getPort());
    QueryEndpoint endpoint = new QueryEndpoint(settings, server, executor, advertised);
    server.createContext("/", endpoint::handle);
    server.setExecutor(executor);
    server.start();
    return endpoint;
  }

  /** From now on, answers from this gate. */
  public void serve(ContactQueries queries) {
    this.queries = queries;
  }

  /** The {@code host:port} other instances call this one at: Kafka Streams' {@code application.server}. */
  public HostInfo advertised() {
    return advertised;
  }

  /** {@code host:port} as {@code application.server} takes it. */
  public String applicationServer() {
    return ContactQueries.endpoint(advertised);
  }

  /** {@code streams} advertising this endpoint as the instance's {@code application.server}. */
  public StreamsSettings advertisedIn(StreamsSettings streams) {
    return streams.withOverride(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer());
  }

  /** The port listened on (the one picked, when configured as 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The base URL on the listened address, e.g. {@code http://127.0.0.1:8088}. */
  public String url() {
    String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    return "http://" + host + ":" + port();
  }

  public QuerySettings settings() {
    return settings;
  }

  private void handle(HttpExchange exchange) {
    try {
      if (!authorized(exchange)) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"consent-gate\"");
        write(exchange, Answer.error(401, "a bearer token is required: Authorization: Bearer <token>"));
        return;
      }
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      Hop hop = Hop.of(exchange.getRequestHeaders().getFirst(Hop.HEADER));
      if (path.equals(CHECK_PATH)) {
        if (!method.equals("POST")) {
          notAllowed(exchange, "POST");
          return;
        }
        List<String> ids;
        try {
          ids = contactIds(exchange);
        } catch (BadRequest e) {
          write(exchange, Answer.error(e.status, e.getMessage()));
          return;
        }
        ContactQueries gate = queries;
        answer(exchange, gate == null ? CompletableFuture.completedFuture(starting(ids)) : gate.check(ids, hop));
      } else if (path.startsWith(CONTACT_PATH) && path.length() > CONTACT_PATH.length()) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
          notAllowed(exchange, "GET");
          return;
        }
        String contactId = decodePathSegment(path.substring(CONTACT_PATH.length()));
        if (contactId == null || contactId.isBlank()) {
          write(exchange, Answer.error(400, "the contact id in the path is blank or not valid percent-encoding"));
          return;
        }
        ContactQueries gate = queries;
        answer(exchange, gate == null ? CompletableFuture.completedFuture(ContactAnswers.unavailable(contactId, STARTING))
            : gate.contact(contactId, hop));
      } else {
        write(exchange, Answer.error(404, "no such resource: the API is GET " + CONTACT_PATH + "{contactId} and POST "
            + CHECK_PATH + " (docs/openapi.yaml)"));
      }
    } catch (RuntimeException | IOException e) {
      LOG.warn("query failed", e);
      writeQuietly(exchange, Answer.error(500, "internal error: " + e));
    }
  }

  private static final String STARTING = "the gate is starting";

  private static Answer starting(List<String> ids) {
    var array = Answer.JSON.createArrayNode();
    ids.forEach(id -> array.add(ContactAnswers.unavailableItem(id, STARTING)));
    return Answer.ok(array);
  }

  private void answer(HttpExchange exchange, CompletableFuture<Answer> pending) {
    // Completed here for local answers; on the HTTP client's threads when another instance answers.
    pending.whenComplete((answer, failure) -> {
      if (failure != null) {
        LOG.warn("query failed", failure);
        writeQuietly(exchange, Answer.error(500, "internal error: " + failure));
      } else {
        writeQuietly(exchange, answer);
      }
    });
  }

  private boolean authorized(HttpExchange exchange) {
    if (tokens.isEmpty()) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (byte[] token : tokens) {
      match |= MessageDigest.isEqual(token, given); // every token compared, in constant time each
    }
    return match;
  }

  private static void notAllowed(HttpExchange exchange, String allowed) throws IOException {
    exchange.getResponseHeaders().set("Allow", allowed);
    write(exchange, Answer.error(405, exchange.getRequestMethod() + " is not allowed here; use " + allowed));
  }

  /** A JSON array of 1 to {@value QuerySettings#MAX_BATCH} non-blank strings. */
  private static List<String> contactIds(HttpExchange exchange) throws IOException, BadRequest {
    byte[] body = readBody(exchange.getRequestBody());
    JsonNode json;
    try {
      json = Answer.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadRequest(400, "the body must be a JSON array of contact ids: " + e.getOriginalMessage());
    }
    if (json == null || !json.isArray()) {
      throw new BadRequest(400, "the body must be a JSON array of contact ids, e.g. [\"c-1\",\"c-2\"]");
    }
    if (json.size() > QuerySettings.MAX_BATCH) {
      throw new BadRequest(413, "at most " + QuerySettings.MAX_BATCH + " contact ids per request, got " + json.size()
          + "; split the list");
    }
    List<String> ids = new ArrayList<>(json.size());
    for (JsonNode id : json) {
      if (!id.isTextual() || id.asText().isBlank()) {
        throw new BadRequest(400, "every contact id must be a non-blank string; item " + ids.size() + " is " + id);
      }
      ids.add(id.asText());
    }
    return ids;
  }

  private static byte[] readBody(InputStream in) throws IOException, BadRequest {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int total = 0;
    for (int r; (r = in.read(buffer)) != -1; ) {
      total += r;
      if (total > MAX_BODY_BYTES) {
        throw new BadRequest(413, "the body is larger than " + MAX_BODY_BYTES + " bytes; at most "
            + QuerySettings.MAX_BATCH + " contact ids per request");
      }
      out.write(buffer, 0, r);
    }
    return out.toByteArray();
  }

  private static void writeQuietly(HttpExchange exchange, Answer answer) {
    try {
      write(exchange, answer);
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not send a query answer (the caller went away?)", e);
      exchange.close();
    }
  }

  private static void write(HttpExchange exchange, Answer answer) throws IOException {
    byte[] bytes = Answer.JSON.writeValueAsBytes(answer.body());
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/json");
    headers.set("Cache-Control", "no-store"); // answers hold email addresses
    if (answer.retryAfterSeconds() > 0) {
      headers.set("Retry-After", String.valueOf(answer.retryAfterSeconds()));
    }
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(answer.status(), head ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (!head) {
        out.write(bytes);
      }
    }
  }

  /** One path segment, percent-decoded as UTF-8 ({@code +} stays a plus); null when it is not valid encoding. */
  static String decodePathSegment(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** One path segment, percent-encoded as UTF-8 (spaces as {@code %20}, never {@code +}). */
  static String encodePathSegment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static final class BadRequest extends Exception {
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
