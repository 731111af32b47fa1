package io.consentgate.runtime.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One HTTP answer of the query API: status, JSON body, and for a 503 how many seconds to wait
 * before asking again ({@code Retry-After}; 0: no header).
 */
public record Answer(int status, JsonNode body, int retryAfterSeconds) {

  static final ObjectMapper JSON = new ObjectMapper();
  /** What a 503 asks a caller to wait: the store is restoring or the group rebalancing, usually for seconds. */
  static final int RETRY_AFTER_SECONDS = 1;

  static Answer ok(JsonNode body) {
    return new Answer(200, body, 0);
  }

  /** An error answer: {@code {"error": message}}, plus {@code "mayEmail": false} where a contact was asked about. */
  static Answer error(int status, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", message);
    return new Answer(status, body, status == 503 ? RETRY_AFTER_SECONDS : 0);
  }
}
