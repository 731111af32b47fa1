package io.consentgate.history;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.events.EvidenceKind;
import io.consentgate.events.Proof;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON-lines history format of events.md: one object a line with a {@code type} field,
 * ISO-8601 UTC instants, enum symbols as strings, absent optional fields left out.
 *
 * <p>Reading is strict: an unknown field, a missing required field, a wrong type, an unknown
 * symbol or an unparseable instant makes the line malformed. A misspelt {@code proof} would
 * otherwise silently turn a verifiable grant into an ignored one.
 */
public final class HistoryJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private static final Set<String> CONTACT_FIELDS = Set.of("type", "contactId", "brandId", "email", "source", "createdAt");
  private static final Set<String> EVIDENCE_FIELDS =
      Set.of("type", "evidenceId", "contactId", "brandId", "kind", "occurredAt", "proof");
  private static final Set<String> PROOF_FIELDS = Set.of("reference", "url", "ipAddress", "userAgent", "capturedText");

  private HistoryJson() {}

  /** Parses one line into a ContactCreated or a ConsentEvidence. */
  public static SpecificRecord read(String line) throws MalformedRecordException {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new MalformedRecordException("not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new MalformedRecordException("not a JSON object");
    }
    String type = text(node, "type");
    return switch (type) {
      case "contact" -> readContact(node);
      case "evidence" -> readEvidence(node);
      default -> throw new MalformedRecordException("unknown type '" + type + "' (expected contact or evidence)");
    };
  }

  private static ContactCreated readContact(JsonNode node) throws MalformedRecordException {
    onlyKnownFields(node, CONTACT_FIELDS, "contact");
    return ContactCreated.newBuilder()
        .setContactId(text(node, "contactId"))
        .setBrandId(text(node, "brandId"))
        .setEmail(text(node, "email"))
        .setSource(symbol(node, "source", ContactSource.class))
        .setCreatedAt(instant(node, "createdAt"))
        .build();
  }

  private static ConsentEvidence readEvidence(JsonNode node) throws MalformedRecordException {
    onlyKnownFields(node, EVIDENCE_FIELDS, "evidence");
    ConsentEvidence.Builder evidence = ConsentEvidence.newBuilder()
        .setEvidenceId(text(node, "evidenceId"))
        .setContactId(text(node, "contactId"))
        .setBrandId(text(node, "brandId"))
        .setKind(symbol(node, "kind", EvidenceKind.class))
        .setOccurredAt(instant(node, "occurredAt"))
        .setProof(null);
    JsonNode proof = node.get("proof");
    if (proof != null && !proof.isNull()) {
      if (!proof.isObject()) {
        throw new MalformedRecordException("field 'proof' must be an object");
      }
      onlyKnownFields(proof, PROOF_FIELDS, "proof");
      evidence.setProof(Proof.newBuilder()
          .setReference(text(proof, "reference"))
          .setUrl(optionalText(proof, "url"))
          .setIpAddress(optionalText(proof, "ipAddress"))
          .setUserAgent(optionalText(proof, "userAgent"))
          .setCapturedText(optionalText(proof, "capturedText"))
          .build());
    }
    return evidence.build();
  }

  private static void onlyKnownFields(JsonNode node, Set<String> known, String what) throws MalformedRecordException {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new MalformedRecordException("unknown field '" + name + "' in " + what);
      }
    }
  }

  private static String text(JsonNode node, String field) throws MalformedRecordException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new MalformedRecordException("missing field '" + field + "'");
    }
    if (value.getNodeType() != JsonNodeType.STRING) {
      throw new MalformedRecordException("field '" + field + "' must be a string");
    }
    return value.textValue();
  }

  private static String optionalText(JsonNode node, String field) throws MalformedRecordException {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : text(node, field);
  }

  private static <E extends Enum<E>> E symbol(JsonNode node, String field, Class<E> type) throws MalformedRecordException {
    String value = text(node, field);
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException e) {
      throw new MalformedRecordException("field '" + field + "' has unknown symbol '" + value + "' (known: "
          + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()) + ")");
    }
  }

  private static Instant instant(JsonNode node, String field) throws MalformedRecordException {
    String value = text(node, field);
    Instant parsed;
    try {
      parsed = IsoInstants.parse(value);
    } catch (DateTimeParseException e) {
      throw new MalformedRecordException("field '" + field + "' is not an ISO-8601 UTC instant: '" + value + "'");
    }
    try {
      // Event times are timestamp-millis on the wire; reading at that precision makes a replayed
      // line decide exactly as the same record read from Kafka.
      return Instant.ofEpochMilli(parsed.toEpochMilli());
    } catch (ArithmeticException e) {
      throw new MalformedRecordException("field '" + field + "' is beyond the range of a millisecond timestamp: '" + value + "'");
    }
  }

  public static String write(ContactCreated c) {
    return json(g -> {
      g.writeStringField("type", "contact");
      g.writeStringField("contactId", c.getContactId());
      g.writeStringField("brandId", c.getBrandId());
      g.writeStringField("email", c.getEmail());
      g.writeStringField("source", c.getSource().name());
      g.writeStringField("createdAt", IsoInstants.format(c.getCreatedAt()));
    });
  }

  public static String write(ConsentEvidence e) {
    return json(g -> {
      g.writeStringField("type", "evidence");
      g.writeStringField("evidenceId", e.getEvidenceId());
      g.writeStringField("contactId", e.getContactId());
      g.writeStringField("brandId", e.getBrandId());
      g.writeStringField("kind", e.getKind().name());
      g.writeStringField("occurredAt", IsoInstants.format(e.getOccurredAt()));
      Proof p = e.getProof();
      if (p != null) {
        g.writeObjectFieldStart("proof");
        g.writeStringField("reference", p.getReference());
        optional(g, "url", p.getUrl());
        optional(g, "ipAddress", p.getIpAddress());
        optional(g, "userAgent", p.getUserAgent());
        optional(g, "capturedText", p.getCapturedText());
        g.writeEndObject();
      }
    });
  }

  /** A verdict line: {@code "type":"verdict"} and the ConsentVerdict fields in schema order. */
  public static String write(ConsentVerdict v) {
    return json(g -> {
      g.writeStringField("type", "verdict");
      g.writeStringField("contactId", v.getContactId());
      g.writeStringField("brandId", v.getBrandId());
      g.writeStringField("email", v.getEmail());
      g.writeStringField("decision", v.getDecision().name());
      g.writeStringField("status", v.getStatus().name());
      g.writeBooleanField("oneToOneAllowed", v.getOneToOneAllowed());
      if (v.getValidUntil() != null) {
        g.writeStringField("validUntil", IsoInstants.format(v.getValidUntil()));
      }
      array(g, "reasons", v.getReasons());
      array(g, "evidenceIds", v.getEvidenceIds());
      array(g, "recommendations", v.getRecommendations());
      g.writeStringField("decidedAt", IsoInstants.format(v.getDecidedAt()));
      g.writeStringField("policy", v.getPolicy());
      g.writeNumberField("version", v.getVersion());
    });
  }

  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  private static String json(Fields fields) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void optional(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  private static void array(JsonGenerator g, String field, List<String> values) throws IOException {
    g.writeArrayFieldStart(field);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }
}
