package io.consentgate.chaos;

import java.util.List;

/**
 * The Kafka cluster a chaos run writes to: one in-process broker, or three with a controller of
 * their own, whose brokers the driver can kill and bring back.
 */
interface ChaosCluster extends AutoCloseable {

  String bootstrapServers();

  /** The replication factor for every topic of the run: all brokers. */
  short replicationFactor();

  /** Broker ids that can be killed; empty when losing a broker would lose the cluster. */
  List<Integer> killableBrokers();

  /** Stops a broker the way a crash does: without telling the controller first. */
  void killBroker(int id) throws Exception;

  /** Brings a killed broker back on its old port and log directories. */
  void restartBroker(int id) throws Exception;

  /** What the run calls it in messages. */
  String describe();

  @Override
  void close();
}
