package io.consentgate.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes it was not told to trust. The gate reads only its own
 * generated classes, so it trusts its own packages and nothing else.
 */
public final class AvroTrust {

  private static boolean installed;

  private AvroTrust() {}

  public static synchronized void trustGateClasses() {
    if (!installed) {
      ClassSecurityValidator.ClassSecurityPredicate gate = type -> type.getName().startsWith("io.consentgate.");
      ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), gate));
      installed = true;
    }
  }
}
