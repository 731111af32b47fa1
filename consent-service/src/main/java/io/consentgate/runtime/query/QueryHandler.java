package io.consentgate.runtime.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.consentgate.runtime.http.ErrorBody;
import io.consentgate.runtime.http.HttpLimits;
import io.consentgate.runtime.http.Replies;
import io.consentgate.runtime.http.RequestBody;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API's HTTP surface (docs/openapi.yaml): who may ask, which operation a request is, its
 * contact id or its list of ids, checked as the API says; the answers themselves come from
 * {@link ContactQueries}. Every refusal is JSON in the API's error shape.
 */
final class QueryHandler extends Handler.Abstract {

  private static final Logger LOG = LoggerFactory.getLogger(QueryHandler.class);

  static final String STARTING = "the gate is starting";
  private static final ErrorBody ERRORS = ErrorBody.json();
  /** Anything after the array (a second array, stray text) makes the body malformed, not ignored. */
  private static final ObjectReader STRICT_JSON = Answer.JSON.readerFor(JsonNode.class)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final List<byte[]> tokens;
  private final HttpLimits limits;
  private final Supplier<ContactQueries> queries;

  /** @param queries the gate's answers, or null while it is starting */
  QueryHandler(List<String> tokens, HttpLimits limits, Supplier<ContactQueries> queries) {
    this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    this.limits = limits;
    this.queries = queries;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    try {
      route(request, response, callback);
    } catch (RuntimeException e) {
      fail(request, response, callback, e);
    }
    return true;
  }

  private void route(Request request, Response response, Callback callback) {
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store"); // answers hold email addresses
    if (!authorized(request)) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"consent-gate\"");
      write(request, response, callback, Answer.error(401, "a bearer token is required: Authorization: Bearer <token>"));
      return;
    }
    String path = request.getHttpURI().getPath();
    String method = request.getMethod();
    Hop hop = Hop.of(request.getHeaders().get(Hop.HEADER));
    if (path.equals(QueryEndpoint.CHECK_PATH)) {
      if (!method.equals("POST")) {
        notAllowed(request, response, callback, "POST");
        return;
      }
      String unsupported = unsupportedMediaType(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
      if (unsupported != null) {
        write(request, response, callback, Answer.error(415, unsupported));
        return;
      }
      RequestBody.read(request, response, callback, limits, ERRORS, body -> {
        List<String> ids;
        try {
          ids = contactIds(body);
        } catch (BadRequest e) {
          write(request, response, callback, Answer.error(e.status, e.getMessage()));
          return;
        }
        ContactQueries gate = queries.get();
        answer(request, response, callback, gate == null ? CompletableFuture.completedFuture(starting(ids))
            : gate.check(ids, hop));
      });
    } else if (path.startsWith(QueryEndpoint.CONTACT_PATH) && path.length() > QueryEndpoint.CONTACT_PATH.length()) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        notAllowed(request, response, callback, "GET");
        return;
      }
      String contactId = PathSegment.decode(path.substring(QueryEndpoint.CONTACT_PATH.length()));
      if (contactId == null || contactId.isBlank()) {
        write(request, response, callback, Answer.error(400, "the contact id in the path is blank, not valid "
            + "percent-encoding or not UTF-8"));
        return;
      }
      ContactQueries gate = queries.get();
      answer(request, response, callback, gate == null
          ? CompletableFuture.completedFuture(ContactAnswers.unavailable(contactId, STARTING))
          : gate.contact(contactId, hop));
    } else {
      write(request, response, callback, Answer.error(404, "no such resource: the API is GET " + QueryEndpoint.CONTACT_PATH
          + "{contactId} and POST " + QueryEndpoint.CHECK_PATH + " (docs/openapi.yaml)"));
    }
  }

  private static Answer starting(List<String> ids) {
    var array = Answer.JSON.createArrayNode();
    ids.forEach(id -> array.add(ContactAnswers.unavailableItem(id, STARTING)));
    return Answer.ok(array);
  }

  private static void answer(Request request, Response response, Callback callback, CompletableFuture<Answer> pending) {
    // Completed here for local answers; on the HTTP client's threads when another instance answers.
    pending.whenComplete((answer, failure) -> {
      if (failure != null) {
        fail(request, response, callback, failure);
      } else {
        write(request, response, callback, answer);
      }
    });
  }

  /** A bug: logged with its detail, answered without it (an exception's text names classes). */
  private static void fail(Request request, Response response, Callback callback, Throwable failure) {
    LOG.warn("query failed", failure);
    try {
      write(request, response, callback, Answer.error(500, "internal error; the gate's log has the details"));
    } catch (RuntimeException e) {
      callback.failed(failure); // the answer had begun: Jetty closes the connection
    }
  }

  private boolean authorized(Request request) {
    if (tokens.isEmpty()) {
      return true;
    }
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
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

  private static void notAllowed(Request request, Response response, Callback callback, String allowed) {
    response.getHeaders().put(HttpHeader.ALLOW, allowed);
    write(request, response, callback, Answer.error(405, request.getMethod() + " is not allowed here; use " + allowed));
  }

  /** Null when the body is declared JSON in UTF-8 (the charset may be left out), else why not. */
  static String unsupportedMediaType(String contentType) {
    String why = "the body must be JSON: Content-Type: application/json";
    if (contentType == null) {
      return why + " (none was given)";
    }
    String[] parts = contentType.split(";");
    if (!parts[0].strip().equalsIgnoreCase("application/json")) {
      return why + ", not " + parts[0].strip();
    }
    for (int i = 1; i < parts.length; i++) {
      String[] param = parts[i].split("=", 2);
      if (param[0].strip().equalsIgnoreCase("charset") && param.length == 2
          && !param[1].strip().replace("\"", "").equalsIgnoreCase("utf-8")) {
        return why + " in UTF-8, not " + param[1].strip();
      }
    }
    return null;
  }

  /** A JSON array of 1 to {@value QuerySettings#MAX_BATCH} non-blank strings, and nothing after it. */
  private static List<String> contactIds(byte[] body) throws BadRequest {
    JsonNode json;
    try {
      json = STRICT_JSON.readValue(body);
    } catch (JsonProcessingException e) {
      throw new BadRequest(400, "the body must be a JSON array of contact ids, and nothing after it: "
          + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new BadRequest(400, "the body must be a JSON array of contact ids");
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

  private static void write(Request request, Response response, Callback callback, Answer answer) {
    byte[] bytes;
    try {
      bytes = Answer.JSON.writeValueAsBytes(answer.body());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an answer that is not JSON", e);
    }
    if (answer.retryAfterSeconds() > 0) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(answer.retryAfterSeconds()));
    }
    Replies.send(request, response, callback, answer.status(), "application/json", bytes);
  }

  private static final class BadRequest extends Exception {
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }
  }
}
