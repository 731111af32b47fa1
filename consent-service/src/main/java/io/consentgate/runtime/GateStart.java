package io.consentgate.runtime;

import io.consentgate.topics.GateTopics;
import io.consentgate.topology.ConsentGateTopology;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a gate decides before it starts: whether it may write to its verdict topic (one writer per
 * verdict topic), which epoch it publishes in, and whether it re-decides its history quietly
 * first. A gate that starts with no state and input waiting (a new application id, or after
 * {@code reset}) catches up quietly in a new epoch; any other gate goes on in its recorded one.
 */
public final class GateStart {

  private static final Logger LOG = LoggerFactory.getLogger(GateStart.class);

  /** Another application wrote the verdict topic last. */
  public static final class VerdictTopicTaken extends Exception {
    VerdictTopicTaken(String message) {
      super(message);
    }
  }

  private final long epoch;
  private final CatchUpWatch catchUp;

  private GateStart(long epoch, CatchUpWatch catchUp) {
    this.epoch = epoch;
    this.catchUp = catchUp;
  }

  public long epoch() {
    return epoch;
  }

  public CatchUpWatch catchUp() {
    return catchUp;
  }

  /**
   * @param takeOver write to a verdict topic another application id wrote last (a deliberate takeover)
   */
  public static GateStart prepare(Admin admin, Map<String, Object> clientProps, String applicationId, GateTopics topics,
                                  short replicationFactor, boolean takeOver) throws Exception {
    VerdictTopicTail tail = VerdictTopicTail.read(clientProps, topics.verdicts());
    List<String> others = tail.writers().stream().filter(w -> !w.equals(applicationId)).toList();
    if (!others.isEmpty() && !takeOver) {
      throw new VerdictTopicTaken("verdict topic " + topics.verdicts() + " was last written by application id "
          + String.join(", ", others) + ", not by this gate (" + applicationId + "). Two gates writing one verdict topic "
          + "would interleave their verdicts; give this gate its own verdict topic (blue/green, see README "
          + "\"Changing the policy\"), or stop the other gate and take the topic over with --set verdicts.take-over=true");
    }
    GateEpoch.Value recorded = GateEpoch.read(clientProps, applicationId).orElse(null);
    GateEpoch.Value value;
    if (recorded != null) {
      value = recorded;
    } else if (freshWithInput(admin, applicationId, topics)) {
      value = new GateEpoch.Value(tail.latestEpoch() + 1, GateEpoch.State.CATCHING_UP); // 0 on an empty topic
    } else {
      value = new GateEpoch.Value(Math.max(0, tail.latestEpoch()), GateEpoch.State.LIVE); // state from before epochs, or no input yet
    }
    if (!others.isEmpty() && value.epoch() <= tail.latestEpoch()) {
      value = new GateEpoch.Value(tail.latestEpoch() + 1, value.state()); // a takeover must outrank what is there
      LOG.warn("taking over verdict topic {} from {}: publishing in epoch {}", topics.verdicts(), others, value.epoch());
    }
    if (!value.equals(recorded)) {
      GateEpoch.write(admin, clientProps, applicationId, value, replicationFactor);
    }
    long epoch = value.epoch();
    if (value.state() == GateEpoch.State.LIVE) {
      LOG.info("publishing verdicts in epoch {}", epoch);
      return new GateStart(epoch, CatchUpWatch.live());
    }
    CatchUpWatch watch = CatchUpWatch.start(clientProps, applicationId, List.of(topics.contactCreated(), topics.consentEvidence()),
        ConsentGateTopology.reroutingTopic(applicationId), watchAdmin -> {
          try {
            GateEpoch.write(watchAdmin, clientProps, applicationId, new GateEpoch.Value(epoch, GateEpoch.State.LIVE),
                replicationFactor);
          } catch (Exception e) {
            LOG.warn("cannot record epoch {} as live yet: {}", epoch, e.toString());
          }
        });
    return new GateStart(epoch, watch);
  }

  /** No offsets committed by the gate's group, and input waiting: a gate with everything to decide. */
  private static boolean freshWithInput(Admin admin, String applicationId, GateTopics topics) throws Exception {
    if (!admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS).isEmpty()) {
      return false;
    }
    Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
    for (var d : admin.describeTopics(List.of(topics.contactCreated(), topics.consentEvidence())).allTopicNames()
        .get(15, TimeUnit.SECONDS).values()) {
      d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
    }
    return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(15, TimeUnit.SECONDS)
        .values().stream().anyMatch(info -> info.offset() > 0);
  }
}
