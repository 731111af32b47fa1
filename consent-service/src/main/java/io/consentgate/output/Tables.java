package io.consentgate.output;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.Proof;
import io.consentgate.history.HistoryJson;
import io.consentgate.history.HistoryRecord;
import io.consentgate.output.Table.Type;
import java.util.function.Function;

/** The rows {@code replay} and {@code export} write, column by column (docs/data-teams.md, Formats). */
public final class Tables {

  private Tables() {}

  /** A verdict: the fields of {@code ConsentVerdict} in schema order, enums as their symbols. */
  public static final Table<ConsentVerdict> VERDICTS = Table.<ConsentVerdict>named("Verdict",
          "A verdict of consent-gate (ConsentVerdict, docs/events.md), as replay writes it.", HistoryJson::write)
      .required("contactId", Type.STRING, ConsentVerdict::getContactId)
      .required("brandId", Type.STRING, ConsentVerdict::getBrandId)
      .required("email", Type.STRING, ConsentVerdict::getEmail)
      .required("decision", Type.STRING, v -> v.getDecision().name())
      .required("status", Type.STRING, v -> v.getStatus().name())
      .required("oneToOneAllowed", Type.BOOLEAN, ConsentVerdict::getOneToOneAllowed)
      .optional("validUntil", Type.INSTANT, ConsentVerdict::getValidUntil)
      .required("reasons", Type.STRINGS, ConsentVerdict::getReasons)
      .required("evidenceIds", Type.STRINGS, ConsentVerdict::getEvidenceIds)
      .required("recommendations", Type.STRINGS, ConsentVerdict::getRecommendations)
      .required("decidedAt", Type.INSTANT, ConsentVerdict::getDecidedAt)
      .required("policy", Type.STRING, ConsentVerdict::getPolicy)
      .required("version", Type.LONG, ConsentVerdict::getVersion)
      .required("epoch", Type.LONG, ConsentVerdict::getEpoch)
      .build();

  /**
   * A record of the history, either type in one flat row: {@code type} says which, the other
   * type's columns are empty, the proof's fields are flattened, and {@code appendedAt} is last.
   */
  public static final Table<HistoryRecord> HISTORY = Table.<HistoryRecord>named("HistoryRecord",
          "A record of consent-gate's input history (ContactCreated or ConsentEvidence, docs/events.md) with the time it "
              + "was appended to its topic, as export writes it.", HistoryJson::write)
      .required("type", Type.STRING, r -> r.record() instanceof ContactCreated ? "contact" : "evidence")
      .required("contactId", Type.STRING, r -> r.record() instanceof ContactCreated c ? c.getContactId()
          : ((ConsentEvidence) r.record()).getContactId())
      .required("brandId", Type.STRING, r -> r.record() instanceof ContactCreated c ? c.getBrandId()
          : ((ConsentEvidence) r.record()).getBrandId())
      .optional("email", Type.STRING, contact(ContactCreated::getEmail))
      .optional("source", Type.STRING, contact(c -> c.getSource().name()))
      .optional("createdAt", Type.INSTANT, contact(ContactCreated::getCreatedAt))
      .optional("evidenceId", Type.STRING, evidence(ConsentEvidence::getEvidenceId))
      .optional("kind", Type.STRING, evidence(e -> e.getKind().name()))
      .optional("occurredAt", Type.INSTANT, evidence(ConsentEvidence::getOccurredAt))
      .optional("proofReference", Type.STRING, proof(Proof::getReference))
      .optional("proofUrl", Type.STRING, proof(Proof::getUrl))
      .optional("proofIpAddress", Type.STRING, proof(Proof::getIpAddress))
      .optional("proofUserAgent", Type.STRING, proof(Proof::getUserAgent))
      .optional("proofCapturedText", Type.STRING, proof(Proof::getCapturedText))
      .optional("appendedAt", Type.INSTANT, HistoryRecord::appendedAt)
      .build();

  private static Function<HistoryRecord, Object> contact(Function<ContactCreated, Object> field) {
    return r -> r.record() instanceof ContactCreated c ? field.apply(c) : null;
  }

  private static Function<HistoryRecord, Object> evidence(Function<ConsentEvidence, Object> field) {
    return r -> r.record() instanceof ConsentEvidence e ? field.apply(e) : null;
  }

  private static Function<HistoryRecord, Object> proof(Function<Proof, Object> field) {
    return r -> r.record() instanceof ConsentEvidence e && e.getProof() != null ? field.apply(e.getProof()) : null;
  }
}
