package io.consentgate.client;

/**
 * Why the client answered as it did. Only {@link #ALLOWED} lets marketing email go out; every other
 * reason is a no. The first four say the client cannot answer for anyone right now; the rest
 * answer for the one contact.
 */
public enum Reason {
  /** The client is closed, or was never started. */
  CLOSED(false),
  /** The view has not yet read the verdict topic up to the end offsets it found when it started. */
  NOT_READY(false),
  /**
   * No snapshot of the verdict topic's end offsets taken within {@code client.stale-after} (a minute
   * by default) has been reached: the brokers may be gone, or the view may be falling behind.
   */
  STALE(false),
  /**
   * The gate ({@code application.id}, the gate's default unless set) has not processed the input that
   * existed {@code client.gate-behind-after} ago: a withdrawal may be waiting unprocessed. Also while
   * the gate's progress cannot be seen (no DESCRIBE on its group or input topics), and while input
   * waits for a gate of that id that never ran. Never with {@code client.check-gate=false}, which
   * fails open.
   */
  GATE_BEHIND(false),
  /** No verdict for this contact: never decided, or removed. */
  UNKNOWN_CONTACT(false),
  /**
   * The gate re-decides its history in a newer epoch (after {@code reset}, or a take-over) and has
   * not re-published this contact yet: its latest verdict is from an older epoch, from before any
   * withdrawal recorded since. Only while the gate is watched ({@code application.id}).
   */
  REPUBLISHING(false),
  /**
   * The latest verdict is not {@code ALLOW}; its {@code status} says why, e.g. {@code WITHDRAWN}
   * (the person unsubscribed or complained), {@code UNDELIVERABLE} (the address hard-bounced: no
   * mail at all, one-to-one included), {@code SUPPRESSED} (another contact of the brand with the
   * same address unsubscribed, complained or bounced, and this one gave no explicit consent since).
   * A status symbol newer than this client reads as {@code NO_CONSENT}, still a no.
   */
  DENIED(false),
  /**
   * The latest verdict says {@code ALLOW} but its status is not {@code CONSENTED_*}; also what a
   * status symbol newer than this client reads as ({@code NO_CONSENT}).
   */
  NOT_CONSENTED(false),
  /** The latest verdict is an {@code ALLOW} whose {@code validUntil} has been reached. */
  EXPIRED(false),
  /** May email: {@code ALLOW}, a {@code CONSENTED_*} status, not lapsed, and the view is current. */
  ALLOWED(true);

  private final boolean mayEmail;

  Reason(boolean mayEmail) {
    this.mayEmail = mayEmail;
  }

  public boolean mayEmail() {
    return mayEmail;
  }

  /** True for the reasons that deny every contact alike (the client cannot answer now). */
  public boolean deniesEveryone() {
    return ordinal() <= GATE_BEHIND.ordinal();
  }
}
