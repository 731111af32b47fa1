package io.consentgate.registry.server;

/**
 * One change to the registry, as it is stored. The registry's state is the replay of its entries
 * in order, so an entry states a fact, never a command.
 */
public sealed interface RegistryEntry {

  /** The subject the entry is about; {@code null} for the global compatibility level. */
  String subject();

  /**
   * A version of a subject. A soft delete (of a subject or of one version) stores the version again
   * with {@code deleted} set, as Confluent's does: the version number is not reused and the id
   * still resolves, because records written with it may still be in the topics, until the version
   * is deleted permanently ({@link HardDeletedVersion}).
   */
  record SchemaVersion(String subject, int version, int id, String schema, boolean deleted) implements RegistryEntry {}

  /**
   * A version of a subject deleted permanently, after a soft delete, as Confluent's
   * {@code ?permanent=true}: the version is gone, its number is free again, and its id no longer
   * resolves unless another version still uses it. Stored as the version's key with no value, a
   * tombstone, which compaction eventually drops with the version's earlier records.
   */
  record HardDeletedVersion(String subject, int version) implements RegistryEntry {}

  /** The compatibility level of a subject, or the global one when {@code subject} is null; a null level removes it. */
  record CompatibilityConfig(String subject, CompatibilityLevel level) implements RegistryEntry {}
}
