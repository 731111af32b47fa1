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

  /** Where the gate and the senders' client look for Kafka unless {@code bootstrap.servers} says otherwise. */
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

  /** Names the gate gives its internal topics between the inputs and the deciders (Streams adds prefix and suffix). */
  public static final String REROUTED = "consent-events-rerouted";
  public static final String ADDRESS_EVENTS = "consent-address-events";
  public static final String ADDRESS_DELIVERIES = "consent-address-deliveries";

  private GateApplication() {}

  /**
   * The internal topics a record can cross between the inputs and the verdict, in the order it
   * crosses them: an input record may cause a re-routed one, either may cause one keyed by address
   * (suppression by address), and that one deliveries back to contacts. A gate has processed
   * everything it read once its group has committed each of these, as well as the inputs.
   */
  public static java.util.List<String> internalTopicsInOrder(String applicationId) {
    return java.util.List.of(internal(applicationId, REROUTED), internal(applicationId, ADDRESS_EVENTS),
        internal(applicationId, ADDRESS_DELIVERIES));
  }

  private static String internal(String applicationId, String name) {
    return applicationId + "-" + name + "-repartition";
  }

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
