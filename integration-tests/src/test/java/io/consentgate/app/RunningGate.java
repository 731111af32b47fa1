package io.consentgate.app;

import io.consentgate.runtime.GateService;
import io.consentgate.runtime.GateStart;
import io.consentgate.runtime.TopicSetup;
import org.apache.kafka.clients.admin.Admin;

/** A gate started exactly as {@code run} starts it: topics ensured, epoch and catch-up decided, then the gate. */
record RunningGate(GateService gate, GateStart start) implements AutoCloseable {

  static RunningGate start(GateRuntime runtime) throws Exception {
    return start(runtime, false);
  }

  /** @param takeOver as {@code run --take-over-verdict-topic} */
  static RunningGate start(GateRuntime runtime, boolean takeOver) throws Exception {
    GateConfig config = runtime.config();
    int partitions;
    GateStart start;
    try (Admin admin = runtime.admin()) {
      partitions = TopicSetup.ensure(admin, config.topics(), config.streams().applicationId(), true, config.topicCreation().partitions(),
          config.topicCreation().replicationFactor());
      start = GateStart.prepare(admin, config.kafka().clientProperties(), config.streams().applicationId(), config.topics(),
          config.topicCreation().replicationFactor(), takeOver);
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
