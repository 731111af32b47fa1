package io.consentgate.runtime;

import io.consentgate.topology.CatchUp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's answer to {@link CatchUp}: a gate re-deciding its history has caught up once its
 * consumer group has committed, on every input partition, the end offset that partition had when
 * the gate started, and then, one after the other, each internal topic between the inputs and the
 * deciders (re-routing, and the suppression index's two) up to the end it had once the one before
 * was committed. Checked every second with the Admin API, so every instance sees the group as a whole.
 */
public final class CatchUpWatch implements CatchUp, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CatchUpWatch.class);

  private final boolean catchingUp;
  private final Admin admin;
  private final String applicationId;
  private final Map<TopicPartition, Long> targets;
  private final List<String> internalTopics;
  private final Consumer<Admin> onCaughtUp;
  private final ScheduledExecutorService timer;
  private volatile boolean caughtUp;
  /** How many internal topics are committed to their targets; the targets of the next one, once taken. */
  private int internalDone;
  private Map<TopicPartition, Long> internalTargets;

  private CatchUpWatch(boolean catchingUp, Admin admin, String applicationId, Map<TopicPartition, Long> targets,
                       List<String> internalTopics, Consumer<Admin> onCaughtUp) {
    this.catchingUp = catchingUp;
    this.admin = admin;
    this.applicationId = applicationId;
    this.targets = targets;
    this.internalTopics = internalTopics;
    this.onCaughtUp = onCaughtUp;
    this.caughtUp = !catchingUp;
    this.timer = catchingUp ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "consent-gate-catch-up");
      t.setDaemon(true);
      return t;
    }) : null;
  }

  /** A gate that is not re-deciding: live from the first record. */
  public static CatchUpWatch live() {
    return new CatchUpWatch(false, null, null, Map.of(), List.of(), admin -> { });
  }

  /**
   * Starts watching the group catch up with the input end offsets as they are now.
   *
   * @param onCaughtUp run once, with the watch's Admin client, when the inputs are caught up (records the epoch live)
   */
  public static CatchUpWatch start(Map<String, Object> clientProps, String applicationId, List<String> inputTopics,
                                   List<String> internalTopics, Consumer<Admin> onCaughtUp) throws Exception {
    Admin admin = Admin.create(clientProps); // the watch's own, closed with it
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (var d : admin.describeTopics(inputTopics).allTopicNames().get(15, TimeUnit.SECONDS).values()) {
      d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
    }
    Map<TopicPartition, Long> targets = new HashMap<>();
    admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(15, TimeUnit.SECONDS)
        .forEach((p, info) -> targets.put(p, info.offset()));
    CatchUpWatch watch = new CatchUpWatch(true, admin, applicationId, targets, internalTopics, onCaughtUp);
    LOG.info("re-deciding the history quietly: nothing is published until the gate has read {} input records",
        targets.values().stream().mapToLong(Long::longValue).sum());
    watch.timer.scheduleWithFixedDelay(watch::check, 1, 1, TimeUnit.SECONDS);
    return watch;
  }

  @Override
  public boolean catchingUp() {
    return catchingUp;
  }

  @Override
  public boolean inputsCaughtUp() {
    return caughtUp;
  }

  private void check() {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
          .partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
      for (var target : targets.entrySet()) {
        OffsetAndMetadata c = committed.get(target.getKey());
        if (target.getValue() > 0 && (c == null || c.offset() < target.getValue())) {
          return;
        }
      }
      while (internalDone < internalTopics.size()) {
        if (internalTargets == null) {
          // Every record of this topic caused by what is committed so far was written in the same
          // transactions as those commits: its end now is the last one the catch-up must wait for.
          internalTargets = ends(internalTopics.get(internalDone));
        }
        for (var target : internalTargets.entrySet()) {
          OffsetAndMetadata c = committed.get(target.getKey());
          if (target.getValue() > 0 && (c == null || c.offset() < target.getValue())) {
            return;
          }
        }
        internalDone++;
        internalTargets = null;
        if (internalDone < internalTopics.size()) {
          committed = admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata()
              .get(15, TimeUnit.SECONDS);
        }
      }
      caughtUp = true;
      LOG.info("caught up with the input as it was at start: publishing the current verdict of every contact once");
      onCaughtUp.accept(admin);
      timer.shutdown();
    } catch (Exception e) {
      LOG.warn("cannot check the catch-up yet: {}", e.toString());
    }
  }

  private Map<TopicPartition, Long> ends(String topic) throws Exception {
    Map<TopicPartition, Long> ends = new HashMap<>();
    if (!admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(topic)) {
      return ends;
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic).partitions()
        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(15, TimeUnit.SECONDS)
        .forEach((p, info) -> ends.put(p, info.offset()));
    return ends;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
      admin.close(java.time.Duration.ofSeconds(5));
    }
  }
}
