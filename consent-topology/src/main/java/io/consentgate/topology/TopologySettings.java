package io.consentgate.topology;

import io.consentgate.topics.GateTopics;

import io.consentgate.policy.PolicySettings;
import java.time.Duration;
import java.util.Objects;

/**
 * What the topology is built from.
 *
 * @param lapseCheckInterval how often the gate looks for implicit consents that have lapsed
 * @param durableStores RocksDB stores backed by changelog topics (the service), or in-memory stores
 *     without changelog (a one-off offline replay, where the state lives only as long as the run)
 * @param ownership which input partition owns each contact; the service sets it from the input
 *     topics it finds at startup
 * @param rerouteMisrouted send records that arrive on another partition than their contact's owner
 *     through the re-routing topic to the owner; off only to measure what the step costs
 */
public record TopologySettings(GateTopics topics, PolicySettings policy, Duration lapseCheckInterval,
                               boolean durableStores, ContactOwnership ownership, boolean rerouteMisrouted) {

  public static final Duration DEFAULT_LAPSE_CHECK_INTERVAL = Duration.ofMinutes(1);

  public TopologySettings {
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(ownership, "ownership");
    if (lapseCheckInterval.isNegative() || lapseCheckInterval.isZero()) {
      throw new IllegalArgumentException("lapse check interval must be positive: " + lapseCheckInterval);
    }
  }

  /** Input topics of one partition, as in an offline replay or a TopologyTestDriver. */
  public TopologySettings(GateTopics topics, PolicySettings policy, Duration lapseCheckInterval, boolean durableStores) {
    this(topics, policy, lapseCheckInterval, durableStores, new ContactOwnership(1), true);
  }

  public static TopologySettings defaults() {
    return new TopologySettings(GateTopics.DEFAULTS, PolicySettings.defaults(), DEFAULT_LAPSE_CHECK_INTERVAL, true);
  }

  public TopologySettings withInputPartitions(int inputPartitions) {
    return new TopologySettings(topics, policy, lapseCheckInterval, durableStores, new ContactOwnership(inputPartitions),
        rerouteMisrouted);
  }

  /** The topology as it was before re-routing existed: for the benchmark's paired comparison only. */
  public TopologySettings withoutRerouting() {
    return new TopologySettings(topics, policy, lapseCheckInterval, durableStores, ownership, false);
  }
}
