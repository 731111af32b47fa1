package io.consentgate.registry.server;

import java.util.List;

/**
 * Where the registry keeps its changes so they outlive the process. The registry replays
 * {@link #load()} at start and appends every change before it answers the request that made it.
 */
public interface RegistryStorage extends AutoCloseable {

  /** Every entry appended so far, oldest first. */
  List<RegistryEntry> load();

  /** Stores {@code entry} durably before returning; throws {@link RegistryStorageException} if it cannot. */
  void append(RegistryEntry entry);

  @Override
  void close();
}
