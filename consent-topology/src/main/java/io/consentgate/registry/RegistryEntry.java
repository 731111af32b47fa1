package io.consentgate.registry;

/**
 * One change to the registry, as it is stored. The registry's state is the replay of its entries
 * in order, so an entry states a fact, never a command.
 */
public sealed interface RegistryEntry {

  /** The subject the entry is about; {@code null} for the global compatibility level. */
  String subject();

  /**
   * A version of a subject. Deleting a subject stores each of its versions again with
   * {@code deleted} set, as Confluent's soft delete does: the version number is never reused and
   * the id still resolves, because records written with it may still be in the topics.
   */
  record SchemaVersion(String subject, int version, int id, String schema, boolean deleted) implements RegistryEntry {}

  /** The compatibility level of a subject, or the global one when {@code subject} is null; a null level removes it. */
  record CompatibilityConfig(String subject, CompatibilityLevel level) implements RegistryEntry {}
}
