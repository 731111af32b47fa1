package io.consentgate.audit;

import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.ReasonCode;
import java.util.Map;

/** The words of docs/policy.md for a status's rule and for each reason code, for people reading an explanation. */
final class Rules {

  /** A rule of the decision (docs/policy.md, "The decision"). */
  record Rule(int number, String text) {}

  /** The last rule: no other applies, and the contact's source gives the status. */
  static final int BY_SOURCE = 10;

  private Rules() {}

  /**
   * The rule that gives {@code status}, in the order {@code ConsentPolicy} tries them: 1 invalid, 2
   * role, 3 own hard bounce, 4 withdrawn, 5 suppressed by another contact, 6 explicit grant, 7
   * implicit grant, 8 expired, 9 pending, 10 by source.
   */
  static Rule of(ConsentStatus status, String source) {
    return switch (status) {
      case INVALID_ADDRESS -> new Rule(1, "the address is not a valid address");
      case ROLE_BASED_ADDRESS -> new Rule(2, "the address is role-based");
      case UNDELIVERABLE -> new Rule(3, "the contact's own address hard-bounced (a bounce with proof): it takes no mail, "
          + "one-to-one included, whatever grant follows");
      case WITHDRAWN -> new Rule(4, "a withdrawal exists and no explicit grant counts (none came after the latest withdrawal)");
      case SUPPRESSED -> new Rule(5, "another contact of the brand with the same address (as normalised) withdrew, "
          + "complained or hard-bounced, and no explicit grant of this contact came after it");
      case CONSENTED_EXPLICIT -> new Rule(6, "an explicit grant counts");
      case CONSENTED_IMPLICIT -> new Rule(7, "an implicit grant is valid");
      case EXPIRED -> new Rule(8, "implicit grants exist, but every one has lapsed (two years passed, or membership ended)");
      case PENDING_CONFIRMATION -> new Rule(9, "a double opt-in request (or, under strict, a signup) awaits its confirmation");
      default -> new Rule(BY_SOURCE, "none of the rules above applies: the contact's source"
          + (source == null ? "" : " (" + source + ")") + " gives " + status.name());
    };
  }

  private static final Map<String, String> CODES = Map.ofEntries(
      Map.entry(ReasonCode.OTHER_BRAND_EVIDENCE.name(), "evidence for another brand than the contact's never counts"),
      Map.entry(ReasonCode.UNVERIFIABLE_EVIDENCE.name(),
          "a grant or a hard bounce without a proof reference does not count"),
      Map.entry(ReasonCode.VERBAL_CONSENT_NOT_VERIFIABLE.name(), "verbal consent is never verifiable"),
      Map.entry(ReasonCode.REVOKED_BY_WITHDRAWAL.name(), "a grant made at or before the latest withdrawal is revoked"),
      Map.entry(ReasonCode.NOT_EXPLICIT_AFTER_WITHDRAWAL.name(),
          "an implicit grant after a withdrawal cannot restore consent"),
      Map.entry(ReasonCode.GRANT_LAPSED.name(), "a two-year grant whose two years have passed"),
      Map.entry(ReasonCode.MEMBERSHIP_ENDED.name(), "a membership ended by a MEMBERSHIP_ENDED at or after it"),
      Map.entry(ReasonCode.IMPLICIT_NOT_ACCEPTED_BY_PROFILE.name(), "profile strict: implicit grants do not count"),
      Map.entry(ReasonCode.CONFIRMATION_REQUIRED_BY_PROFILE.name(),
          "profile strict: a checkbox or newsletter signup counts only with a DOUBLE_OPT_IN_CONFIRMED at or after it"),
      Map.entry(ReasonCode.WITHDRAWN_ELSEWHERE.name(), "another contact of the brand with the same address "
          + "unsubscribed or complained (WITHDRAWN_ELSEWHERE:contactId/evidenceId); only an explicit grant of this "
          + "contact after it lifts it"),
      Map.entry(ReasonCode.BOUNCED_ELSEWHERE.name(), "another contact of the brand with the same address hard-bounced "
          + "(BOUNCED_ELSEWHERE:contactId/evidenceId): the address takes no mail, one-to-one included, until an "
          + "explicit grant of this contact after it"));

  static String meaning(String code) {
    return CODES.getOrDefault(code, code);
  }
}
