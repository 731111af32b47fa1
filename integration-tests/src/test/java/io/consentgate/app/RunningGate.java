package io.consentgate.app;

import io.consentgate.runtime.GateService;
import io.consentgate.runtime.GateStart;
import io.consentgate.runtime.TopicSetup;
import org.apache.kafka.clients.admin.Admin;

/** A gate started exactly as {@code run} starts it: topics ensured, epoch and catch-up decided, then the gate. */
record RunningGate(GateService gate, GateStart start) implements AutoCloseable {

  static RunningGate start(GateRuntime runtime) throws Exception {
    GateConfig config = runtime.config();
    int partitions;
    GateStart start;
    try (Admin admin = runtime.admin()) {
      partitions = TopicSetup.ensure(admin, config.topics(), config.applicationId(), true, config.topicPartitions(),
          config.topicReplicationFactor());
      start = GateStart.prepare(admin, config.kafkaClientProperties(), config.applicationId(), config.topics(),
          config.topicReplicationFactor(), false);
    }
    GateService gate = runtime.gateService(partitions, start);
    gate.start();
    return new RunningGate(gate, start);
  }

  @Override
  public void close() {
    gate.close();
    start.catchUp().close();
  }
}
