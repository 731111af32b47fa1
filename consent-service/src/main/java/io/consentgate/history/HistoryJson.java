package io.consentgate.history;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON-lines history format of docs/events.md: one object a line with a {@code type} field,
 * ISO-8601 UTC instants, enum symbols as strings, absent optional fields left out.
 *
 * <p>Reading is strict: an unknown field, a missing required field, a wrong type, an unknown
 * symbol or an unparseable instant makes the line malformed. A misspelt {@code proof} would
 * otherwise silently turn a verifiable grant into an ignored one.
 */
public final class HistoryJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  /** Optional on both input types: when the record was appended to its topic ({@code export} writes it). */
  public static final String APPENDED_AT = "appendedAt";
  private static final Set<String> CONTACT_FIELDS =
      Set.of("type", "contactId", "brandId", "email", "source", "createdAt", APPENDED_AT);
  private static final Set<String> EVIDENCE_FIELDS =
      Set.of("type", "evidenceId", "contactId", "brandId", "kind", "occurredAt", "proof", APPENDED_AT);
  private static final Set<String> PROOF_FIELDS = Set.of("reference", "url", "ipAddress", "userAgent", "capturedText");

  private HistoryJson() {}

  /** Parses one line into a ContactCreated or a ConsentEvidence; an {@code appendedAt} is checked and left out. */
  public static SpecificRecord read(String line) throws MalformedRecordException {
    return readEntry(line).record();
  }

  /** Parses one line into a ContactCreated or a ConsentEvidence, with its {@code appendedAt} if the line has one. */
  public static HistoryRecord readEntry(String line) throws MalformedRecordException {
    return entry(JsonObject.parse(line, true));
  }

  /** {@link #read}, always through Jackson's tree: the reference the streaming path is tested against. */
  static SpecificRecord readThroughTree(String line) throws MalformedRecordException {
    return entry(JsonObject.parse(line, false)).record();
  }

  /** The record, then its optional {@code appendedAt}, checked after the record's own fields. */
  private static HistoryRecord entry(JsonObject object) throws MalformedRecordException {
    SpecificRecord record = read(object);
    Object appended = object.get(APPENDED_AT);
    return new HistoryRecord(record, appended == null || appended == JsonObject.NULL ? null : instant(object, APPENDED_AT));
  }

  private static SpecificRecord read(JsonObject object) throws MalformedRecordException {
    String type = text(object, "type");
    return switch (type) {
      case "contact" -> readContact(object);
      case "evidence" -> readEvidence(object);
      default -> throw new MalformedRecordException("unknown type '" + type + "' (expected contact or evidence)");
    };
  }

  private static ContactCreated readContact(JsonObject object) throws MalformedRecordException {
    onlyKnownFields(object, CONTACT_FIELDS, "contact");
    return ContactCreated.newBuilder()
        .setContactId(text(object, "contactId"))
        .setBrandId(text(object, "brandId"))
        .setEmail(text(object, "email"))
        .setSource(symbol(object, "source", ContactSource.class))
        .setCreatedAt(instant(object, "createdAt"))
        .build();
  }

  private static ConsentEvidence readEvidence(JsonObject object) throws MalformedRecordException {
    onlyKnownFields(object, EVIDENCE_FIELDS, "evidence");
    ConsentEvidence.Builder evidence = ConsentEvidence.newBuilder()
        .setEvidenceId(text(object, "evidenceId"))
        .setContactId(text(object, "contactId"))
        .setBrandId(text(object, "brandId"))
        .setKind(symbol(object, "kind", EvidenceKind.class))
        .setOccurredAt(instant(object, "occurredAt"))
        .setProof(null);
    Object proof = object.get("proof");
    if (proof != null && proof != JsonObject.NULL) {
      if (!(proof instanceof JsonObject p)) {
        throw new MalformedRecordException("field 'proof' must be an object");
      }
      onlyKnownFields(p, PROOF_FIELDS, "proof");
      evidence.setProof(Proof.newBuilder()
          .setReference(text(p, "reference"))
          .setUrl(optionalText(p, "url"))
          .setIpAddress(optionalText(p, "ipAddress"))
          .setUserAgent(optionalText(p, "userAgent"))
          .setCapturedText(optionalText(p, "capturedText"))
          .build());
    }
    return evidence.build();
  }

  private static void onlyKnownFields(JsonObject object, Set<String> known, String what) throws MalformedRecordException {
    for (String name : object.names()) {
      if (!known.contains(name)) {
        throw new MalformedRecordException("unknown field '" + name + "' in " + what);
      }
    }
  }

  private static String text(JsonObject object, String field) throws MalformedRecordException {
    Object value = object.get(field);
    if (value == null || value == JsonObject.NULL) {
      throw new MalformedRecordException("missing field '" + field + "'");
    }
    if (!(value instanceof String text)) {
      throw new MalformedRecordException("field '" + field + "' must be a string");
    }
    return text;
  }

  private static String optionalText(JsonObject object, String field) throws MalformedRecordException {
    Object value = object.get(field);
    return value == null || value == JsonObject.NULL ? null : text(object, field);
  }

  private static <E extends Enum<E>> E symbol(JsonObject object, String field, Class<E> type) throws MalformedRecordException {
    String value = text(object, field);
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException e) {
      throw new MalformedRecordException("field '" + field + "' has unknown symbol '" + value + "' (known: "
          + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()) + ")");
    }
  }

  /**
   * A JSON object as the reader sees it: each field a String, {@link #NULL}, a nested JsonObject,
   * or {@link #OTHER} (a number, a boolean, an array). Lines of the usual shape are read with the
   * streaming parser, without building Jackson's tree, which took a third of a replay; anything
   * unusual, including invalid JSON, goes through the tree, so what is accepted and every message
   * stay exactly as they were.
   */
  private record JsonObject(Map<String, Object> fields) {
    static final Object NULL = new Object();
    static final Object OTHER = new Object();

    Object get(String name) {
      return fields.get(name);
    }

    Set<String> names() {
      return fields.keySet();
    }

    static JsonObject parse(String line, boolean streaming) throws MalformedRecordException {
      JsonObject fast = streaming ? streamed(line) : null;
      if (fast != null) {
        return fast;
      }
      JsonNode node;
      try {
        node = MAPPER.readTree(line);
      } catch (JsonProcessingException e) {
        throw new MalformedRecordException("not valid JSON: " + e.getOriginalMessage());
      }
      if (node == null || !node.isObject()) {
        throw new MalformedRecordException("not a JSON object");
      }
      return of(node);
    }

    /** The line as an object of strings, nulls and one level of nested objects; null for anything else. */
    private static JsonObject streamed(String line) {
      try (JsonParser parser = FACTORY.createParser(line)) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        JsonObject object = streamedObject(parser, false);
        return object != null && parser.nextToken() == null ? object : null;
      } catch (IOException e) {
        return null;
      }
    }

    private static JsonObject streamedObject(JsonParser parser, boolean nested) throws IOException {
      Map<String, Object> fields = new LinkedHashMap<>();
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        switch (parser.nextToken()) {
          case VALUE_STRING -> fields.put(name, parser.getText());
          case VALUE_NULL -> fields.put(name, NULL);
          case START_OBJECT -> {
            JsonObject inner = nested ? null : streamedObject(parser, true);
            if (inner == null) {
              return null;
            }
            fields.put(name, inner);
          }
          default -> {
            return null;
          }
        }
      }
      return token == JsonToken.END_OBJECT ? new JsonObject(fields) : null;
    }

    private static JsonObject of(JsonNode node) {
      Map<String, Object> fields = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode value = field.getValue();
        fields.put(field.getKey(), value.isNull() ? NULL
            : value.getNodeType() == JsonNodeType.STRING ? value.textValue()
            : value.isObject() ? of(value)
            : OTHER);
      }
      return new JsonObject(fields);
    }
  }

  private static Instant instant(JsonObject object, String field) throws MalformedRecordException {
    String value = text(object, field);
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

  /** An instant as the history writes it: ISO-8601 UTC, milliseconds only when there are any. */
  public static String format(Instant instant) {
    return IsoInstants.format(instant);
  }

  public static String write(ContactCreated c) {
    return write(c, null);
  }

  /** A contact line, with {@code appendedAt} last when it is not null. */
  public static String write(ContactCreated c, Instant appendedAt) {
    return json(g -> {
      g.writeStringField("type", "contact");
      g.writeStringField("contactId", c.getContactId());
      g.writeStringField("brandId", c.getBrandId());
      g.writeStringField("email", c.getEmail());
      g.writeStringField("source", c.getSource().name());
      g.writeStringField("createdAt", IsoInstants.format(c.getCreatedAt()));
      appendedAt(g, appendedAt);
    });
  }

  public static String write(ConsentEvidence e) {
    return write(e, null);
  }

  /** An evidence line, with {@code appendedAt} last when it is not null. */
  public static String write(ConsentEvidence e, Instant appendedAt) {
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
      appendedAt(g, appendedAt);
    });
  }

  /** A line of either input type, with {@code appendedAt} last when it is not null. */
  public static String write(HistoryRecord entry) {
    if (entry.record() instanceof ContactCreated c) {
      return write(c, entry.appendedAt());
    }
    if (entry.record() instanceof ConsentEvidence e) {
      return write(e, entry.appendedAt());
    }
    throw new IllegalArgumentException("not an input record: " + entry.record().getClass().getSimpleName());
  }

  private static void appendedAt(JsonGenerator g, Instant appendedAt) throws IOException {
    if (appendedAt != null) {
      g.writeStringField(APPENDED_AT, IsoInstants.format(appendedAt));
    }
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
      g.writeNumberField("epoch", v.getEpoch());
    });
  }

  private interface FieldWriter {
    void write(JsonGenerator g) throws IOException;
  }

  private static String json(FieldWriter fields) {
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
