package io.consentgate.contract;

/**
 * Headers on every verdict record: which gate wrote it, and in which epoch. A gate refuses at
 * start to write to a verdict topic another application last wrote (one writer per verdict
 * topic), and a reader can tell a re-decided verdict from an old one without decoding it.
 */
public final class VerdictHeaders {

  /** The writing gate's {@code application.id}, UTF-8. */
  public static final String APPLICATION_ID = "consent-gate-application-id";
  /** The verdict's epoch as a decimal number, UTF-8; the same as the value's {@code epoch}. */
  public static final String EPOCH = "consent-gate-epoch";

  private VerdictHeaders() {}
}
