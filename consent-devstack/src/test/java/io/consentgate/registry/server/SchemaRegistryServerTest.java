package io.consentgate.registry.server;

import io.consentgate.registry.IncompatibleSchemaException;
import io.consentgate.registry.RegistryUnreachableException;
import io.consentgate.registry.RestClientException;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.registry.SubjectVersion;
import static io.consentgate.registry.server.RegistryFixtures.V1;
import static io.consentgate.registry.server.RegistryFixtures.V2_AGE_WITH_DEFAULT;
import static io.consentgate.registry.server.RegistryFixtures.V2_OPTIONAL_FIELD;
import static io.consentgate.registry.server.RegistryFixtures.V2_REQUIRED_FIELD;
import static io.consentgate.registry.server.RegistryFixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The REST API as Confluent's clients see it: paths, status codes, error codes and exact JSON shapes. */
class SchemaRegistryServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final InMemoryRegistryStorage storage = new InMemoryRegistryStorage();
  private SchemaRegistryServer server = new SchemaRegistryServer("127.0.0.1", 0, storage);

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void registeringReturnsTheIdAndTheSameSchemaAgainKeepsIt() throws Exception {
    Answer first = call("POST", "/subjects/contacts-value/versions", schemaBody(V1));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(first.json()).isEqualTo(json("{\"id\":1}"));

    String sameWithOtherLayout = "{ \"namespace\": \"test\", \"type\": \"record\", \"name\": \"Contact\",\n"
        + "  \"fields\": [ { \"type\": \"string\", \"name\": \"id\" } ] }";
    assertThat(call("POST", "/subjects/contacts-value/versions", schemaBody(sameWithOtherLayout)).json())
        .isEqualTo(json("{\"id\":1}"));
    assertThat(call("GET", "/subjects/contacts-value/versions", null).json()).isEqualTo(json("[1]"));
  }

  @Test
  void theSameSchemaUnderAnotherSubjectKeepsItsGlobalId() throws Exception {
    register("a-value", V1);
    assertThat(call("POST", "/subjects/b-value/versions", schemaBody(V1)).json()).isEqualTo(json("{\"id\":1}"));

    assertThat(call("GET", "/subjects", null).json()).isEqualTo(json("[\"a-value\",\"b-value\"]"));
    assertThat(call("GET", "/schemas/ids/1/versions", null).json())
        .isEqualTo(json("[{\"subject\":\"a-value\",\"version\":1},{\"subject\":\"b-value\",\"version\":1}]"));
    assertThat(call("GET", "/schemas/ids/1/subjects", null).json()).isEqualTo(json("[\"a-value\",\"b-value\"]"));
  }

  @Test
  void aCompatibleChangeBecomesVersionTwoWithANewId() throws Exception {
    register("s", V1);
    assertThat(call("POST", "/subjects/s/versions", schemaBody(V2_OPTIONAL_FIELD)).json()).isEqualTo(json("{\"id\":2}"));

    assertThat(call("GET", "/subjects/s/versions", null).json()).isEqualTo(json("[1,2]"));
    JsonNode expectedLatest = JSON.createObjectNode().put("subject", "s").put("version", 2).put("id", 2)
        .put("schema", parse(V2_OPTIONAL_FIELD).toString());
    assertThat(call("GET", "/subjects/s/versions/latest", null).json()).isEqualTo(expectedLatest);
    assertThat(call("GET", "/subjects/s/versions/-1", null).json()).isEqualTo(expectedLatest);
    assertThat(call("GET", "/subjects/s/versions/1", null).json().get("id").asInt()).isEqualTo(1);
    assertThat(call("GET", "/subjects/s/versions/1/schema", null).json()).isEqualTo(json(V1));
  }

  @Test
  void anIncompatibleChangeIsRefusedWith409() throws Exception {
    register("s", V1);
    Answer refused = call("POST", "/subjects/s/versions", schemaBody(V2_REQUIRED_FIELD));

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().get("error_code").asInt()).isEqualTo(409);
    assertThat(refused.json().get("message").asText())
        .startsWith("Schema being registered is incompatible with an earlier schema for subject \"s\"")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE", "{oldSchemaVersion: 1}", "{validateFields: 'false', compatibility: 'BACKWARD'}");
    assertThat(call("GET", "/subjects/s/versions", null).json()).isEqualTo(json("[1]"));
  }

  @Test
  void schemasThatAreNotAvroOrDoNotParseAre422() throws Exception {
    Answer unparsable = call("POST", "/subjects/s/versions", schemaBody("{\"type\":\"record\",\"name\":\"X\"}"));
    assertThat(unparsable.status()).isEqualTo(422);
    assertThat(unparsable.json().get("error_code").asInt()).isEqualTo(42201);

    Answer protobuf = call("POST", "/subjects/s/versions", "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
    assertThat(protobuf.status()).isEqualTo(422);
    assertThat(protobuf.json().get("error_code").asInt()).isEqualTo(42201);
    assertThat(protobuf.json().get("message").asText()).contains("PROTOBUF", "AVRO");

    Answer withReferences = call("POST", "/subjects/s/versions",
        "{\"schema\":\"\\\"string\\\"\",\"references\":[{\"name\":\"x\",\"subject\":\"y\",\"version\":1}]}");
    assertThat(withReferences.json().get("error_code").asInt()).isEqualTo(42201);

    assertThat(call("POST", "/subjects/s/versions", "{\"schemaType\":\"AVRO\",\"schema\":\"\\\"string\\\"\",\"references\":[]}")
        .json()).isEqualTo(json("{\"id\":1}"));
    assertThat(call("POST", "/subjects/s/versions", "not json").status()).isEqualTo(400);
    assertThat(call("POST", "/subjects/s/versions", "").status()).isEqualTo(400);
  }

  @Test
  void lookingUpASchemaUnderASubject() throws Exception {
    register("s", V1);
    JsonNode expected = JSON.createObjectNode().put("subject", "s").put("version", 1).put("id", 1)
        .put("schema", parse(V1).toString());
    assertThat(call("POST", "/subjects/s", schemaBody(V1)).json()).isEqualTo(expected);

    assertError(call("POST", "/subjects/s", schemaBody(V2_OPTIONAL_FIELD)), 404, 40403, "Schema not found");
    assertError(call("POST", "/subjects/nobody", schemaBody(V1)), 404, 40401, "Subject 'nobody' not found.");
  }

  @Test
  void schemasById() throws Exception {
    register("s", V1);
    assertThat(call("GET", "/schemas/ids/1", null).json()).isEqualTo(JSON.createObjectNode().put("schema", parse(V1).toString()));
    assertThat(call("GET", "/schemas/ids/1?subject=any-subject", null).status()).isEqualTo(200);
    assertThat(call("GET", "/schemas/ids/1/schema", null).json()).isEqualTo(json(V1));
    assertThat(call("GET", "/schemas/types", null).json()).isEqualTo(json("[\"AVRO\"]"));
    assertError(call("GET", "/schemas/ids/99", null), 404, 40403, "Schema 99 not found");
  }

  @Test
  void compatibilityChecks() throws Exception {
    assertThat(call("POST", "/compatibility/subjects/empty/versions/latest", schemaBody(V1)).json())
        .as("a subject without versions accepts anything").isEqualTo(json("{\"is_compatible\":true}"));
    register("s", V1);
    assertThat(call("POST", "/compatibility/subjects/s/versions/latest", schemaBody(V2_OPTIONAL_FIELD)).json())
        .isEqualTo(json("{\"is_compatible\":true}"));
    assertThat(call("POST", "/compatibility/subjects/s/versions", schemaBody(V2_OPTIONAL_FIELD)).json())
        .isEqualTo(json("{\"is_compatible\":true}"));
    assertThat(call("POST", "/compatibility/subjects/s/versions/1", schemaBody(V2_REQUIRED_FIELD)).json())
        .isEqualTo(json("{\"is_compatible\":false}"));

    JsonNode verbose = call("POST", "/compatibility/subjects/s/versions/latest?verbose=true", schemaBody(V2_REQUIRED_FIELD)).json();
    assertThat(verbose.get("is_compatible").asBoolean()).isFalse();
    assertThat(verbose.get("messages").toString()).contains("READER_FIELD_MISSING_DEFAULT_VALUE", "age");

    assertError(call("POST", "/compatibility/subjects/s/versions/7", schemaBody(V1)), 404, 40402, "Version 7 not found.");
    assertThat(call("POST", "/compatibility/subjects/s/versions/abc", schemaBody(V1)).json().get("error_code").asInt())
        .isEqualTo(42202);
    assertThat(call("POST", "/compatibility/subjects/nobody/versions/1", schemaBody(V1)).json().get("error_code").asInt())
        .as("Confluent: the version is not found, whether or not the subject is").isEqualTo(40402);
  }

  @Test
  void globalAndSubjectCompatibilityConfig() throws Exception {
    assertThat(call("GET", "/config", null).json()).isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));
    assertThat(call("PUT", "/config", "{\"compatibility\":\"FULL\"}").json()).isEqualTo(json("{\"compatibility\":\"FULL\"}"));
    assertThat(call("GET", "/config", null).json()).isEqualTo(json("{\"compatibilityLevel\":\"FULL\"}"));

    assertError(call("GET", "/config/s", null), 404, 40408, "Subject 's' does not have subject-level compatibility configured");
    assertThat(call("GET", "/config/s?defaultToGlobal=true", null).json()).isEqualTo(json("{\"compatibilityLevel\":\"FULL\"}"));

    assertThat(call("PUT", "/config/s", "{\"compatibility\":\"none\"}").json()).isEqualTo(json("{\"compatibility\":\"NONE\"}"));
    assertThat(call("GET", "/config/s", null).json()).isEqualTo(json("{\"compatibilityLevel\":\"NONE\"}"));
    register("s", V1);
    assertThat(call("POST", "/subjects/s/versions", schemaBody(V2_REQUIRED_FIELD)).status())
        .as("NONE accepts any change").isEqualTo(200);

    assertThat(call("DELETE", "/config/s", null).json()).isEqualTo(json("{\"compatibilityLevel\":\"NONE\"}"));
    assertThat(call("GET", "/config/s", null).status()).isEqualTo(404);
    assertError(call("DELETE", "/config/s", null), 404, 40401, "Subject 's' not found.");

    assertThat(call("DELETE", "/config", null).json()).isEqualTo(json("{\"compatibilityLevel\":\"FULL\"}"));
    assertThat(call("GET", "/config", null).json()).isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));

    Answer bad = call("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}");
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().get("error_code").asInt()).isEqualTo(42203);
  }

  @Test
  void unknownSubjectsVersionsAndPathsAnswerConfluentErrors() throws Exception {
    register("s", V1);
    assertError(call("GET", "/subjects/nobody/versions", null), 404, 40401, "Subject 'nobody' not found.");
    assertError(call("GET", "/subjects/nobody/versions/latest", null), 404, 40401, "Subject 'nobody' not found.");
    assertError(call("GET", "/subjects/s/versions/9", null), 404, 40402, "Version 9 not found.");
    assertThat(call("GET", "/subjects/s/versions/0", null).json().get("error_code").asInt()).isEqualTo(42202);
    assertError(call("GET", "/no/such/path", null), 404, 404, "HTTP 404 Not Found");

    Answer wrongMethod = call("PUT", "/subjects", "{}");
    assertError(wrongMethod, 405, 405, "HTTP 405 Method Not Allowed");
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void deletingASubjectKeepsItsIdsResolvableAndNeverReusesItsVersionNumbers() throws Exception {
    register("s", V1);
    register("s", V2_OPTIONAL_FIELD);
    assertThat(call("DELETE", "/subjects/s", null).json()).isEqualTo(json("[1,2]"));

    assertThat(call("GET", "/subjects", null).json()).isEqualTo(json("[]"));
    assertThat(call("GET", "/subjects/s/versions", null).status()).isEqualTo(404);
    assertThat(call("GET", "/schemas/ids/1", null).status()).as("old records must stay readable").isEqualTo(200);
    assertThat(call("POST", "/subjects/s/versions", schemaBody(V1)).json()).isEqualTo(json("{\"id\":1}"));
    assertThat(call("GET", "/subjects/s/versions", null).json()).isEqualTo(json("[3]"));
  }

  @Test
  void subjectsWithSlashesAndSpacesTravelEncoded() throws Exception {
    assertThat(call("POST", "/subjects/team%2Fcontacts%20value/versions", schemaBody(V1)).status()).isEqualTo(200);
    assertThat(call("GET", "/subjects", null).json()).isEqualTo(json("[\"team/contacts value\"]"));
    assertThat(call("GET", "/subjects/team%2Fcontacts%20value/versions/latest", null).json().get("subject").asText())
        .isEqualTo("team/contacts value");
  }

  @Test
  void aRestartOnTheSameStorageKeepsIdsVersionsAndConfig() throws Exception {
    register("a", V1);
    register("a", V2_OPTIONAL_FIELD);
    register("b", V1);
    call("PUT", "/config/b", "{\"compatibility\":\"FORWARD\"}");
    call("DELETE", "/subjects/b", null);
    server.close();

    server = new SchemaRegistryServer("127.0.0.1", 0, storage);

    assertThat(call("GET", "/subjects/a/versions", null).json()).isEqualTo(json("[1,2]"));
    assertThat(call("GET", "/subjects/a/versions/2", null).json().get("id").asInt()).isEqualTo(2);
    assertThat(call("GET", "/schemas/ids/1/versions", null).json()).isEqualTo(json("[{\"subject\":\"a\",\"version\":1}]"));
    assertThat(call("GET", "/config/b", null).json()).isEqualTo(json("{\"compatibilityLevel\":\"FORWARD\"}"));
    assertThat(register("b", V1)).as("b's versions 1 was deleted: not reused").isEqualTo(1);
    assertThat(call("GET", "/subjects/b/versions", null).json()).isEqualTo(json("[2]"));
    String v3 = RegistryFixtures.record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"int\",\"default\":0}");
    assertThat(register("a", v3)).as("the next id continues after the highest").isEqualTo(3);
  }

  // Compatibility checks, as Confluent's CompatibilityResource: /versions checks what the level
  // asks (transitive: every live version; otherwise the latest), /versions/{v} that version alone.

  @Test
  void compatibilityAgainstLatestChecksOnlyTheLatestVersionEvenOnATransitiveSubject() throws Exception {
    call("PUT", "/config/s", "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
    register("s", V1);
    register("s", V2_AGE_WITH_DEFAULT);

    // V2_REQUIRED_FIELD reads v2 data (age is there) but not v1 data (no age, no default).
    assertThat(call("POST", "/compatibility/subjects/s/versions/latest", schemaBody(V2_REQUIRED_FIELD)).json())
        .isEqualTo(json("{\"is_compatible\":true}"));
    assertThat(call("POST", "/compatibility/subjects/s/versions/-1", schemaBody(V2_REQUIRED_FIELD)).json())
        .isEqualTo(json("{\"is_compatible\":true}"));
    assertThat(call("POST", "/compatibility/subjects/s/versions", schemaBody(V2_REQUIRED_FIELD)).json())
        .as("without a version: every version, as registration checks").isEqualTo(json("{\"is_compatible\":false}"));
    assertThat(call("POST", "/subjects/s/versions", schemaBody(V2_REQUIRED_FIELD)).status()).isEqualTo(409);
  }

  @Test
  void compatibilityAgainstANumberedVersionChecksThatVersionAlone() throws Exception {
    register("s", V1);
    register("s", V2_AGE_WITH_DEFAULT);

    assertThat(call("POST", "/compatibility/subjects/s/versions/1", schemaBody(V2_REQUIRED_FIELD)).json())
        .isEqualTo(json("{\"is_compatible\":false}"));
    assertThat(call("POST", "/compatibility/subjects/s/versions/2", schemaBody(V2_REQUIRED_FIELD)).json())
        .isEqualTo(json("{\"is_compatible\":true}"));
    call("PUT", "/config/s", "{\"compatibility\":\"NONE\"}");
    assertThat(call("POST", "/compatibility/subjects/s/versions/1", schemaBody(V2_REQUIRED_FIELD)).json())
        .as("the level still decides what compatible means").isEqualTo(json("{\"is_compatible\":true}"));
  }

  @Test
  void compatibilityAgainstAVersionThatIsNotLiveIs40402EvenForAnUnknownSubject() throws Exception {
    assertError(call("POST", "/compatibility/subjects/nobody/versions/1", schemaBody(V1)), 404, 40402, "Version 1 not found.");
    register("s", V1);
    call("DELETE", "/subjects/s", null);
    assertError(call("POST", "/compatibility/subjects/s/versions/1", schemaBody(V1)), 404, 40402, "Version 1 not found.");
    assertThat(call("POST", "/compatibility/subjects/s/versions/latest", schemaBody(V2_REQUIRED_FIELD)).json())
        .as("no live version: nothing to be incompatible with").isEqualTo(json("{\"is_compatible\":true}"));
  }

  @Test
  void verboseCompatibilityAnswersAlwaysCarryMessages() throws Exception {
    register("s", V1);
    assertThat(call("POST", "/compatibility/subjects/s/versions/latest?verbose=true", schemaBody(V2_OPTIONAL_FIELD)).json())
        .isEqualTo(json("{\"is_compatible\":true,\"messages\":[]}"));
    assertThat(call("POST", "/compatibility/subjects/s/versions?verbose=true", schemaBody(V2_OPTIONAL_FIELD)).json())
        .isEqualTo(json("{\"is_compatible\":true,\"messages\":[]}"));
  }

  @Test
  void verboseMessagesAreConfluentsAndNameTheVersionThatFailed() throws Exception {
    call("PUT", "/config/s", "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
    register("s", V1);
    register("s", V2_AGE_WITH_DEFAULT);

    JsonNode answer = call("POST", "/compatibility/subjects/s/versions?verbose=true", schemaBody(V2_REQUIRED_FIELD)).json();

    JsonNode expected = JSON.createObjectNode().put("is_compatible", false).set("messages", JSON.createArrayNode()
        .add("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'age' at path '/fields/1' in the new"
            + " schema has no default value and is missing in the old schema', additionalInfo:'age'}")
        .add("{oldSchemaVersion: 1}")
        .add("{oldSchema: '" + parse(V1) + "'}")
        .add("{validateFields: 'false', compatibility: 'BACKWARD_TRANSITIVE'}"));
    assertThat(answer).isEqualTo(expected);
  }

  @Test
  void verboseCompatibilityOfAnUnparsableSchemaIsAnAnswerNotAnError() throws Exception {
    register("s", V1);
    Answer answer = call("POST", "/compatibility/subjects/s/versions/latest?verbose=true",
        schemaBody("{\"type\":\"record\",\"name\":\"X\"}"));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("is_compatible").asBoolean()).isFalse();
    assertThat(answer.json().get("messages").get(0).asText()).startsWith("Invalid schema");
    assertThat(call("POST", "/compatibility/subjects/s/versions/latest", schemaBody("{\"type\":\"record\",\"name\":\"X\"}"))
        .json().get("error_code").asInt()).as("without verbose it stays a 422").isEqualTo(42201);
  }

  // Deletes, as Confluent's SubjectsResource.deleteSubject / SubjectVersionsResource.deleteSchemaVersion
  // and KafkaSchemaRegistry.deleteSubject / deleteSchemaVersion.

  @Test
  void permanentlyDeletingASoftDeletedSubjectRemovesItAndAnswersItsVersions() throws Exception {
    register("s", V1);
    register("s", V2_OPTIONAL_FIELD);
    assertThat(call("DELETE", "/subjects/s", null).json()).isEqualTo(json("[1,2]"));

    Answer hard = call("DELETE", "/subjects/s?permanent=true", null);

    assertThat(hard.status()).as(hard.body()).isEqualTo(200);
    assertThat(hard.json()).isEqualTo(json("[1,2]"));
    assertError(call("GET", "/subjects/s/versions?deleted=true", null), 404, 40401, "Subject 's' not found.");
    assertError(call("GET", "/subjects/s/versions/1?deleted=true", null), 404, 40401, "Subject 's' not found.");
    assertError(call("POST", "/subjects/s?deleted=true", schemaBody(V1)), 404, 40401, "Subject 's' not found.");
    assertThat(call("GET", "/subjects?deleted=true", null).json()).isEqualTo(json("[]"));
    assertError(call("GET", "/schemas/ids/1", null), 404, 40403, "Schema 1 not found");
    assertError(call("DELETE", "/subjects/s?permanent=true", null), 404, 40401, "Subject 's' not found.");
    assertThat(register("s", V1)).as("the same schema gets its id back").isEqualTo(1);
    assertThat(call("GET", "/subjects/s/versions", null).json()).as("version numbers start again").isEqualTo(json("[1]"));
  }

  @Test
  void permanentlyDeletingASubjectThatWasNotSoftDeletedFirstIs40405() throws Exception {
    register("s", V1);
    register("s", V2_OPTIONAL_FIELD);
    call("DELETE", "/subjects/s/versions/1", null);

    assertError(call("DELETE", "/subjects/s?permanent=true", null), 404, 40405,
        "Subject 's' was not deleted first before being permanently deleted");
    assertThat(call("GET", "/subjects/s/versions?deleted=true", null).json()).isEqualTo(json("[1,2]"));
    assertError(call("DELETE", "/subjects/nobody?permanent=true", null), 404, 40401, "Subject 'nobody' not found.");
  }

  @Test
  void softDeletingASubjectAgainIs40404() throws Exception {
    register("s", V1);
    call("DELETE", "/subjects/s", null);

    assertError(call("DELETE", "/subjects/s", null), 404, 40404,
        "Subject 's' was soft deleted.Set permanent=true to delete permanently");
    assertError(call("DELETE", "/subjects/nobody", null), 404, 40401, "Subject 'nobody' not found.");
  }

  @Test
  void aPermanentSubjectDeleteAlsoRemovesItsCompatibilityLevel() throws Exception {
    register("s", V1);
    call("PUT", "/config/s", "{\"compatibility\":\"NONE\"}");
    call("DELETE", "/subjects/s", null);
    assertThat(call("GET", "/config/s", null).status()).as("a soft delete keeps it").isEqualTo(200);

    assertThat(call("DELETE", "/subjects/s?permanent=true", null).status()).isEqualTo(200);

    assertError(call("GET", "/config/s", null), 404, 40408, "Subject 's' does not have subject-level compatibility configured");
  }

  @Test
  void aVersionIsSoftDeletedThenPermanentlyDeleted() throws Exception {
    register("s", V1);
    register("s", V2_OPTIONAL_FIELD);

    assertThat(call("DELETE", "/subjects/s/versions/2", null).json()).isEqualTo(json("2"));
    assertThat(call("GET", "/subjects/s/versions", null).json()).isEqualTo(json("[1]"));
    assertThat(call("GET", "/subjects/s/versions?deleted=true", null).json()).isEqualTo(json("[1,2]"));
    assertError(call("GET", "/subjects/s/versions/2", null), 404, 40402, "Version 2 not found.");
    assertThat(call("GET", "/subjects/s/versions/2?deleted=true", null).json().get("deleted").asBoolean()).isTrue();
    assertError(call("DELETE", "/subjects/s/versions/2", null), 404, 40406,
        "Subject 's' Version 2 was soft deleted.Set permanent=true to delete permanently");

    assertThat(call("DELETE", "/subjects/s/versions/2?permanent=true", null).json()).isEqualTo(json("2"));

    assertThat(call("GET", "/subjects/s/versions?deleted=true", null).json()).isEqualTo(json("[1]"));
    assertError(call("GET", "/subjects/s/versions/2?deleted=true", null), 404, 40402, "Version 2 not found.");
    assertError(call("DELETE", "/subjects/s/versions/2?permanent=true", null), 404, 40402, "Version 2 not found.");
    assertThat(register("s", V2_AGE_WITH_DEFAULT)).isEqualTo(3);
    assertThat(call("GET", "/subjects/s/versions", null).json()).as("2 is free again").isEqualTo(json("[1,2]"));
  }

  @Test
  void permanentlyDeletingAVersionThatWasNotSoftDeletedFirstIs40407() throws Exception {
    register("s", V1);
    register("s", V2_OPTIONAL_FIELD);

    assertError(call("DELETE", "/subjects/s/versions/1?permanent=true", null), 404, 40407,
        "Subject 's' Version 1 was not deleted first before being permanently deleted");
    assertError(call("DELETE", "/subjects/s/versions/latest?permanent=true", null), 404, 40407,
        "Subject 's' Version 2 was not deleted first before being permanently deleted");
    assertThat(call("GET", "/subjects/s/versions", null).json()).isEqualTo(json("[1,2]"));
  }

  @Test
  void deletingAVersionThatIsNotThere() throws Exception {
    assertError(call("DELETE", "/subjects/nobody/versions/1", null), 404, 40401, "Subject 'nobody' not found.");
    register("s", V1);
    assertError(call("DELETE", "/subjects/s/versions/7", null), 404, 40402, "Version 7 not found.");
    assertThat(call("DELETE", "/subjects/s/versions/0", null).json().get("error_code").asInt()).isEqualTo(42202);
    assertThat(call("DELETE", "/subjects/s/versions/latest", null).json()).isEqualTo(json("1"));
    assertError(call("DELETE", "/subjects/s/versions/latest", null), 404, 40402, "Version -1 not found.");
  }

  @Test
  void softDeletedSubjectsVersionsAndSchemasAreListedAndFoundOnlyOnRequest() throws Exception {
    register("a", V1);
    register("a", V2_OPTIONAL_FIELD);
    register("b", V2_AGE_WITH_DEFAULT);
    call("DELETE", "/subjects/a/versions/1", null);
    call("DELETE", "/subjects/b", null);

    assertThat(call("GET", "/subjects", null).json()).isEqualTo(json("[\"a\"]"));
    assertThat(call("GET", "/subjects?deleted=true", null).json()).isEqualTo(json("[\"a\",\"b\"]"));
    assertThat(call("GET", "/subjects?deletedOnly=true", null).json()).isEqualTo(json("[\"b\"]"));
    assertThat(call("GET", "/subjects/a/versions?deletedOnly=true", null).json()).isEqualTo(json("[1]"));
    assertThat(call("GET", "/subjects/b/versions?deleted=true", null).json()).isEqualTo(json("[1]"));
    assertError(call("POST", "/subjects/a", schemaBody(V1)), 404, 40403, "Schema not found");
    assertThat(call("POST", "/subjects/a?deleted=true", schemaBody(V1)).json().get("version").asInt()).isEqualTo(1);
    assertThat(call("POST", "/subjects/b?deleted=true", schemaBody(V2_AGE_WITH_DEFAULT)).json().get("id").asInt()).isEqualTo(3);
  }

  @Test
  void aPermanentDeleteSurvivesARestart() throws Exception {
    register("a", V1);
    register("a", V2_OPTIONAL_FIELD);
    register("b", V2_AGE_WITH_DEFAULT);
    call("PUT", "/config/b", "{\"compatibility\":\"NONE\"}");
    call("DELETE", "/subjects/a/versions/2", null);
    call("DELETE", "/subjects/a/versions/2?permanent=true", null);
    call("DELETE", "/subjects/b", null);
    call("DELETE", "/subjects/b?permanent=true", null);
    server.close();

    server = new SchemaRegistryServer("127.0.0.1", 0, storage);

    assertThat(call("GET", "/subjects?deleted=true", null).json()).isEqualTo(json("[\"a\"]"));
    assertThat(call("GET", "/subjects/a/versions?deleted=true", null).json()).isEqualTo(json("[1]"));
    assertError(call("GET", "/schemas/ids/3", null), 404, 40403, "Schema 3 not found");
    assertThat(call("GET", "/config/b", null).status()).isEqualTo(404);
    assertThat(register("b", V1)).isEqualTo(1);
    assertThat(call("GET", "/subjects/b/versions", null).json()).isEqualTo(json("[1]"));
  }

  @Test
  void withRequiredCredentialsEveryRequestMustAuthenticate() throws Exception {
    server.close();
    server = new SchemaRegistryServer("127.0.0.1", 0, storage, "gate:s3cret");

    Answer anonymous = call("GET", "/subjects", null);
    assertError(anonymous, 401, 401, "Unauthorized");
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    assertThat(send(request("GET", "/subjects", null).header("Authorization", basic("gate:wrong"))).status()).isEqualTo(401);
    assertThat(send(request("GET", "/subjects", null).header("Authorization", basic("gate:s3cret"))).status()).isEqualTo(200);
  }

  @Test
  void answersPlainJsonToClientsThatAcceptOnlyThat() throws Exception {
    Answer answer = send(request("GET", "/subjects", null).header("Accept", "application/json"));
    assertThat(answer.contentType()).isEqualTo("application/json");
  }

  @Test
  void aStorageFailureIs500WithErrorCode50001AndChangesNothing() throws Exception {
    server.close();
    server = new SchemaRegistryServer("127.0.0.1", 0, new RegistryStorage() {
      @Override
      public List<RegistryEntry> load() {
        return List.of();
      }

      @Override
      public void append(RegistryEntry entry) {
        throw new RegistryStorageException("disk on fire", null);
      }

      @Override
      public void close() {}
    });

    Answer answer = call("POST", "/subjects/s/versions", schemaBody(V1));
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.json().get("error_code").asInt()).isEqualTo(50001);
    assertThat(answer.json().get("message").asText()).contains("disk on fire");
    assertThat(call("GET", "/subjects", null).json()).isEqualTo(json("[]"));
  }

  @Test
  void whatTheHttpServerRefusesItselfIsAlsoAConfluentError() throws Exception {
    int port = Integer.parseInt(server.url().substring(server.url().lastIndexOf(':') + 1));

    io.consentgate.runtime.http.RawHttp.Reply malformed = io.consentgate.runtime.http.RawHttp.get(port, "/subjects/%ZZ/versions");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(malformed.json().get("error_code").asInt()).isEqualTo(400);
    assertThat(malformed.body()).doesNotContain("Exception", "<html");

    byte[] huge = new byte[9 << 20];
    java.util.Arrays.fill(huge, (byte) ' ');
    io.consentgate.runtime.http.RawHttp.Reply tooLarge = io.consentgate.runtime.http.RawHttp.exchange(port,
        "POST /subjects/s/versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\n"
            + "Content-Length: " + huge.length + "\r\n", huge);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.json().get("error_code").asInt()).isEqualTo(413);
    assertThat(call("GET", "/subjects", null).json()).as("nothing registered, still answering").isEqualTo(json("[]"));
  }

  private int register(String subject, String schema) throws Exception {
    Answer answer = call("POST", "/subjects/" + subject + "/versions", schemaBody(schema));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json().get("id").asInt();
  }

  private static String schemaBody(String schema) {
    return JSON.createObjectNode().put("schema", schema).toString();
  }

  private static JsonNode json(String text) throws IOException {
    return JSON.readTree(text);
  }

  private static void assertError(Answer answer, int status, int errorCode, String message) throws IOException {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.json()).isEqualTo(JSON.createObjectNode().put("error_code", errorCode).put("message", message));
  }

  private static String basic(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  private Answer call(String method, String path, String body) throws Exception {
    return send(request(method, path, body));
  }

  private HttpRequest.Builder request(String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json");
    return request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
  }

  private static Answer send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.headers(), response.body());
  }

  private record Answer(int status, HttpHeaders headers, String body) {

    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }

    String contentType() {
      return headers.firstValue("Content-Type").orElse(null);
    }
  }
}
