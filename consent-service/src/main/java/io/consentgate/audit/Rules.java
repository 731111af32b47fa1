package io.consentgate.audit;

import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.ReasonCode;
import java.util.Map;

/** The words of docs/policy.md for a status's rule and for each reason code, for people reading an explanation. */
final class Rules {

  /** A rule of the decision (docs/policy.md, "The decision"). */
  record Rule(int number, String text) {}

  private Rules() {}

  static Rule of(ConsentStatus status, String source) {
    return switch (status) {
      case INVALID_ADDRESS -> new Rule(1, "the address is not a valid address");
      case ROLE_BASED_ADDRESS -> new Rule(2, "the address is role-based");
      case WITHDRAWN -> new Rule(3, "a withdrawal exists and no explicit grant counts (none came after the latest withdrawal)");
      case CONSENTED_EXPLICIT -> new Rule(4, "an explicit grant counts");
      case CONSENTED_IMPLICIT -> new Rule(5, "an implicit grant is valid");
      case EXPIRED -> new Rule(6, "implicit grants exist, but every one has lapsed (two years passed, or membership ended)");
      case PENDING_CONFIRMATION -> new Rule(7, "a double opt-in request (or, under strict, a signup) awaits its confirmation");
      default -> new Rule(8, "none of the rules above applies: the contact's source" + (source == null ? "" : " (" + source + ")")
          + " gives " + status.name());
    };
  }

  private static final Map<String, String> CODES = Map.of(
      ReasonCode.OTHER_BRAND_EVIDENCE.name(), "evidence for another brand than the contact's never counts",
      ReasonCode.UNVERIFIABLE_EVIDENCE.name(), "a grant without a proof reference does not count",
      ReasonCode.VERBAL_CONSENT_NOT_VERIFIABLE.name(), "verbal consent is never verifiable",
      ReasonCode.REVOKED_BY_WITHDRAWAL.name(), "a grant made at or before the latest withdrawal is revoked",
      ReasonCode.NOT_EXPLICIT_AFTER_WITHDRAWAL.name(), "an implicit grant after a withdrawal cannot restore consent",
      ReasonCode.GRANT_LAPSED.name(), "a two-year grant whose two years have passed",
      ReasonCode.MEMBERSHIP_ENDED.name(), "a membership ended by a MEMBERSHIP_ENDED at or after it",
      ReasonCode.IMPLICIT_NOT_ACCEPTED_BY_PROFILE.name(), "profile strict: implicit grants do not count",
      ReasonCode.CONFIRMATION_REQUIRED_BY_PROFILE.name(),
      "profile strict: a checkbox or newsletter signup counts only with a DOUBLE_OPT_IN_CONFIRMED at or after it");

  static String meaning(String code) {
    return CODES.getOrDefault(code, code);
  }
}
