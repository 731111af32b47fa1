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

  /** Another application id owns the verdict topic. */
  public static final class VerdictTopicTaken extends Exception {
    private final String owner;

    VerdictTopicTaken(String verdictTopic, String owner, String applicationId) {
      super("verdict topic " + verdictTopic + " belongs to application id " + owner + " (claims log "
          + VerdictTopicClaims.topic(verdictTopic) + "), not to this gate (" + applicationId + "): two gates writing one "
          + "verdict topic would interleave their verdicts");
      this.owner = owner;
    }

    /** The application id that owns the topic. */
    public String owner() {
      return owner;
    }
  }

  private final long epoch;
  private final CatchUpWatch catchUp;
  private final VerdictTopicClaims.Outcome claim;

  private GateStart(long epoch, CatchUpWatch catchUp, VerdictTopicClaims.Outcome claim) {
    this.epoch = epoch;
    this.catchUp = catchUp;
    this.claim = claim;
  }

  public long epoch() {
    return epoch;
  }

  public CatchUpWatch catchUp() {
    return catchUp;
  }

  /**
   * Watches the verdict topic's claims from where the start read them: {@code onLost} is told
   * the application id that takes the topic over while this gate runs.
   */
  public VerdictTopicClaims.Watch watchClaims(Map<String, Object> clientProps, String verdictTopic, String applicationId,
                                              java.util.function.Consumer<String> onLost) {
    return VerdictTopicClaims.watch(clientProps, verdictTopic, applicationId, claim.readUpTo(), onLost);
  }

  /**
   * @param takeOver write to a verdict topic another application id owns (a deliberate takeover:
   *     {@code run --take-over-verdict-topic})
   * @throws VerdictTopicTaken the claims log names another owner
   */
  public static GateStart prepare(Admin admin, Map<String, Object> clientProps, String applicationId, GateTopics topics,
                                  short replicationFactor, boolean takeOver) throws Exception {
    VerdictTopicTail tail = VerdictTopicTail.read(clientProps, topics.verdicts());
    List<String> others = tail.writers().stream().filter(w -> !w.equals(applicationId)).toList();
    VerdictTopicClaims.Outcome claim = VerdictTopicClaims.claim(admin, clientProps, topics.verdicts(), applicationId, takeOver,
        replicationFactor, tail.writers());
    if (!claim.owner().equals(applicationId)) {
      throw new VerdictTopicTaken(topics.verdicts(), claim.owner(), applicationId);
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
      return new GateStart(epoch, CatchUpWatch.live(), claim);
    }
    CatchUpWatch watch = CatchUpWatch.start(clientProps, applicationId, List.of(topics.contactCreated(), topics.consentEvidence()),
        io.consentgate.topics.GateApplication.internalTopicsInOrder(applicationId), watchAdmin -> {
          try {
            GateEpoch.write(watchAdmin, clientProps, applicationId, new GateEpoch.Value(epoch, GateEpoch.State.LIVE),
                replicationFactor);
          } catch (Exception e) {
            LOG.warn("cannot record epoch {} as live yet: {}", epoch, e.toString());
          }
        });
    return new GateStart(epoch, watch, claim);
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
