package io.consentgate.app;

import io.consentgate.serde.ConfluentAvroSerde;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The schema registry client and the value serde.
 *
 * @param properties the registry client's settings with Confluent's names ({@code schema.registry.url},
 *     {@code basic.auth.*}, {@code auto.register.schemas}, {@code use.latest.version}, {@code schema.registry.ssl.*})
 * @param serdeClass key {@code value.serde}
 */
public record RegistrySettings(Map<String, String> properties, String serdeClass) {

  public RegistrySettings {
    properties = Map.copyOf(properties);
    Objects.requireNonNull(serdeClass, "serdeClass");
  }

  /** Key {@code schema.registry.url}: one URL or a comma-separated list tried in order. */
  public String url() {
    return properties.get(GateConfig.SCHEMA_REGISTRY_URL);
  }

  /** True for the gate's own serde, which talks to the registry through the gate's REST client. */
  public boolean usesGateSerde() {
    return serdeClass.equals(ConfluentAvroSerde.class.getName());
  }

  /** The client settings as a new map, for the caller to add to. */
  public Map<String, Object> clientProperties() {
    return new HashMap<>(properties);
  }
}
