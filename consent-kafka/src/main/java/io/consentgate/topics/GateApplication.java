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

  /**
   * The compacted topic where the gate records its current epoch, one record keyed by the
   * application id with the value {@code "<epoch> <CATCHING_UP|LIVE>"}. {@code reset} writes the
   * next epoch there before the gate re-decides; senders read it to know which epoch counts.
   */
  public static String epochTopic(String applicationId) {
    return applicationId + "-consent-epoch";
  }

  /** The epoch of a record of {@link #epochTopic}; empty when the value is not one. */
  public static java.util.OptionalLong epochOf(String recordValue) {
    if (recordValue == null) {
      return java.util.OptionalLong.empty();
    }
    String number = recordValue.strip().split(" ", 2)[0];
    try {
      return java.util.OptionalLong.of(Long.parseLong(number));
    } catch (NumberFormatException e) {
      return java.util.OptionalLong.empty();
    }
  }
}
