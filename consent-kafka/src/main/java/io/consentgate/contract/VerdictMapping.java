package io.consentgate.contract;

import io.consentgate.events.ConsentVerdict;
import io.consentgate.policy.Verdict;

/** Turns the policy's verdict into the public ConsentVerdict record. */
public final class VerdictMapping {

  private VerdictMapping() {}

  public static ConsentVerdict toRecord(Verdict v, long version) {
    return ConsentVerdict.newBuilder()
        .setContactId(v.contactId())
        .setBrandId(v.brandId())
        .setEmail(v.email())
        .setDecision(EnumMapping.toContract(v.decision()))
        .setStatus(EnumMapping.toContract(v.status()))
        .setOneToOneAllowed(v.oneToOneAllowed())
        .setValidUntil(v.validUntil())
        .setReasons(v.reasons())
        .setEvidenceIds(v.evidenceIds())
        .setRecommendations(v.recommendations())
        .setDecidedAt(v.decidedAt())
        .setPolicy(v.policy())
        .setVersion(version)
        .build();
  }
}
