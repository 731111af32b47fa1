package io.consentgate.registry;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consentgate.serde.SchemaRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate's client of a Confluent-compatible schema registry (Confluent's own, or
 * {@link SchemaRegistryServer}), configured with the names Confluent's serializers use.
 *
 * <p>How {@link #register} finds the id follows Confluent's serializers: with
 * {@code auto.register.schemas} (the default) it registers the schema; otherwise, with
 * {@code use.latest.version}, it takes the subject's latest version; otherwise it looks the
 * schema up, and it must already be registered. With {@code use.latest.version} the caller writes
 * its data with its own schema but the latest version's id, so the two must encode alike (same
 * Avro Parsing Canonical Form); this client refuses the id otherwise rather than let records be
 * written that no reader could decode.
 *
 * <p>Ids never change meaning, so ids and schemas are cached for the life of the client. The
 * latest version is not cached: it moves.
 */
public final class RestSchemaRegistry implements SchemaRegistry {

  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
  public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";
  public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
  /** What Confluent's client reports when an answer is not the JSON it expected. */
  private static final int JSON_PARSE_ERROR_CODE = 50005;

  private static final Logger log = LoggerFactory.getLogger(RestSchemaRegistry.class);

  private final RestSchemaRegistryConfig config;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  /** The URL to try first: the last one that answered, so a dead URL costs one failure, not one per call. */
  private final AtomicInteger preferredEndpoint = new AtomicInteger();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, String schema) {}

  public RestSchemaRegistry(Map<String, ?> configs) {
    this.config = RestSchemaRegistryConfig.parse(configs);
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout());
    if (config.sslContext() != null) {
      builder.sslContext(config.sslContext());
    }
    this.http = builder.build();
    if (config.useLatestVersion() && config.autoRegisterSchemas()) {
      log.warn("{}=true applies only with {}=false, as in Confluent's serializers: schemas will be registered",
          USE_LATEST_VERSION, AUTO_REGISTER_SCHEMAS);
    }
  }

  /** Checks registry settings without connecting: a bad URL or credentials setting names its key. */
  public static void checkSettings(Map<String, ?> configs) {
    RestSchemaRegistryConfig.parse(configs);
  }

  /**
   * Asks the registry for its global configuration, so that a wrong URL or wrong credentials are
   * reported when a command starts, not at the first record.
   */
  public void checkReachable() {
    request("GET", "/config", null, "cannot reach the schema registry");
  }

  /** The registry URLs, without credentials, for messages. */
  public List<String> urls() {
    return config.endpoints().stream().map(e -> e.baseUri().toString()).toList();
  }

  @Override
  public int register(String subject, Schema schema) {
    if (!config.autoRegisterSchemas() && config.useLatestVersion()) {
      return idOfLatestVersion(subject, schema);
    }
    SubjectSchema key = new SubjectSchema(subject, schema.toString());
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode answer;
    if (config.autoRegisterSchemas()) {
      answer = request("POST", subjectPath(subject) + "/versions", Map.of("schema", key.schema()),
          "cannot register a schema under subject '" + subject + "'");
    } else {
      answer = request("POST", subjectPath(subject), Map.of("schema", key.schema()),
          "cannot find the schema under subject '" + subject + "' (" + AUTO_REGISTER_SCHEMAS + "=false: it must be registered beforehand)");
    }
    int id = answer.path("id").asInt();
    idsBySubjectSchema.put(key, id);
    // The registry gives one id to one schema text, so the id stands for exactly this schema.
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer;
    try {
      answer = request("GET", "/schemas/ids/" + id, null, "cannot fetch schema id " + id);
    } catch (RestClientException e) {
      if (e.status() == 404 && e.errorCode() == 40403) {
        throw new SchemaRegistry.UnknownSchemaException(id);
      }
      throw e;
    }
    Schema schema = avroSchema(answer, "schema id " + id);
    schemasById.putIfAbsent(id, schema);
    return schema;
  }

  /** The latest version of {@code subject}, fetched every time. */
  public SubjectVersion latestVersion(String subject) {
    JsonNode answer = request("GET", subjectPath(subject) + "/versions/latest", null,
        "cannot fetch the latest version of subject '" + subject + "'");
    int id = answer.path("id").asInt();
    SubjectVersion latest = new SubjectVersion(subject, answer.path("version").asInt(), id,
        avroSchema(answer, "schema id " + id));
    schemasById.putIfAbsent(id, latest.schema());
    return latest;
  }

  private int idOfLatestVersion(String subject, Schema writerSchema) {
    SubjectVersion latest = latestVersion(subject);
    if (!SchemaNormalization.toParsingForm(latest.schema()).equals(SchemaNormalization.toParsingForm(writerSchema))) {
      throw new IllegalStateException(USE_LATEST_VERSION + ": the latest version of subject '" + subject + "' (version "
          + latest.version() + ", id " + latest.id() + ") does not encode like the " + writerSchema.getFullName()
          + " schema the data is written with; records tagged with its id would not decode");
    }
    return latest.id();
  }

  private Schema avroSchema(JsonNode answer, String what) {
    String type = answer.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new IllegalStateException(what + " is a " + type + " schema; this client reads AVRO only");
    }
    try {
      return new Schema.Parser().parse(answer.path("schema").asText());
    } catch (RuntimeException e) {
      throw new IllegalStateException(what + " from the schema registry is not a valid Avro schema: " + e.getMessage(), e);
    }
  }

  private static String subjectPath(String subject) {
    return "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Sends the request to each URL in turn until one answers. Only a failure to get an answer
   * moves on (an error answer is the registry's verdict); re-sending a registration is safe
   * because registering the same schema again returns the same id.
   */
  private JsonNode request(String method, String path, Object body, String what) {
    List<RestSchemaRegistryConfig.Endpoint> endpoints = config.endpoints();
    List<String> failures = new ArrayList<>();
    IOException lastFailure = null;
    int first = preferredEndpoint.get();
    for (int i = 0; i < endpoints.size(); i++) {
      int index = (first + i) % endpoints.size();
      RestSchemaRegistryConfig.Endpoint endpoint = endpoints.get(index);
      HttpResponse<String> response;
      try {
        response = http.send(httpRequest(endpoint, method, path, body), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        failures.add(endpoint.baseUri() + " (" + reason(e) + ")");
        lastFailure = e;
        log.warn("Schema registry {} did not answer {} {}: {}", endpoint.baseUri(), method, path, reason(e));
        continue;
      } catch (InterruptedException e) {
        throw new InterruptException(what + ": interrupted while waiting for the schema registry", e);
      }
      preferredEndpoint.set(index);
      log.debug("{} {}{} -> {}", method, endpoint.baseUri(), path, response.statusCode());
      return answer(response, endpoint.baseUri().toString(), what);
    }
    throw new RegistryUnreachableException(what, failures, lastFailure);
  }

  private HttpRequest httpRequest(RestSchemaRegistryConfig.Endpoint endpoint, String method, String path, Object body)
      throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUri() + path))
        .timeout(config.readTimeout())
        .header("Accept", ACCEPT);
    if (endpoint.authorization() != null) {
      request.header("Authorization", endpoint.authorization());
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    }
    return request.build();
  }

  private JsonNode answer(HttpResponse<String> response, String url, String what) {
    int status = response.statusCode();
    JsonNode body;
    try {
      body = json.readTree(response.body());
    } catch (IOException e) {
      body = null;
    }
    if (status / 100 == 2) {
      if (body == null) {
        throw new RestClientException(what, url, status, JSON_PARSE_ERROR_CODE, "the answer is not JSON: " + excerpt(response.body()));
      }
      return body;
    }
    boolean confluentError = body != null && body.has("error_code");
    int errorCode = confluentError ? body.path("error_code").asInt(status) : status;
    String message = confluentError ? body.path("message").asText() : excerpt(response.body());
    // Confluent answers 409 with error code 409 (40901 in recent releases) for an incompatible schema.
    if (status == 409 && (errorCode == 409 || errorCode == 40901)) {
      throw new IncompatibleSchemaException(what, url, status, errorCode, message);
    }
    throw new RestClientException(what, url, status, errorCode, message);
  }

  private static String excerpt(String body) {
    return body == null || body.isBlank() ? "(empty body)" : body.length() <= 200 ? body : body.substring(0, 200) + "...";
  }

  /** The JDK's HTTP client often throws with no message of its own; the cause says what happened. */
  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return e.getClass().getSimpleName();
  }
}
