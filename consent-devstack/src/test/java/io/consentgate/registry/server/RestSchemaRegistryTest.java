package io.consentgate.registry.server;

import io.consentgate.registry.IncompatibleSchemaException;
import io.consentgate.registry.RegistryUnreachableException;
import io.consentgate.registry.RestClientException;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.registry.SubjectVersion;
import static io.consentgate.registry.server.RegistryFixtures.V1;
import static io.consentgate.registry.server.RegistryFixtures.V2_OPTIONAL_FIELD;
import static io.consentgate.registry.server.RegistryFixtures.V2_REQUIRED_FIELD;
import static io.consentgate.registry.server.RegistryFixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.events.ContactCreated;
import io.consentgate.events.ContactSource;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.SchemaRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryTest {

  private final InMemoryRegistryStorage storage = new InMemoryRegistryStorage();
  private SchemaRegistryServer server = new SchemaRegistryServer("127.0.0.1", 0, storage);

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void registersSchemasAndResolvesIdsWithConfluentsRules() {
    RestSchemaRegistry client = client(Map.of());
    int v1 = client.register("a-value", parse(V1));

    assertThat(client.register("b-value", parse(V1))).as("same schema, same global id").isEqualTo(v1);
    int v2 = client.register("a-value", parse(V2_OPTIONAL_FIELD));
    assertThat(v2).isNotEqualTo(v1);
    assertThat(client.latestVersion("a-value")).isEqualTo(new SubjectVersion("a-value", 2, v2, parse(V2_OPTIONAL_FIELD)));
    assertThat(client(Map.of()).schemaById(v1)).as("a fresh client asks the registry").isEqualTo(parse(V1));
  }

  @Test
  void anIncompatibleSchemaThrowsIncompatibleSchemaExceptionWithTheRegistrysCodeAndMessage() {
    RestSchemaRegistry client = client(Map.of());
    client.register("s", parse(V1));

    assertThatThrownBy(() -> client.register("s", parse(V2_REQUIRED_FIELD)))
        .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.errorCode()).isEqualTo(409);
        })
        .hasMessageContaining("subject 's'").hasMessageContaining(server.url())
        .hasMessageContaining("incompatible with an earlier schema");
  }

  @Test
  void anUnknownIdIsAnUnknownSchemaException() {
    assertThatThrownBy(() -> client(Map.of()).schemaById(42)).isInstanceOf(SchemaRegistry.UnknownSchemaException.class)
        .hasMessageContaining("42");
  }

  @Test
  void idsAndSchemasAreCachedForTheLifeOfTheClient() {
    RestSchemaRegistry writer = client(Map.of());
    int id = writer.register("s", parse(V1));
    long afterRegister = server.requestCount();
    assertThat(writer.register("s", parse(V1))).isEqualTo(id);
    assertThat(writer.schemaById(id)).as("a registered schema is known by its id").isEqualTo(parse(V1));
    assertThat(server.requestCount()).isEqualTo(afterRegister);

    RestSchemaRegistry reader = client(Map.of());
    reader.schemaById(id);
    reader.schemaById(id);
    assertThat(server.requestCount()).isEqualTo(afterRegister + 1);
  }

  @Test
  void fallsOverToTheNextUrlWhenOneIsUnreachable() {
    String dead = "http://127.0.0.1:" + freePort();
    RestSchemaRegistry client = new RestSchemaRegistry(Map.of(RestSchemaRegistry.SCHEMA_REGISTRY_URL, dead + "," + server.url()));

    assertThat(client.register("s", parse(V1))).isEqualTo(1);
    assertThat(client.schemaById(1)).isEqualTo(parse(V1));
  }

  @Test
  void whenNoUrlAnswersTheErrorNamesEachUrlAndWhy() {
    String dead1 = "http://127.0.0.1:" + freePort();
    String dead2 = "http://127.0.0.1:" + freePort();
    RestSchemaRegistry client = new RestSchemaRegistry(Map.of(RestSchemaRegistry.SCHEMA_REGISTRY_URL, dead1 + "," + dead2));

    assertThatThrownBy(() -> client.register("s", parse(V1))).isInstanceOf(RegistryUnreachableException.class)
        .hasMessageContaining("cannot register a schema under subject 's'")
        .hasMessageContaining(dead1).hasMessageContaining(dead2).hasMessageContaining("ConnectException");
  }

  @Test
  void sendsBasicAuthFromUserInfoOrFromTheUrl() {
    server.close();
    server = new SchemaRegistryServer("127.0.0.1", 0, storage, "gate:s3cret");

    RestSchemaRegistry userInfo = client(Map.of(RestSchemaRegistry.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
        RestSchemaRegistry.BASIC_AUTH_USER_INFO, "gate:s3cret"));
    assertThat(userInfo.register("s", parse(V1))).isEqualTo(1);

    String urlWithUserInfo = server.url().replace("http://", "http://gate:s3cret@");
    RestSchemaRegistry fromUrl = new RestSchemaRegistry(Map.of(RestSchemaRegistry.SCHEMA_REGISTRY_URL, urlWithUserInfo));
    assertThat(fromUrl.schemaById(1)).isEqualTo(parse(V1));

    RestSchemaRegistry wrong = client(Map.of(RestSchemaRegistry.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
        RestSchemaRegistry.BASIC_AUTH_USER_INFO, "gate:guess"));
    assertThatThrownBy(() -> wrong.schemaById(1)).isInstanceOfSatisfying(RestClientException.class,
        e -> assertThat(e.status()).isEqualTo(401)).hasMessageNotContaining("guess");
  }

  @Test
  void withoutAutoRegistrationTheSchemaMustAlreadyBeRegistered() {
    client(Map.of()).register("s", parse(V1));
    RestSchemaRegistry lookupOnly = client(Map.of(RestSchemaRegistry.AUTO_REGISTER_SCHEMAS, "false"));

    assertThat(lookupOnly.register("s", parse(V1))).isEqualTo(1);
    assertThatThrownBy(() -> lookupOnly.register("s", parse(V2_OPTIONAL_FIELD)))
        .isInstanceOfSatisfying(RestClientException.class, e -> assertThat(e.errorCode()).isEqualTo(40403))
        .hasMessageContaining("auto.register.schemas=false");
    assertThatThrownBy(() -> lookupOnly.register("other", parse(V1)))
        .isInstanceOfSatisfying(RestClientException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
    assertThat(client(Map.of()).latestVersion("s").version()).as("nothing was registered").isEqualTo(1);
  }

  @Test
  void useLatestVersionTakesTheLatestIdOnlyIfItEncodesLikeTheWrittenSchema() {
    RestSchemaRegistry admin = client(Map.of());
    // The registered text carries a doc the producer's copy lacks: same encoding, other id.
    Schema documented = parse(V1.replace("\"fields\"", "\"doc\":\"a contact\",\"fields\""));
    admin.register("s", parse(V1));
    int latestId = admin.register("s", documented);
    RestSchemaRegistry pinned = client(Map.of(RestSchemaRegistry.AUTO_REGISTER_SCHEMAS, "false",
        RestSchemaRegistry.USE_LATEST_VERSION, "true"));

    assertThat(pinned.register("s", parse(V1))).isEqualTo(latestId);
    assertThatThrownBy(() -> pinned.register("s", parse(V2_OPTIONAL_FIELD))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("use.latest.version").hasMessageContaining("does not encode like");
  }

  @Test
  void roundTripsThroughConfluentAvroSerdeWithAFreshClientOnTheReadingSide() {
    ContactCreated ann = ContactCreated.newBuilder().setContactId("c-1").setBrandId("acme").setEmail("ann@example.org")
        .setSource(ContactSource.OWN_CHANNEL).setCreatedAt(Instant.parse("2024-01-05T10:00:00Z")).build();
    byte[] bytes = new ConfluentAvroSerde<>(client(Map.of()), ContactCreated.class).serialize("contact-created", ann);

    ConfluentAvroSerde<ContactCreated> reader = new ConfluentAvroSerde<>(client(Map.of()), ContactCreated.class);
    assertThat(reader.deserialize("contact-created", bytes)).isEqualTo(ann);
    assertThat(client(Map.of()).latestVersion("contact-created-value").schema()).isEqualTo(reader.registeredSchema());
  }

  @Test
  void badSettingsAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> new RestSchemaRegistry(Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url");
    assertThatThrownBy(() -> client(Map.of(RestSchemaRegistry.AUTO_REGISTER_SCHEMAS, "yes")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas");
    assertThatThrownBy(() -> client(Map.of(RestSchemaRegistry.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info");
    assertThatThrownBy(() -> new RestSchemaRegistry(Map.of(RestSchemaRegistry.SCHEMA_REGISTRY_URL, "ftp://u:pw@host")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url").hasMessageNotContaining("pw");
    assertThatThrownBy(() -> client(Map.of(RestSchemaRegistry.SSL_TRUSTSTORE_LOCATION, "/no/such/truststore.jks")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.ssl.truststore.location");
  }

  @Test
  void loadsATruststoreForHttps() {
    Path cacerts = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
    RestSchemaRegistry client = client(Map.of(RestSchemaRegistry.SSL_TRUSTSTORE_LOCATION, cacerts.toString(),
        RestSchemaRegistry.SSL_TRUSTSTORE_PASSWORD, "changeit"));
    assertThat(client.register("s", parse(V1))).as("plain http still works alongside").isEqualTo(1);
  }

  private RestSchemaRegistry client(Map<String, String> settings) {
    Map<String, Object> config = new HashMap<>(settings);
    config.putIfAbsent(RestSchemaRegistry.SCHEMA_REGISTRY_URL, server.url());
    return new RestSchemaRegistry(config);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
