package io.consentgate.chaos;

import java.nio.file.Path;
import java.util.List;

/**
 * One chaos run.
 *
 * @param seed seeds the generator's records, the faults' kinds, moments and victims
 * @param records input records the generator writes at least: it goes on while faults last
 * @param faults faults injected while it writes (the opening race, if any, comes on top)
 * @param brokers 1 (the project's EmbeddedKafka) or 3 (Kafka's test kit; broker faults too)
 * @param partitions of the input topics, and so the gate's tasks
 * @param kinds the faults to draw from, in a seeded order, each once before any twice
 * @param rate records per second the generator writes at most, after the base of contacts; 0 for
 *     {@link LifecycleChaos#autoRate}
 * @param crc32Share share of the records sent by the producer that partitions with CRC32
 * @param race open the run with two application ids started at the same moment
 * @param gateJar the production jar, consent-gate.jar
 * @param gateHeap -Xmx of each gate's JVM
 * @param dir where the brokers, the gates' state and logs and the checker's files go
 */
record ChaosSettings(long seed, long records, int faults, List<Fault> kinds, int brokers, int partitions, int rate, double crc32Share,
                     boolean race, Path gateJar, String gateHeap, Path dir) {}
