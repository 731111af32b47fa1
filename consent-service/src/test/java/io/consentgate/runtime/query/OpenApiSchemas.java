package io.consentgate.runtime.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The query API's answers checked against {@code docs/openapi.yaml}: the schema the document gives
 * for an operation's response with that status, validated by a JSON Schema 2020-12 validator (the
 * dialect of OpenAPI 3.1), so that the document and the served answers cannot drift apart.
 */
public final class OpenApiSchemas {

  private static final String DOCUMENT_URI = "https://consent-gate.invalid/openapi.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode document;
  private final SchemaRegistry registry;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private OpenApiSchemas(JsonNode document) {
    this.document = document;
    String text;
    try {
      text = JSON.writeValueAsString(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
        b -> b.schemas(Map.of(DOCUMENT_URI, text)));
  }

  /** {@code docs/openapi.yaml} of this repository, found from the working directory of any module. */
  public static OpenApiSchemas load() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("docs/openapi.yaml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("docs/openapi.yaml not found above " + Path.of("").toAbsolutePath());
    }
    try {
      return new OpenApiSchemas(new ObjectMapper(new YAMLFactory()).readTree(dir.resolve("docs/openapi.yaml").toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonNode document() {
    return document;
  }

  /**
   * The validation errors of {@code body} as the answer to {@code method path} with {@code status};
   * empty when it is valid. A status the document does not list for the operation is an error.
   *
   * @param path the path as the document names it, e.g. {@code /v1/contacts/{contactId}}
   */
  public List<String> errors(String method, String path, int status, JsonNode body) {
    JsonNode response = document.path("paths").path(path).path(method.toLowerCase(java.util.Locale.ROOT))
        .path("responses").path(String.valueOf(status));
    if (response.isMissingNode()) {
      return List.of(method + " " + path + " does not document status " + status);
    }
    if (response.has("$ref")) {
      response = at(response.get("$ref").asText());
    }
    JsonNode schema = response.path("content").path("application/json").path("schema");
    if (schema.isMissingNode()) {
      return List.of(method + " " + path + " " + status + " documents no JSON body");
    }
    String key = method + " " + path + " " + status;
    Schema compiled = schemas.computeIfAbsent(key, k -> registry.getSchema(absoluteRefs(schema.deepCopy())));
    return compiled.validate(body).stream().map(Error::toString).toList();
  }

  /** Throws an {@link AssertionError} naming every violation unless {@code body} is valid. */
  public void requireValid(String method, String path, int status, JsonNode body) {
    List<String> errors = errors(method, path, status, body);
    if (!errors.isEmpty()) {
      throw new AssertionError(method + " " + path + " " + status + " does not match docs/openapi.yaml: " + errors
          + "\n" + body.toPrettyString());
    }
  }

  private JsonNode at(String ref) {
    if (!ref.startsWith("#")) {
      throw new IllegalArgumentException("only local references: " + ref);
    }
    return document.at(ref.substring(1));
  }

  /** Local {@code $ref}s of an inline schema, made to point into the document held by the registry. */
  private static JsonNode absoluteRefs(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("$ref") && object.get("$ref").asText().startsWith("#")) {
        object.put("$ref", DOCUMENT_URI + object.get("$ref").asText());
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        absoluteRefs(it.next().getValue());
      }
    } else if (node != null && node.isArray()) {
      node.forEach(OpenApiSchemas::absoluteRefs);
    }
    return node;
  }
}
