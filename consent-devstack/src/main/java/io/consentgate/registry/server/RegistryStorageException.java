package io.consentgate.registry.server;

/** The storage could not read or keep a registry change; the registry answers 500 with error code 50001. */
public final class RegistryStorageException extends RuntimeException {

  public RegistryStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
