package io.consentgate.app;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where Kafka is and how to talk to it: shared by the gate, the admin client and the topic tools.
 *
 * @param bootstrapServers key {@code bootstrap.servers}
 * @param overrides the {@code kafka.*} keys without the prefix: any client (or Streams) property
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> overrides) {

  public KafkaSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    overrides = Map.copyOf(overrides);
  }

  /** The client settings: the bootstrap servers, then the overrides (which win); a new map, for the caller to add to. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>();
    props.put(GateConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    props.putAll(overrides);
    return props;
  }
}
