package io.consentgate.chaos;

import io.consentgate.runtime.GateEpoch;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.ConsentGateTopology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/** What the driver asks the cluster: how far a gate has read, where the verdict topic ends, who leads what. */
final class ClusterView implements AutoCloseable {

  private static final long TIMEOUT_SECONDS = 20;

  private final Admin admin;
  private final Map<String, Object> clientProps;
  private final GateTopics topics;

  ClusterView(Map<String, Object> clientProps, GateTopics topics) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(10));
    this.admin = Admin.create(props);
    this.clientProps = clientProps;
    this.topics = topics;
  }

  /**
   * True when the application's group has committed every committed input record, and every record
   * it re-routed to its own partitions: all the input is in its state and its verdicts.
   */
  boolean caughtUp(String applicationId) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
        .partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<String> read = new ArrayList<>(List.of(topics.contactCreated(), topics.consentEvidence()));
    java.util.Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    for (String internal : io.consentgate.topics.GateApplication.internalTopicsInOrder(applicationId)) {
      if (existing.contains(internal)) {
        read.add(internal);
      }
    }
    for (var end : ends(read, IsolationLevel.READ_COMMITTED).entrySet()) {
      OffsetAndMetadata c = committed.get(end.getKey());
      if (end.getValue() > 0 && (c == null || c.offset() < end.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** The gate's recorded epoch and whether it is live in it. */
  Optional<GateEpoch.Value> epoch(String applicationId) {
    return GateEpoch.read(clientProps, applicationId);
  }

  /** The verdict topic's end offsets, transactions open or not: any change is a gate writing. */
  Map<TopicPartition, Long> verdictEnds() throws Exception {
    return ends(List.of(topics.verdicts()), IsolationLevel.READ_UNCOMMITTED);
  }

  /** True when nothing is left open on the verdict topic: every transaction committed or aborted. */
  boolean verdictsSettled() throws Exception {
    return ends(List.of(topics.verdicts()), IsolationLevel.READ_COMMITTED).equals(verdictEnds());
  }

  Map<TopicPartition, Long> ends(List<String> names, IsolationLevel isolation) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).values()) {
      d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .forEach((p, info) -> out.put(p, info.offset()));
    return out;
  }

  /** Every partition of the topics the gate reads and writes, with its leader (-1: none). */
  Map<TopicPartition, Integer> leaders() throws Exception {
    Map<TopicPartition, Integer> out = new HashMap<>();
    List<String> names = List.of(topics.contactCreated(), topics.consentEvidence(), topics.verdicts());
    for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        out.put(new TopicPartition(d.name(), p.partition()), p.leader() == null ? -1 : p.leader().id());
      }
    }
    return out;
  }

  /** Partitions, internal ones included, whose in-sync replicas are fewer than their replicas. */
  List<TopicPartition> underReplicated() throws Exception {
    var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<TopicPartition> out = new ArrayList<>();
    for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        if (p.isr().size() < p.replicas().size()) {
          out.add(new TopicPartition(d.name(), p.partition()));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(5));
  }
}
