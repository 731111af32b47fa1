package io.consentgate.registry.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps entries in this object only: a registry restarted on the same instance gets its state back,
 * a new process does not. For tests and throw-away local stacks.
 */
public final class InMemoryRegistryStorage implements RegistryStorage {

  private final List<RegistryEntry> entries = new ArrayList<>();

  @Override
  public synchronized List<RegistryEntry> load() {
    return List.copyOf(entries);
  }

  @Override
  public synchronized void append(RegistryEntry entry) {
    entries.add(entry);
  }

  @Override
  public void close() {
    // Entries stay, so a registry started again on this instance finds them.
  }
}
