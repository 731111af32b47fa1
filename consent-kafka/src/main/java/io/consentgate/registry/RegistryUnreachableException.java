package io.consentgate.registry;

import java.util.List;

/** No schema registry URL answered: each was tried once, and this names them with what went wrong. */
public final class RegistryUnreachableException extends RuntimeException {

  public RegistryUnreachableException(String what, List<String> failures, Throwable lastCause) {
    super(what + ": no schema registry reachable; tried " + String.join(", ", failures), lastCause);
  }
}
