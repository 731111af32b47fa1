package io.consentgate.registry.server;

import io.consentgate.registry.IncompatibleSchemaException;
import io.consentgate.registry.RegistryUnreachableException;
import io.consentgate.registry.RestClientException;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.registry.SubjectVersion;
import static io.consentgate.registry.server.RegistryFixtures.V1;
import static io.consentgate.registry.server.RegistryFixtures.V2_OPTIONAL_FIELD;
import static io.consentgate.registry.server.RegistryFixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.dev.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry on a real broker: its state survives the registry process through the compacted topic. */
class KafkaRegistryStorageIT {

  @TempDir
  static Path dataDir;

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.start(dataDir);
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  @Test
  void aRegistryRestartedOnTheTopicKeepsIdsVersionsAndConfig() throws Exception {
    Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
    int v1;
    int v2;
    try (KafkaRegistryStorage storage = new KafkaRegistryStorage(client, KafkaRegistryStorage.DEFAULT_TOPIC, (short) 1);
         SchemaRegistryServer server = new SchemaRegistryServer("127.0.0.1", 0, storage)) {
      RestSchemaRegistry registry = new RestSchemaRegistry(Map.of(RestSchemaRegistry.SCHEMA_REGISTRY_URL, server.url()));
      v1 = registry.register("contacts-value", parse(V1));
      v2 = registry.register("contacts-value", parse(V2_OPTIONAL_FIELD));
      registry.register("other-value", parse(V1));
      setConfig(server.url(), "FULL");
    }

    try (Admin admin = Admin.create(client)) {
      assertThat(admin.describeTopics(List.of("_schemas")).allTopicNames().get().get("_schemas").partitions()).hasSize(1);
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "_schemas");
      Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
      assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
    }

    try (KafkaRegistryStorage storage = new KafkaRegistryStorage(client, KafkaRegistryStorage.DEFAULT_TOPIC, (short) 1);
         SchemaRegistryServer server = new SchemaRegistryServer("127.0.0.1", 0, storage)) {
      RestSchemaRegistry registry = new RestSchemaRegistry(Map.of(RestSchemaRegistry.SCHEMA_REGISTRY_URL, server.url()));
      assertThat(registry.latestVersion("contacts-value")).isEqualTo(new SubjectVersion("contacts-value", 2, v2, parse(V2_OPTIONAL_FIELD)));
      assertThat(registry.schemaById(v1)).isEqualTo(parse(V1));
      assertThat(registry.register("other-value", parse(V1))).isEqualTo(v1);
      assertThat(registry.latestVersion("other-value").version()).isEqualTo(1);
      assertThatThrownBy(() -> registry.register("other-value",
          parse(RegistryFixtures.record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"int\"}"))))
          .as("the global level FULL came back from the topic").isInstanceOf(IncompatibleSchemaException.class)
          .hasMessageContaining("FULL");
    }
  }

  @Test
  void aPermanentDeleteIsATombstoneThatARestartedRegistryHonours() throws Exception {
    Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
    String topic = "schemas-hard-delete";
    try (KafkaRegistryStorage storage = new KafkaRegistryStorage(client, topic, (short) 1);
         SchemaRegistryServer server = new SchemaRegistryServer("127.0.0.1", 0, storage)) {
      RestSchemaRegistry registry = new RestSchemaRegistry(Map.of(RestSchemaRegistry.SCHEMA_REGISTRY_URL, server.url()));
      registry.register("gone-value", parse(V1));
      registry.register("kept-value", parse(V2_OPTIONAL_FIELD));
      assertThat(send(server.url(), "DELETE", "/subjects/gone-value").statusCode()).isEqualTo(200);
      HttpResponse<String> hard = send(server.url(), "DELETE", "/subjects/gone-value?permanent=true");
      assertThat(hard.statusCode()).as(hard.body()).isEqualTo(200);
    }

    try (KafkaRegistryStorage storage = new KafkaRegistryStorage(client, topic, (short) 1);
         SchemaRegistryServer server = new SchemaRegistryServer("127.0.0.1", 0, storage)) {
      assertThat(send(server.url(), "GET", "/subjects?deleted=true").body()).isEqualTo("[\"kept-value\"]");
      assertThat(send(server.url(), "GET", "/subjects/gone-value/versions?deleted=true").statusCode()).isEqualTo(404);
      assertThat(send(server.url(), "GET", "/schemas/ids/1").statusCode()).isEqualTo(404);
      assertThat(send(server.url(), "GET", "/schemas/ids/2").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void refusesATopicThatWouldLoseSchemasOrTheirOrder() throws Exception {
    Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
    try (Admin admin = Admin.create(client)) {
      admin.createTopics(List.of(new NewTopic("schemas-deleting", 1, (short) 1),
          new NewTopic("schemas-partitioned", 3, (short) 1)
              .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all().get();
    }
    assertThatThrownBy(() -> new KafkaRegistryStorage(client, "schemas-deleting", (short) 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cleanup.policy=delete");
    assertThatThrownBy(() -> new KafkaRegistryStorage(client, "schemas-partitioned", (short) 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("3 partitions");
  }

  private static HttpResponse<String> send(String url, String method, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void setConfig(String url, String level) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url + "/config"))
            .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
  }
}
