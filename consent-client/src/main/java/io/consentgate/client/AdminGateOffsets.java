package io.consentgate.client;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import io.consentgate.topics.GateApplication;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The gate's progress through the Admin API: the input topics' end offsets (last stable offsets:
 * records of an open transaction are not yet the gate's to read) and the offsets its consumer group
 * (the {@code application.id}) has committed. Needs DESCRIBE on the input topics, on the gate's internal
 * topics (without it they are not seen, and suppressions on their way are not waited for) and on the group.
 */
final class AdminGateOffsets implements ConsentClient.GateOffsets {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Admin admin;
  private final String applicationId;
  private final List<String> inputs;
  private final String epochTopic;
  private final KafkaConsumer<String, String> epochReader;
  private boolean epochAssigned;
  private OptionalLong epoch = OptionalLong.empty();

  AdminGateOffsets(ClientConfig config) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "consent-client-gate-watch");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    config.kafka.forEach((k, v) -> {
      if (AdminClientConfig.configNames().contains(k)) {
        props.put(k, v);
      }
    });
    this.admin = Admin.create(props);
    Map<String, Object> consumerProps = new HashMap<>();
    config.kafka.forEach((k, v) -> {
      if (ConsumerConfig.configNames().contains(k)) {
        consumerProps.put(k, v);
      }
    });
    consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "consent-client-gate-epoch");
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.epochTopic = GateApplication.epochTopic(config.applicationId);
    this.epochReader = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer());
    this.applicationId = config.applicationId;
    this.inputs = List.of(config.contactCreatedTopic, config.consentEvidenceTopic);
  }

  @Override
  public Map<TopicPartition, Long> inputEnds() throws Exception {
    // The gate's internal topics count as input too: a withdrawal of one contact reaches the other
    // contacts with its address through them, and a sender must not be told the gate has caught up
    // while that is under way. A gate from before suppression by address has none of them.
    List<String> read = new java.util.ArrayList<>(inputs);
    java.util.Set<String> visible = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    for (String internal : GateApplication.internalTopicsInOrder(applicationId)) {
      if (visible.contains(internal)) {
        read.add(internal);
      }
    }
    Map<String, TopicDescription> topics = admin.describeTopics(read).allTopicNames()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    topics.values().forEach(d -> d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  @Override
  public Map<TopicPartition, Long> committed() throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
        .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, Long> out = new HashMap<>();
    committed.forEach((tp, o) -> {
      if (o != null) {
        out.put(tp, o.offset());
      }
    });
    return out;
  }

  /**
   * Reads on from where the last call stopped; the topic holds one record per application id and
   * changes only when the gate starts an epoch or goes live in it.
   */
  @Override
  public OptionalLong epoch() throws Exception {
    if (!epochAssigned) {
      if (epochReader.partitionsFor(epochTopic, TIMEOUT).isEmpty()) {
        return epoch; // the gate has never recorded an epoch
      }
      TopicPartition partition = new TopicPartition(epochTopic, 0);
      epochReader.assign(List.of(partition));
      epochReader.seekToBeginning(List.of(partition));
      epochAssigned = true;
    }
    TopicPartition partition = new TopicPartition(epochTopic, 0);
    long end = epochReader.endOffsets(List.of(partition), TIMEOUT).get(partition);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (epochReader.position(partition, TIMEOUT) < end) {
      if (System.nanoTime() > deadline) {
        throw new java.util.concurrent.TimeoutException("could not read " + epochTopic + " to its end");
      }
      for (ConsumerRecord<String, String> r : epochReader.poll(Duration.ofMillis(100))) {
        if (applicationId.equals(r.key())) {
          OptionalLong recorded = GateApplication.epochOf(r.value());
          if (recorded.isPresent()) {
            epoch = recorded;
          }
        }
      }
    }
    return epoch;
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
    epochReader.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
  }
}
