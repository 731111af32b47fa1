package io.consentgate.topology;

import io.consentgate.policy.PolicySettings;
import java.time.Duration;

/**
 * What the topology is built from.
 *
 * @param lapseCheckInterval how often the gate looks for implicit consents that have lapsed
 * @param durableStores RocksDB stores backed by changelog topics (the service), or in-memory stores
 *     without changelog (a one-off offline replay, where the state lives only as long as the run)
 */
public record TopologySettings(GateTopics topics, PolicySettings policy, Duration lapseCheckInterval,
                               boolean durableStores) {

  public static final Duration DEFAULT_LAPSE_CHECK_INTERVAL = Duration.ofMinutes(1);

  public TopologySettings {
    if (lapseCheckInterval.isNegative() || lapseCheckInterval.isZero()) {
      throw new IllegalArgumentException("lapse check interval must be positive: " + lapseCheckInterval);
    }
  }

  public static TopologySettings defaults() {
    return new TopologySettings(GateTopics.DEFAULTS, PolicySettings.defaults(), DEFAULT_LAPSE_CHECK_INTERVAL, true);
  }
}
