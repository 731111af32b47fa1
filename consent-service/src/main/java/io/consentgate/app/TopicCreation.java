package io.consentgate.app;

/**
 * How {@code run --create-topics} and {@code dev} create a missing topic.
 *
 * @param partitions key {@code topics.partitions}
 * @param replicationFactor key {@code topics.replication-factor}; -1: the broker's default
 */
public record TopicCreation(int partitions, short replicationFactor) {}
