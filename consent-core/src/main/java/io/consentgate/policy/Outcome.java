package io.consentgate.policy;

import java.time.Instant;

/**
 * What a sender acts on, of a verdict: the gate publishes a new verdict only when one of these
 * changes, so this is all it needs to know on most events (see {@link ConsentPolicy#outcome}).
 */
public record Outcome(Decision decision, ConsentStatus status, Instant validUntil) {}
