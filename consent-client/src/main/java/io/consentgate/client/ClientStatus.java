package io.consentgate.client;

import java.time.Instant;
import java.util.Optional;

/**
 * How current the client's view is, as of one instant.
 *
 * @param answering true when the client can answer yes at all: ready, not stale, gate not behind
 * @param ready the view has read the verdict topic up to the end offsets it found when it started
 * @param stale no end-offset snapshot taken within {@code client.stale-after} has been reached
 * @param gateWatched whether the gate's progress is checked: true unless {@code client.check-gate=false},
 *     which fails open
 * @param gateBehind the gate has not processed the input seen within {@code client.gate-behind-after}
 *     (false when not watched)
 * @param viewCurrentAsOf everything committed to the verdict topic before this instant has been read
 * @param gateCurrentAsOf the gate had processed all input that existed at this instant
 * @param contacts contacts held
 * @param lagRecords records between the view's positions and the newest end-offset snapshot
 * @param orderedBelow verdicts read that were ordered below the one held, and so ignored
 * @param unreadable records that could not be read as verdicts (their contacts were dropped: no mail)
 */
public record ClientStatus(boolean answering, boolean ready, boolean stale, boolean gateWatched, boolean gateBehind,
                           Optional<Instant> viewCurrentAsOf, Optional<Instant> gateCurrentAsOf, long contacts,
                           long lagRecords, long orderedBelow, long unreadable) {

  /** The reason every answer is no right now, or {@link Reason#ALLOWED} when the client can answer. */
  public Reason blocking() {
    if (!ready) {
      return Reason.NOT_READY;
    }
    if (stale) {
      return Reason.STALE;
    }
    return gateBehind ? Reason.GATE_BEHIND : Reason.ALLOWED;
  }
}
