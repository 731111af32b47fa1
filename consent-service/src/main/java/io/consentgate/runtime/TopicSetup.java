package io.consentgate.runtime;

import io.consentgate.topology.ConsentGateTopology;
import io.consentgate.topics.GateTopics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate's topics: checked before the gate starts (they exist, the inputs are co-partitioned)
 * and, on request, created with the settings docs/events.md gives them.
 */
public final class TopicSetup {

  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
  private static final long TIMEOUT_SECONDS = 15;
  static final String TIMESTAMP_TYPE = "message.timestamp.type";
  static final String LOG_APPEND_TIME = "LogAppendTime";
  /** The gate's changelog topics, by store name; they carry event times just as verdicts do. */
  private static final List<String> CHANGELOG_STORES =
      List.of(ConsentGateTopology.CONSENT_STORE, ConsentGateTopology.LAPSE_INDEX_STORE);

  /** Ten years: how long the audit topic keeps what the gate said. */
  static final long AUDIT_RETENTION_MS = 10L * 366 * 24 * 3600 * 1000;

  /**
   * History and proof are kept forever; verdicts are compacted to the latest per contact. Verdicts
   * carry their decision (event) time, often years old: with CreateTime the broker would roll a
   * segment on nearly every append (segment age is measured from the first record's timestamp)
   * and compact at once, so the verdict topic is stamped with the append time instead. The audit
   * topic keeps every verdict (delete, ten years), stamped with the append time for the same
   * reason and because that time is what it records: when the gate said it.
   *
   * <p>The input topics are stamped with the append time too: the gate takes event time from the
   * payload and never reads their timestamps, so the timestamp can record when each record became
   * known, the broker's clock rather than a producer's, which is what {@code export} writes as
   * {@code appendedAt} and what {@code explain} asks about.
   */
  static Map<String, String> settingsOf(GateTopics topics, String topic) {
    if (topic.equals(topics.verdicts())) {
      return Map.of("cleanup.policy", "compact", TIMESTAMP_TYPE, LOG_APPEND_TIME);
    }
    if (topic.equals(topics.verdictsAudit())) {
      return Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(AUDIT_RETENTION_MS), "retention.bytes", "-1",
          TIMESTAMP_TYPE, LOG_APPEND_TIME);
    }
    if (topic.equals(topics.deadLetters())) {
      return Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(365L * 24 * 3600 * 1000),
          TIMESTAMP_TYPE, LOG_APPEND_TIME);
    }
    return Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1", TIMESTAMP_TYPE, LOG_APPEND_TIME);
  }

  /** Why the gate cannot start on these topics. */
  public static class TopicProblem extends Exception {
    public TopicProblem(String message) {
      super(message);
    }
  }

  /** Kafka did not answer at all: a wrong address, or no broker. */
  public static final class KafkaUnanswered extends TopicProblem {
    KafkaUnanswered() {
      super("Kafka did not answer within " + TIMEOUT_SECONDS + " s (is bootstrap.servers right, and is the broker up?)");
    }
  }

  private TopicSetup() {}

  /**
   * Creates the missing topics when {@code create} is set, then checks that all four exist (five
   * with the audit topic), that the two input topics have the same number of partitions, and that
   * every topic the gate writes event times to stamps records with the broker's append time.
   *
   * @return the partition count of the input topics
   */
  public static int ensure(Admin admin, GateTopics topics, String applicationId, boolean create, int partitions,
                           short replicationFactor) throws TopicProblem {
    List<String> all = new ArrayList<>(List.of(topics.contactCreated(), topics.consentEvidence(), topics.verdicts(),
        topics.deadLetters()));
    if (topics.audits()) {
      all.add(topics.verdictsAudit());
    }
    Set<String> existing = call(() -> admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    List<String> missing = all.stream().filter(t -> !existing.contains(t)).toList();
    if (!missing.isEmpty()) {
      refusedAccess(admin, missing); // a topic the principal may not see is not listed: say so
      if (!create) {
        throw new TopicProblem("missing topic(s) " + missing + " on the cluster; create them (see docs/operating.md, Topics) "
            + "or start with --create-topics");
      }
      create(admin, topics, missing, partitions, replicationFactor);
    }
    Map<String, TopicDescription> described = describeWhenReady(admin, all);
    int contactPartitions = described.get(topics.contactCreated()).partitions().size();
    int evidencePartitions = described.get(topics.consentEvidence()).partitions().size();
    if (contactPartitions != evidencePartitions) {
      throw new TopicProblem("input topics are not co-partitioned: " + topics.contactCreated() + " has "
          + contactPartitions + " partitions, " + topics.consentEvidence() + " has " + evidencePartitions
          + "; both must have the same number so that a contact's records meet in one task");
    }
    List<String> stamped = new ArrayList<>(List.of(topics.verdicts(), topics.deadLetters()));
    if (topics.audits()) {
      stamped.add(topics.verdictsAudit());
    }
    Set<String> present = call(() -> admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    for (String store : CHANGELOG_STORES) {
      String changelog = applicationId + "-" + store + "-changelog";
      if (present.contains(changelog)) {
        stamped.add(changelog);
      }
    }
    requireLogAppendTime(admin, stamped);
    noteInputTimestamps(admin, topics);
    return contactPartitions;
  }

  /**
   * The gate itself does not care how the input topics stamp their records, but what {@code export}
   * and {@code explain} call "appended at" does: with CreateTime it is the producer's clock.
   */
  private static void noteInputTimestamps(Admin admin, GateTopics topics) {
    try {
      List<String> createTime = new ArrayList<>();
      for (String input : List.of(topics.contactCreated(), topics.consentEvidence())) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, input);
        ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .get(resource).get(TIMESTAMP_TYPE);
        if (entry != null && !LOG_APPEND_TIME.equals(entry.value())) {
          createTime.add(input);
        }
      }
      if (!createTime.isEmpty()) {
        LOG.info("input topic(s) {} use {}=CreateTime: the gate does not mind, but the append times that export writes "
            + "and explain asks about are then the producers' clocks, not the broker's (docs/data-teams.md, Event time and append time)",
            createTime, TIMESTAMP_TYPE);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("could not read the input topics' timestamp type", e); // a note only; DESCRIBE_CONFIGS is not required on inputs
    }
  }

  /** The partition count of the input topics, as {@link #ensure} checked it. */
  public static int inputPartitions(Admin admin, GateTopics topics) throws TopicProblem {
    Map<String, TopicDescription> described = describeWhenReady(admin, List.of(topics.contactCreated()));
    return described.get(topics.contactCreated()).partitions().size();
  }

  /**
   * Records the gate writes carry event times, which may be years old or, for a valid record, up
   * to 2100. A broker refuses a CreateTime more than an hour ahead of its clock (the partition would
   * stop for good), and deletes a record older than the retention at once: only the append time
   * is safe. Streams does not change the settings of a topic that exists, so they are checked here.
   */
  private static void requireLogAppendTime(Admin admin, List<String> topicNames) throws TopicProblem {
    List<ConfigResource> resources = topicNames.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs = call(() -> admin.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    List<String> wrong = new ArrayList<>();
    for (ConfigResource resource : resources) {
      ConfigEntry entry = configs.get(resource).get(TIMESTAMP_TYPE);
      if (entry == null || !LOG_APPEND_TIME.equals(entry.value())) {
        wrong.add(resource.name() + " (" + (entry == null ? "unknown" : entry.value()) + ")");
      }
    }
    if (!wrong.isEmpty()) {
      throw new TopicProblem("topic(s) " + wrong + " must have " + TIMESTAMP_TYPE + "=" + LOG_APPEND_TIME
          + ": the gate writes event times, which the broker refuses when more than an hour ahead and deletes at once "
          + "when older than the retention. Fix: kafka-configs --alter --entity-type topics --entity-name <topic> "
          + "--add-config " + TIMESTAMP_TYPE + "=" + LOG_APPEND_TIME);
    }
  }

  /**
   * {@code listTopics} silently leaves out topics the principal may not describe; asking for them
   * by name tells an authorization failure apart from a missing topic.
   */
  private static void refusedAccess(Admin admin, List<String> topics) throws TopicProblem {
    try {
      admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new KafkaUnanswered();
      }
      if (e.getCause() instanceof TopicAuthorizationException) {
        throw new TopicProblem("not authorized to describe topic(s) " + topics + " (" + e.getCause().getMessage()
            + "); grant the gate's principal the ACLs listed in docs/operating.md, Security and ACLs");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicProblem("interrupted");
    } catch (TimeoutException e) {
      throw new KafkaUnanswered();
    }
  }

  /** Right after a create, the metadata may not have reached the broker yet: retry briefly. */
  private static Map<String, TopicDescription> describeWhenReady(Admin admin, List<String> topics) throws TopicProblem {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        return admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
          throw new KafkaUnanswered();
        }
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
          throw new TopicProblem("Kafka refused the topic check: " + e.getCause().getMessage());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopicProblem("interrupted");
      } catch (TimeoutException e) {
        throw new KafkaUnanswered();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopicProblem("interrupted");
      }
    }
  }

  private static void create(Admin admin, GateTopics topics, List<String> missing, int partitions, short rf)
      throws TopicProblem {
    // A new input topic follows the partition count of an existing one, so the pair stays co-partitioned.
    int count = partitions;
    Optional<Integer> existingInput = partitionsOfExistingInput(admin, topics, missing);
    if (existingInput.isPresent()) {
      count = existingInput.get();
    }
    List<NewTopic> newTopics = new ArrayList<>();
    for (String topic : missing) {
      NewTopic t = new NewTopic(topic, Optional.of(count), rf < 0 ? Optional.empty() : Optional.of(rf));
      newTopics.add(t.configs(new HashMap<>(settingsOf(topics, topic))));
    }
    try {
      admin.createTopics(newTopics).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new TopicProblem("cannot create topics " + missing + ": " + e.getCause().getMessage());
      }
    } catch (InterruptedException | TimeoutException e) {
      throw new TopicProblem("cannot create topics " + missing + ": " + e);
    }
    LOG.info("created topics {} with {} partitions", missing, count);
    awaitLeaders(admin, missing);
  }

  /**
   * Waits until every partition of new topics answers at its leader. Seen on a fresh KRaft broker:
   * a produce sent at once was appended yet answered NOT_LEADER_OR_FOLLOWER, and the idempotent
   * producer's retry was then refused as out of order until its delivery timeout, so a publish
   * right after --create-topics reported records it had written as not acknowledged. A ListOffsets
   * goes to the leader and is retried by the admin client until the leader serves it.
   */
  public static void awaitLeaders(Admin admin, List<String> created) {
    try {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(created).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((name, d) ->
          d.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
      admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Not fatal: producers retry; the gate's own clients wait for leaders too.
      LOG.warn("new topics {} have no leader serving every partition yet: {}", created, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Optional<Integer> partitionsOfExistingInput(Admin admin, GateTopics topics, List<String> missing)
      throws TopicProblem {
    for (String input : List.of(topics.contactCreated(), topics.consentEvidence())) {
      if (!missing.contains(input)) {
        TopicDescription d = call(() -> admin.describeTopics(List.of(input)).allTopicNames()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(input));
        return Optional.of(d.partitions().size());
      }
    }
    return Optional.empty();
  }

  private interface AdminCall<T> {
    T get() throws Exception;
  }

  private static <T> T call(AdminCall<T> call) throws TopicProblem {
    try {
      return call.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new KafkaUnanswered();
      }
      throw new TopicProblem("Kafka refused the topic check: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      throw new KafkaUnanswered();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicProblem("interrupted");
    } catch (Exception e) {
      throw new TopicProblem("topic check failed: " + e);
    }
  }
}
