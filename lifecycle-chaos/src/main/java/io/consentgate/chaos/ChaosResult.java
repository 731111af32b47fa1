package io.consentgate.chaos;

import java.util.ArrayList;
import java.util.List;

/** What a run found: the checker's findings and the driver's problems. */
record ChaosResult(ChaosSettings settings, VerdictRules.Findings findings, List<String> problems, int faults,
                   long unacknowledged, double seconds) {

  /** Everything that fails the run, one line each; empty when it passed. */
  List<String> failures() {
    List<String> out = new ArrayList<>();
    if (findings.lost() > 0) {
      out.add(findings.lost() + " contact(s) whose latest verdict differs from the replay of the input ("
          + findings.lostWithdrawals() + " of them ALLOW where the replay says WITHDRAWN, " + findings.lostSuppressions()
          + " ALLOW where the address is suppressed)");
    }
    if (findings.withdrawnButAllowed() > 0) {
      out.add(findings.withdrawnButAllowed() + " ALLOW verdict(s) after a verdict had shown the contact's withdrawal");
    }
    if (findings.suppressedButAllowed() > 0) {
      out.add(findings.suppressedButAllowed() + " ALLOW verdict(s) after the contact's address had been suppressed by another"
          + " contact's committed withdrawal or bounce");
    }
    if (findings.duplicated() > 0) {
      out.add(findings.duplicated() + " (epoch, version) pair(s) with two different verdicts");
    }
    out.addAll(problems);
    return out;
  }

  boolean passed() {
    return failures().isEmpty();
  }

  /** The one line a run ends with. */
  String summary() {
    return String.format("chaos summary: records=%d faults=%d lost=%d duplicated=%d withdrawn-but-allowed=%d"
            + " suppressed-but-allowed=%d"
            + " | seed=%d brokers=%d contacts=%d verdicts=%d lost-withdrawals=%d sharing-address=%d suppressed=%d"
            + " lost-suppressions=%d stale-allows=%d repeated=%d"
            + " driver-problems=%d unacknowledged=%d elapsed=%.0fs => %s",
        findings.records(), faults, findings.lost(), findings.duplicated(), findings.withdrawnButAllowed(),
        findings.suppressedButAllowed(),
        settings.seed(), settings.brokers(), findings.contacts(), findings.verdicts(), findings.lostWithdrawals(),
        findings.sharingAddresses(), findings.suppressed(), findings.lostSuppressions(),
        findings.staleAllows(), findings.repeated(), problems.size(), unacknowledged, seconds, passed() ? "PASS" : "FAIL");
  }
}
