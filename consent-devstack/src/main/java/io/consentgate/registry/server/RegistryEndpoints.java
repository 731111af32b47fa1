package io.consentgate.registry.server;

import io.consentgate.registry.IncompatibleSchemaException;
import io.consentgate.registry.RegistryUnreachableException;
import io.consentgate.registry.RestClientException;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.registry.SubjectVersion;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * The REST resources of Confluent's Schema Registry that serializers, deserializers and the
 * usual tooling call, with Confluent's paths and JSON shapes. HTTP plumbing lives in
 * {@link SchemaRegistryServer}; this class maps a matched path to the {@link Registry}.
 */
final class RegistryEndpoints {

  private final Registry registry;
  private final ObjectMapper json = new ObjectMapper();
  private final List<Route> routes = new ArrayList<>();

  RegistryEndpoints(Registry registry) {
    this.registry = registry;
    route("").on("GET", call -> "{}");
    route("subjects").on("GET", call -> write(registry.subjects(filter(call))));
    route("subjects/{subject}").on("POST", this::lookUp)
        .on("DELETE", call -> write(registry.deleteSubject(call.path("subject"), call.flag("permanent"))));
    route("subjects/{subject}/versions").on("GET", call -> write(registry.versions(call.path("subject"), filter(call))))
        .on("POST", this::register);
    route("subjects/{subject}/versions/{version}").on("GET", call -> write(versionJson(version(call))))
        .on("DELETE", call -> write(registry.deleteVersion(call.path("subject"), versionNumber(call.path("version")),
            call.flag("permanent"))));
    route("subjects/{subject}/versions/{version}/schema").on("GET", call -> Registry.canonical(version(call).version().schema()));
    // Deserializers pass ?subject= as a hint; without registry contexts every id resolves in
    // every subject, as in Confluent's default context, so it does not narrow the lookup.
    route("schemas/ids/{id}").on("GET", call -> write(json.createObjectNode().put("schema", Registry.canonical(schema(call)))));
    route("schemas/ids/{id}/schema").on("GET", call -> Registry.canonical(schema(call)));
    route("schemas/ids/{id}/versions").on("GET", this::versionsUsing);
    route("schemas/ids/{id}/subjects").on("GET",
        call -> write(registry.versionsUsing(id(call)).stream().map(SubjectVersion::subject).distinct().toList()));
    route("schemas/types").on("GET", call -> write(List.of("AVRO")));
    // As Confluent's CompatibilityResource: without a version, the check registration makes (all
    // live versions if the level is transitive, else the latest); with one, that version alone.
    route("compatibility/subjects/{subject}/versions").on("POST",
        call -> compatibility(call, registry.compatibilityHistory(call.path("subject"))));
    route("compatibility/subjects/{subject}/versions/{version}").on("POST",
        call -> compatibility(call, registry.compatibilityHistory(call.path("subject"), versionNumber(call.path("version")))));
    route("config").on("GET", call -> levelJson("compatibilityLevel", registry.globalLevel()))
        .on("PUT", call -> {
          CompatibilityLevel level = levelFrom(call.body());
          registry.setGlobalLevel(level);
          return levelJson("compatibility", level);
        })
        .on("DELETE", call -> levelJson("compatibilityLevel", registry.resetGlobalLevel()));
    route("config/{subject}").on("GET", this::subjectConfig)
        .on("PUT", call -> {
          CompatibilityLevel level = levelFrom(call.body());
          registry.setSubjectLevel(call.path("subject"), level);
          return levelJson("compatibility", level);
        })
        .on("DELETE", call -> levelJson("compatibilityLevel", registry.deleteSubjectLevel(call.path("subject"))));
  }

  /** The endpoint for a request path (already split at / and decoded), if there is one. */
  Optional<Match> match(List<String> segments) {
    for (Route route : routes) {
      Optional<Map<String, String>> params = route.match(segments);
      if (params.isPresent()) {
        return Optional.of(new Match(route, params.get()));
      }
    }
    return Optional.empty();
  }

  /** A request path matched to an endpoint, with the values of its {placeholders}. */
  record Match(Route route, Map<String, String> pathParams) {

    Set<String> methods() {
      return route.handlers.keySet();
    }

    /** The 200 answer's JSON body; errors are thrown as {@link RegistryException}. */
    String answer(String method, Map<String, String> query, byte[] body) {
      return route.handlers.get(method).answer(new Call(pathParams, query, body));
    }
  }

  private record Call(Map<String, String> pathParams, Map<String, String> query, byte[] body) {

    String path(String name) {
      return pathParams.get(name);
    }

    boolean flag(String name) {
      return "true".equalsIgnoreCase(query.get(name));
    }
  }

  private interface Handler {
    String answer(Call call);
  }

  static final class Route {
    private final String[] pattern;
    private final Map<String, Handler> handlers = new LinkedHashMap<>();

    private Route(String pattern) {
      this.pattern = pattern.isEmpty() ? new String[0] : pattern.split("/");
    }

    private Route on(String method, Handler handler) {
      handlers.put(method, handler);
      return this;
    }

    private Optional<Map<String, String>> match(List<String> segments) {
      if (segments.size() != pattern.length) {
        return Optional.empty();
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < pattern.length; i++) {
        if (pattern[i].startsWith("{")) {
          params.put(pattern[i].substring(1, pattern[i].length() - 1), segments.get(i));
        } else if (!pattern[i].equals(segments.get(i))) {
          return Optional.empty();
        }
      }
      return Optional.of(params);
    }
  }

  private Route route(String pattern) {
    Route route = new Route(pattern);
    routes.add(route);
    return route;
  }

  private String register(Call call) {
    SubjectVersion registered = registry.register(call.path("subject"), schemaFrom(call.body()));
    return write(json.createObjectNode().put("id", registered.id()));
  }

  private String lookUp(Call call) {
    return write(versionJson(registry.lookUp(call.path("subject"), schemaFrom(call.body()), call.flag("deleted"))));
  }

  private String versionsUsing(Call call) {
    ArrayNode out = json.createArrayNode();
    for (SubjectVersion v : registry.versionsUsing(id(call))) {
      out.addObject().put("subject", v.subject()).put("version", v.version());
    }
    return write(out);
  }

  /**
   * {"is_compatible": ..., "messages": [...] with ?verbose=true}. With verbose, a schema that does
   * not parse is an incompatible answer with the reason as its message, not a 422, as in Confluent.
   */
  private String compatibility(Call call, List<SubjectVersion> history) {
    boolean verbose = call.flag("verbose");
    List<String> problems;
    try {
      problems = registry.incompatibilities(call.path("subject"), schemaFrom(call.body()), history);
    } catch (RegistryException e) {
      if (!verbose || e.errorCode() != RegistryException.INVALID_SCHEMA) {
        throw e;
      }
      problems = List.of(e.getMessage());
    }
    ObjectNode out = json.createObjectNode().put("is_compatible", problems.isEmpty());
    if (verbose) {
      ArrayNode messages = out.putArray("messages");
      problems.forEach(messages::add);
    }
    return write(out);
  }

  /** Confluent's ?deleted=true and ?deletedOnly=true (which wins). */
  private static Registry.Filter filter(Call call) {
    return Registry.Filter.of(call.flag("deleted"), call.flag("deletedOnly"));
  }

  private String subjectConfig(Call call) {
    String subject = call.path("subject");
    Optional<CompatibilityLevel> own = registry.subjectLevel(subject);
    if (own.isPresent()) {
      return levelJson("compatibilityLevel", own.get());
    }
    if (call.flag("defaultToGlobal")) {
      return levelJson("compatibilityLevel", registry.globalLevel());
    }
    throw RegistryException.compatibilityNotConfigured(subject);
  }

  private Registry.Found version(Call call) {
    return registry.version(call.path("subject"), versionNumber(call.path("version")), call.flag("deleted"));
  }

  private Schema schema(Call call) {
    return registry.schemaById(id(call));
  }

  private static int id(Call call) {
    try {
      return Integer.parseInt(call.path("id"));
    } catch (NumberFormatException e) {
      throw RegistryException.schemaNotFound();
    }
  }

  /** "latest", -1 or a version from 1 up, as Confluent's VersionId accepts. */
  private static int versionNumber(String text) {
    if (text.trim().equalsIgnoreCase("latest")) {
      return Registry.LATEST;
    }
    try {
      int version = Integer.parseInt(text.trim());
      if (version == Registry.LATEST || version >= 1) {
        return version;
      }
    } catch (NumberFormatException e) {
      // falls through to the registry's own error
    }
    throw RegistryException.invalidVersion(text);
  }

  private ObjectNode versionJson(Registry.Found found) {
    SubjectVersion v = found.version();
    // Confluent leaves schemaType out for AVRO, the only type here.
    ObjectNode out = json.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
        .put("schema", Registry.canonical(v.schema()));
    if (found.deleted()) {
      // Only ?deleted=true finds such a version; Confluent marks it so.
      out.put("deleted", true);
    }
    return out;
  }

  private String levelJson(String field, CompatibilityLevel level) {
    return write(json.createObjectNode().put(field, level.name()));
  }

  /** The body of a registration, lookup or compatibility check: {"schema": "...", "schemaType": ..., "references": [...]}. */
  private Schema schemaFrom(byte[] body) {
    JsonNode request = readObject(body);
    JsonNode type = request.path("schemaType");
    if (!type.isMissingNode() && !type.isNull() && !type.asText().equals("AVRO")) {
      throw RegistryException.invalidSchema("Schema type " + type.asText() + " is not supported: this registry keeps AVRO schemas only");
    }
    if (request.path("references").size() > 0) {
      throw RegistryException.invalidSchema("Schema references are not supported by this registry");
    }
    JsonNode schema = request.path("schema");
    if (!schema.isTextual() || schema.asText().isBlank()) {
      throw RegistryException.invalidSchema("Empty schema: the request needs a \"schema\" string");
    }
    try {
      return new Schema.Parser().parse(schema.asText());
    } catch (RuntimeException e) {
      throw RegistryException.invalidSchema("Invalid schema: " + e.getMessage());
    }
  }

  /** {"compatibility": "FULL"}; Confluent's newer clients send "compatibilityLevel". */
  private CompatibilityLevel levelFrom(byte[] body) {
    JsonNode request = readObject(body);
    JsonNode level = request.hasNonNull("compatibility") ? request.get("compatibility") : request.path("compatibilityLevel");
    return CompatibilityLevel.forName(level.isTextual() ? level.asText() : null)
        .orElseThrow(RegistryException::invalidCompatibilityLevel);
  }

  private JsonNode readObject(byte[] body) {
    if (body.length == 0) {
      throw RegistryException.malformedRequest("Request body is missing");
    }
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (IOException e) {
      throw RegistryException.malformedRequest("Malformed JSON request body: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw RegistryException.malformedRequest("Request body must be a JSON object");
    }
    return node;
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a registry answer as JSON", e);
    }
  }
}
