package io.consentgate.chaos;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.EvidenceKind;
import io.consentgate.policy.AddressKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the checker needs to know of the input, per contact: its brand and address, and every
 * withdrawal, hard bounce with proof and explicit grant with proof, each with its event time and
 * the moment the broker appended it (the input topics stamp records with {@code LogAppendTime}).
 *
 * <p>Suppression by address (docs/policy.md, rule 5): the contacts of one brand whose addresses
 * normalise alike ({@link AddressKey}, the core's own normalisation) suppress each other with their
 * withdrawals and verified hard bounces of that brand.
 */
final class InputFacts {

  /** One withdrawal or grant. */
  record Fact(String contactId, String evidenceId, String brand, long occurredAt, long appendedAt) {}

  static final Set<EvidenceKind> WITHDRAWALS = Set.of(EvidenceKind.UNSUBSCRIBE, EvidenceKind.SPAM_COMPLAINT);
  /** The grants that bring consent back after a withdrawal (docs/policy.md, principle 4), under the default profile. */
  static final Set<EvidenceKind> EXPLICIT = Set.of(EvidenceKind.CHECKBOX_OPT_IN, EvidenceKind.WRITTEN_CONSENT,
      EvidenceKind.NEWSLETTER_SIGNUP, EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, EvidenceKind.RECONFIRMED);

  private static final class Contact {
    String brand;
    String email;
    long firstRecordAppendedAt = Long.MAX_VALUE;
    final List<Fact> withdrawals = new ArrayList<>(1);
    final List<Fact> bounces = new ArrayList<>(0);
    final List<Fact> explicitGrants = new ArrayList<>(1);
  }

  private final Map<String, Contact> contacts = new HashMap<>();
  /** Per brand and normalised address, its contacts; built once the input is read. */
  private Map<AddressKey, List<String>> byAddress;
  private long records;

  void add(ContactCreated c) {
    add(c, Long.MAX_VALUE);
  }

  void add(ContactCreated c, long appendedAt) {
    records++;
    Contact contact = contacts.computeIfAbsent(c.getContactId(), k -> new Contact());
    contact.brand = c.getBrandId();
    contact.email = c.getEmail();
    contact.firstRecordAppendedAt = Math.min(contact.firstRecordAppendedAt, appendedAt);
    byAddress = null;
  }

  void add(ConsentEvidence e, long appendedAt) {
    records++;
    boolean proof = e.getProof() != null && !e.getProof().getReference().isBlank();
    boolean withdrawal = WITHDRAWALS.contains(e.getKind());
    boolean bounce = e.getKind() == EvidenceKind.HARD_BOUNCE && proof;
    boolean grant = EXPLICIT.contains(e.getKind()) && proof;
    if (!withdrawal && !grant && !bounce) {
      return;
    }
    Contact c = contacts.computeIfAbsent(e.getContactId(), k -> new Contact());
    Fact fact = new Fact(e.getContactId(), e.getEvidenceId(), e.getBrandId(), e.getOccurredAt().toEpochMilli(), appendedAt);
    (withdrawal ? c.withdrawals : bounce ? c.bounces : c.explicitGrants).add(fact);
  }

  /** The contact's brand and normalised address, or null (no contact record, or not a valid address). */
  AddressKey addressOf(String contactId) {
    Contact c = contacts.get(contactId);
    return c == null || c.email == null ? null : AddressKey.of(c.brand, c.email).orElse(null);
  }

  private Map<AddressKey, List<String>> byAddress() {
    if (byAddress == null) {
      byAddress = new HashMap<>();
      contacts.forEach((id, c) -> {
        AddressKey key = addressOf(id);
        if (key != null) {
          byAddress.computeIfAbsent(key, k -> new ArrayList<>(1)).add(id);
        }
      });
    }
    return byAddress;
  }

  /** Whether another contact of the brand has the same normalised address. */
  boolean sharesAddress(String contactId) {
    AddressKey key = addressOf(contactId);
    return key != null && byAddress().get(key).size() > 1;
  }

  /** Contacts that share their address with another contact of their brand. */
  long contactsSharingAddresses() {
    return byAddress().values().stream().filter(ids -> ids.size() > 1).mapToLong(List::size).sum();
  }

  /**
   * What suppresses the contact by address: the withdrawals and verified hard bounces of the other
   * contacts of its brand with its normalised address, each of that other contact's own brand.
   */
  List<Fact> suppressionsOf(String contactId) {
    AddressKey key = addressOf(contactId);
    if (key == null) {
      return List.of();
    }
    List<Fact> out = new ArrayList<>();
    for (String other : byAddress().get(key)) {
      if (!other.equals(contactId)) {
        out.addAll(suppressing(other));
      }
    }
    return out;
  }

  /** The contact's own withdrawals and verified bounces of its brand: what it tells its address's index. */
  List<Fact> suppressing(String contactId) {
    Contact c = contacts.get(contactId);
    if (c == null || c.brand == null) {
      return List.of();
    }
    List<Fact> out = new ArrayList<>(1);
    for (Fact f : c.withdrawals) {
      if (f.brand().equals(c.brand)) {
        out.add(f);
      }
    }
    for (Fact f : c.bounces) {
      if (f.brand().equals(c.brand)) {
        out.add(f);
      }
    }
    return out;
  }

  /** The latest of {@link #suppressionsOf}, by event time; null when none. */
  Fact latestSuppressionOf(String contactId) {
    Fact latest = null;
    for (Fact f : suppressionsOf(contactId)) {
      if (latest == null || f.occurredAt() > latest.occurredAt()) {
        latest = f;
      }
    }
    return latest;
  }

  /** When the broker first appended the contact's record (Long.MAX_VALUE when never, or not known). */
  long firstRecordAppendedAt(String contactId) {
    Contact c = contacts.get(contactId);
    return c == null ? Long.MAX_VALUE : c.firstRecordAppendedAt;
  }

  /**
   * Whether an explicit grant of the contact's brand with proof counts after {@code time} as rule 5
   * asks: made after it and after the contact's own latest withdrawal (one before that is revoked).
   */
  boolean explicitGrantCountsAfter(String contactId, long time) {
    Contact c = contacts.get(contactId);
    if (c == null) {
      return false;
    }
    long ownWithdrawal = withdrawals(contactId).stream().mapToLong(Fact::occurredAt).max().orElse(Long.MIN_VALUE);
    return c.explicitGrants.stream().anyMatch(g -> g.brand().equals(c.brand) && g.occurredAt() > time
        && g.occurredAt() > ownWithdrawal);
  }

  /** The contact's own verified bounce of that id, if any. */
  Fact bounce(String contactId, String evidenceId) {
    Contact c = contacts.get(contactId);
    if (c == null) {
      return null;
    }
    return c.bounces.stream().filter(b -> b.evidenceId().equals(evidenceId) && b.brand().equals(c.brand))
        .findFirst().orElse(null);
  }

  /** A suppressing fact of another contact of the same address with that evidence id, or null. */
  Fact suppressionOf(String contactId, String evidenceId) {
    for (Fact f : suppressionsOf(contactId)) {
      if (f.evidenceId().equals(evidenceId)) {
        return f;
      }
    }
    return null;
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
