package io.consentgate.topics;

import java.util.Objects;

/** The gate's topic names (docs/events.md gives the defaults; each is configurable). */
public record GateTopics(String contactCreated, String consentEvidence, String verdicts, String deadLetters) {

  public static final GateTopics DEFAULTS =
      new GateTopics("contact-created", "consent-evidence", "consent-verdicts", "consent-gate-dlq");

  public GateTopics {
    Objects.requireNonNull(contactCreated, "contactCreated");
    Objects.requireNonNull(consentEvidence, "consentEvidence");
    Objects.requireNonNull(verdicts, "verdicts");
    Objects.requireNonNull(deadLetters, "deadLetters");
  }
}
