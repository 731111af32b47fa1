package io.consentgate.runtime.http;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How a server words an error, for its own refusals and for those Jetty makes before a handler
 * runs (a malformed request line, headers over the limit, a server stopping): the body and its
 * media type, from the status and a message that is safe to show, never an exception's name.
 */
public interface ErrorBody {

  String contentType();

  byte[] body(int status, String message);

  /** {@code {"error": message}}: the query API's error shape (docs/openapi.yaml, {@code Error}). */
  static ErrorBody json() {
    ObjectMapper json = new ObjectMapper();
    return new ErrorBody() {
      @Override
      public String contentType() {
        return "application/json";
      }

      @Override
      public byte[] body(int status, String message) {
        return json.createObjectNode().put("error", message).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
    };
  }
}
