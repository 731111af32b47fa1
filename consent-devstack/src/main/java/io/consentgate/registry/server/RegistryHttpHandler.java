package io.consentgate.registry.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.consentgate.runtime.http.ErrorBody;
import io.consentgate.runtime.http.HttpLimits;
import io.consentgate.runtime.http.Replies;
import io.consentgate.runtime.http.RequestBody;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's HTTP surface as Confluent's clients expect it: basic authentication when asked
 * for, the path split into decoded segments for {@link RegistryEndpoints}, Confluent's media type
 * (or plain JSON for clients that accept only that), and every error as Confluent words it,
 * {@code {"error_code": ..., "message": ...}}.
 */
final class RegistryHttpHandler extends Handler.Abstract {

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String PLAIN_JSON = "application/json";
  private static final Logger log = LoggerFactory.getLogger(RegistryHttpHandler.class);

  /** Confluent's error shape; for Jetty's own refusals too (a malformed URI, headers too large). */
  static final ErrorBody ERRORS = new ErrorBody() {
    private final ObjectMapper json = new ObjectMapper();

    @Override
    public String contentType() {
      return CONTENT_TYPE;
    }

    @Override
    public byte[] body(int status, String message) {
      return json.createObjectNode().put("error_code", status).put("message", message).toString()
          .getBytes(StandardCharsets.UTF_8);
    }
  };

  private final RegistryEndpoints endpoints;
  private final String expectedAuthorization;
  private final HttpLimits limits;
  private final AtomicLong requests = new AtomicLong();
  private final ObjectMapper json = new ObjectMapper();

  /** @param expectedAuthorization the whole {@code Authorization} header every request must carry, or null */
  RegistryHttpHandler(RegistryEndpoints endpoints, String expectedAuthorization, HttpLimits limits) {
    this.endpoints = endpoints;
    this.expectedAuthorization = expectedAuthorization;
    this.limits = limits;
  }

  long requestCount() {
    return requests.get();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    requests.incrementAndGet();
    RequestBody.read(request, response, callback, limits, ERRORS, body -> {
      int status = answer(request, response, callback, body);
      log.debug("{} {} -> {}", request.getMethod(), request.getHttpURI().getPath(), status);
    });
    return true;
  }

  private int answer(Request request, Response response, Callback callback, byte[] body) {
    String method = request.getMethod();
    String path = request.getHttpURI().getPath();
    try {
      if (expectedAuthorization != null && !authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"SchemaRegistry\"");
        throw RegistryException.unauthorized();
      }
      RegistryEndpoints.Match match = endpoints.match(segments(path)).orElseThrow(RegistryException::notFound);
      if (!match.methods().contains(method)) {
        response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", match.methods()));
        throw RegistryException.methodNotAllowed();
      }
      String answer = match.answer(method, query(request.getHttpURI().getQuery()), body);
      Replies.send(request, response, callback, 200, contentType(request.getHeaders().get(HttpHeader.ACCEPT)),
          answer.getBytes(StandardCharsets.UTF_8));
      return 200;
    } catch (RegistryException e) {
      Replies.send(request, response, callback, e.status(), CONTENT_TYPE, error(e.errorCode(), e.getMessage()));
      return e.status();
    } catch (RuntimeException e) {
      log.error("Schema registry failed on {} {}", method, path, e);
      Replies.send(request, response, callback, 500, CONTENT_TYPE, error(500, "Internal Server Error: " + e.getMessage()));
      return 500;
    }
  }

  private byte[] error(int errorCode, String message) {
    return json.createObjectNode().put("error_code", errorCode).put("message", message).toString()
        .getBytes(StandardCharsets.UTF_8);
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
