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

/**
 * The gate's progress through the Admin API: the input topics' end offsets (last stable offsets:
 * records of an open transaction are not yet the gate's to read) and the offsets its consumer group
 * (the {@code application.id}) has committed. Needs DESCRIBE on the input topics and on the group.
 */
final class AdminGateOffsets implements ConsentClient.GateOffsets {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Admin admin;
  private final String applicationId;
  private final List<String> inputs;

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
    this.applicationId = config.applicationId;
    this.inputs = List.of(config.contactCreatedTopic, config.consentEvidenceTopic);
  }

  @Override
  public Map<TopicPartition, Long> inputEnds() throws Exception {
    Map<String, TopicDescription> topics = admin.describeTopics(inputs).allTopicNames()
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

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
