package io.consentgate.app;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.Decision;
import io.consentgate.replay.OfflineReplay;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The offline replay of a history, as the reference the live gate is compared with. */
record CliRunHistory(List<ConsentVerdict> verdicts) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static CliRunHistory replay(String history) throws Exception {
    StringWriter out = new StringWriter();
    new OfflineReplay(GateConfig.load(null, Map.of()).topologySettings(false))
        .run(new BufferedReader(new StringReader(history)), null, new PrintWriter(out), new PrintWriter(new StringWriter()));
    return new CliRunHistory(out.toString().lines().map(CliRunHistory::parse).toList());
  }

  /** Verdict lines, as replay prints them. */
  static List<ConsentVerdict> parse(String lines, boolean many) {
    return lines.lines().map(CliRunHistory::parse).toList();
  }

  private static ConsentVerdict parse(String line) {
    try {
      JsonNode v = JSON.readTree(line);
      return ConsentVerdict.newBuilder()
          .setContactId(v.get("contactId").asText()).setBrandId(v.get("brandId").asText()).setEmail(v.get("email").asText())
          .setDecision(Decision.valueOf(v.get("decision").asText())).setStatus(ConsentStatus.valueOf(v.get("status").asText()))
          .setOneToOneAllowed(v.get("oneToOneAllowed").asBoolean())
          .setValidUntil(v.has("validUntil") ? Instant.parse(v.get("validUntil").asText()) : null)
          .setReasons(List.of()).setEvidenceIds(List.of()).setRecommendations(List.of())
          .setDecidedAt(Instant.parse(v.get("decidedAt").asText())).setPolicy(v.get("policy").asText())
          .setVersion(v.get("version").asLong()).setEpoch(v.path("epoch").asLong(0)).build();
    } catch (Exception e) {
      throw new AssertionError("not a verdict line: " + line, e);
    }
  }
}
