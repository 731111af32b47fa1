package io.consentgate.chaos;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.EvidenceKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the checker needs to know of the input, per contact: its brand, and every withdrawal and
 * every explicit grant with proof, each with its event time and the moment the broker appended it
 * (the input topics stamp records with {@code LogAppendTime}).
 */
final class InputFacts {

  /** One withdrawal or grant. */
  record Fact(String evidenceId, String brand, long occurredAt, long appendedAt) {}

  static final Set<EvidenceKind> WITHDRAWALS = Set.of(EvidenceKind.UNSUBSCRIBE, EvidenceKind.SPAM_COMPLAINT);
  /** The grants that bring consent back after a withdrawal (docs/policy.md, principle 4), under the default profile. */
  static final Set<EvidenceKind> EXPLICIT = Set.of(EvidenceKind.CHECKBOX_OPT_IN, EvidenceKind.WRITTEN_CONSENT,
      EvidenceKind.NEWSLETTER_SIGNUP, EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, EvidenceKind.RECONFIRMED);

  private static final class Contact {
    String brand;
    final List<Fact> withdrawals = new ArrayList<>(1);
    final List<Fact> explicitGrants = new ArrayList<>(1);
  }

  private final Map<String, Contact> contacts = new HashMap<>();
  private long records;

  void add(ContactCreated c) {
    records++;
    contacts.computeIfAbsent(c.getContactId(), k -> new Contact()).brand = c.getBrandId();
  }

  void add(ConsentEvidence e, long appendedAt) {
    records++;
    boolean withdrawal = WITHDRAWALS.contains(e.getKind());
    boolean grant = EXPLICIT.contains(e.getKind()) && e.getProof() != null && !e.getProof().getReference().isBlank();
    if (!withdrawal && !grant) {
      return;
    }
    Contact c = contacts.computeIfAbsent(e.getContactId(), k -> new Contact());
    Fact fact = new Fact(e.getEvidenceId(), e.getBrandId(), e.getOccurredAt().toEpochMilli(), appendedAt);
    (withdrawal ? c.withdrawals : c.explicitGrants).add(fact);
  }

  long records() {
    return records;
  }

  /** The contact's own withdrawal of that id, if any: another brand's never counts. */
  Fact withdrawal(String contactId, String evidenceId) {
    Contact c = contacts.get(contactId);
    if (c == null) {
      return null;
    }
    return c.withdrawals.stream().filter(w -> w.evidenceId().equals(evidenceId) && w.brand().equals(c.brand))
        .findFirst().orElse(null);
  }

  /** The contact's own withdrawals. */
  List<Fact> withdrawals(String contactId) {
    Contact c = contacts.get(contactId);
    return c == null ? List.of() : c.withdrawals.stream().filter(w -> w.brand().equals(c.brand)).toList();
  }

  /**
   * True when an explicit grant of the contact's own brand, made after {@code withdrawnAt} (event
   * time), had been appended by {@code by}: only such a grant lets a gate allow again.
   */
  boolean restoredBy(String contactId, long withdrawnAt, long by) {
    Contact c = contacts.get(contactId);
    return c != null && c.explicitGrants.stream()
        .anyMatch(g -> g.brand().equals(c.brand) && g.occurredAt() > withdrawnAt && g.appendedAt() <= by);
  }
}
