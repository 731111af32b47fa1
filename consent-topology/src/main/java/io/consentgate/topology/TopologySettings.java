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
 * @param epoch the epoch every verdict is published in (one more after each re-decision from scratch)
 * @param catchUp whether the gate re-decides its history quietly first (see {@link CatchUp})
 */
public record TopologySettings(GateTopics topics, PolicySettings policy, Duration lapseCheckInterval,
                               boolean durableStores, ContactOwnership ownership, boolean rerouteMisrouted,
                               long epoch, CatchUp catchUp) {

  public static final Duration DEFAULT_LAPSE_CHECK_INTERVAL = Duration.ofMinutes(1);

  public TopologySettings {
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(ownership, "ownership");
    Objects.requireNonNull(catchUp, "catchUp");
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must not be negative: " + epoch);
    }
    Objects.requireNonNull(lapseCheckInterval, "lapseCheckInterval"); // positive: the configuration's definition checks it
  }

  /** Input topics of one partition, as in an offline replay or a TopologyTestDriver. */
  public TopologySettings(GateTopics topics, PolicySettings policy, Duration lapseCheckInterval, boolean durableStores) {
    this(topics, policy, lapseCheckInterval, durableStores, new ContactOwnership(1), true, 0, CatchUp.LIVE);
  }

  public static TopologySettings defaults() {
    return new TopologySettings(GateTopics.DEFAULTS, PolicySettings.defaults(), DEFAULT_LAPSE_CHECK_INTERVAL, true);
  }

  public TopologySettings withInputPartitions(int inputPartitions) {
    return new TopologySettings(topics, policy, lapseCheckInterval, durableStores, new ContactOwnership(inputPartitions),
        rerouteMisrouted, epoch, catchUp);
  }

  /** The same topology on other topics (say, without the audit trail). */
  public TopologySettings withTopics(GateTopics otherTopics) {
    return new TopologySettings(otherTopics, policy, lapseCheckInterval, durableStores, ownership, rerouteMisrouted, epoch,
        catchUp);
  }

  /** The topology as it was before re-routing existed: for the benchmark's paired comparison only. */
  public TopologySettings withoutRerouting() {
    return new TopologySettings(topics, policy, lapseCheckInterval, durableStores, ownership, false, epoch, catchUp);
  }

  /** Verdicts in {@code epoch}, deciding quietly first while {@code catchUp} says the gate re-decides its history. */
  public TopologySettings inEpoch(long epoch, CatchUp catchUp) {
    return new TopologySettings(topics, policy, lapseCheckInterval, durableStores, ownership, rerouteMisrouted, epoch, catchUp);
  }
}
