package io.consentgate.topics;

/**
 * The gate's Kafka application id: its consumer group (whose committed offsets show how far the
 * gate has processed its input), the prefix of its internal topics and its transactional ids. The
 * gate and the senders' client read it from the same key with the same default, so that a sender
 * configured like the gate watches that gate's progress without naming it.
 */
public final class GateApplication {

  /** The configuration key, the gate's and the client's alike. */
  public static final String ID_KEY = "application.id";

  /** The application id when {@link #ID_KEY} is not set, for the gate and for the client. */
  public static final String DEFAULT_ID = "consent-gate";

  private GateApplication() {}
}
