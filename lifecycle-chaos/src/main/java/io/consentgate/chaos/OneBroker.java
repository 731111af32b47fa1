package io.consentgate.chaos;

import io.consentgate.dev.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;

/** The project's own single-node KRaft broker: every fault but a broker's. */
final class OneBroker implements ChaosCluster {

  private final EmbeddedKafka kafka;

  OneBroker(Path dir) {
    kafka = EmbeddedKafka.start(dir);
  }

  @Override
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  @Override
  public short replicationFactor() {
    return 1;
  }

  @Override
  public List<Integer> killableBrokers() {
    return List.of();
  }

  @Override
  public void killBroker(int id) {
    throw new UnsupportedOperationException("a single broker cannot be killed without losing the cluster");
  }

  @Override
  public void restartBroker(int id) {
    throw new UnsupportedOperationException("a single broker cannot be killed without losing the cluster");
  }

  @Override
  public String describe() {
    return "1 broker at " + kafka.bootstrapServers();
  }

  @Override
  public void close() {
    kafka.close();
  }
}
