package io.consentgate.replay;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.topology.TopologySettings;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * What runs a history's records through the gate's decisions for {@link OfflineReplay}. The
 * replay owns the clock and tells the engine when it moves; the engine reports each verdict it
 * publishes and each record it refuses to the {@link Sink}.
 */
public interface ReplayEngine extends AutoCloseable {

  /** Where an engine's output goes. */
  interface Sink {
    void verdict(ConsentVerdict verdict);

    void refused(String reason);
  }

  /** An engine other than the built-in direct one, found with {@link java.util.ServiceLoader}. */
  interface Provider {
    /** The name {@code replay --engine} takes. */
    String name();

    ReplayEngine open(TopologySettings settings, Sink sink) throws Exception;
  }

  /**
   * One input record as read from the history, with what the contract check made of it (checked
   * on the replay's parsing thread): its domain event, or why the gate refuses it. An engine that
   * runs the whole topology checks the record again itself.
   *
   * @param event the record's domain event; null when it is refused
   * @param refusal why the gate refuses the record; null when it is accepted
   */
  void accept(SpecificRecord record, ConsentEvent event, String refusal);

  /** The replay's clock moved from {@code from} to {@code to}, later. */
  void advanceClock(Instant from, Instant to);

  /** Hands every verdict of what was accepted so far to the sink (an engine may hold some back to order them). */
  default void flush() {}

  @Override
  default void close() {}
}
