package io.consentgate.topology;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;

/** Checks an input record against the event contract and turns it into a domain event. */
public final class EventMapping {

  private EventMapping() {}

  public static ConsentEvent contact(String key, ContactCreated value) {
    if (value == null) {
      throw new BadInputException("contact-created record without a value");
    }
    String contactId = requireId("contactId", value.getContactId());
    requireKey(key, contactId);
    return new Contact(contactId, requireId("brandId", value.getBrandId()), value.getEmail(),
        ContactSource.valueOf(value.getSource().name()), value.getCreatedAt());
  }

  public static ConsentEvent evidence(String key, ConsentEvidence value) {
    if (value == null) {
      throw new BadInputException("consent-evidence record without a value");
    }
    String contactId = requireId("contactId", value.getContactId());
    requireKey(key, contactId);
    String evidenceId = requireId("evidenceId", value.getEvidenceId());
    return new Evidence(evidenceId, contactId, requireId("brandId", value.getBrandId()),
        EvidenceKind.valueOf(value.getKind().name()), value.getOccurredAt(),
        value.getProof() == null ? null : value.getProof().getReference());
  }

  private static String requireId(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new BadInputException("missing " + field);
    }
    return value;
  }

  private static void requireKey(String key, String contactId) {
    if (key == null) {
      throw new BadInputException("record without a key (expected the contactId " + contactId + ")");
    }
    if (!key.equals(contactId)) {
      throw new BadInputException("record key '" + key + "' differs from its contactId '" + contactId + "'");
    }
  }
}
