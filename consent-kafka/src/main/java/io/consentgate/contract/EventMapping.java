package io.consentgate.contract;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.Contact;
import io.consentgate.policy.Evidence;
import java.time.Instant;

/** Checks an input record against the event contract and turns it into a domain event. */
public final class EventMapping {

  /**
   * Event times outside [1970, 2100) are data errors, not consent: a grant dated in 2999 would
   * otherwise never lapse and would drag every later decision of the contact to that date. A fixed
   * bound (not the wall clock) keeps a replay's decisions identical to the live run's.
   */
  static final Instant EARLIEST_EVENT_TIME = Instant.EPOCH;
  static final Instant LATEST_EVENT_TIME = Instant.parse("2100-01-01T00:00:00Z");

  private EventMapping() {}

  public static ConsentEvent contact(String key, ContactCreated value) {
    if (value == null) {
      throw new BadInputException(BadInputException.Problem.MISSING_VALUE, "contact-created record without a value");
    }
    String contactId = requireId("contactId", value.getContactId());
    requireKey(key, contactId);
    return new Contact(contactId, requireId("brandId", value.getBrandId()), value.getEmail(),
        EnumMapping.toDomain(value.getSource()), requireTime("createdAt", value.getCreatedAt()));
  }

  public static ConsentEvent evidence(String key, ConsentEvidence value) {
    if (value == null) {
      throw new BadInputException(BadInputException.Problem.MISSING_VALUE, "consent-evidence record without a value");
    }
    String contactId = requireId("contactId", value.getContactId());
    requireKey(key, contactId);
    String evidenceId = requireId("evidenceId", value.getEvidenceId());
    return new Evidence(evidenceId, contactId, requireId("brandId", value.getBrandId()),
        EnumMapping.toDomain(value.getKind()), requireTime("occurredAt", value.getOccurredAt()),
        value.getProof() == null ? null : value.getProof().getReference());
  }

  private static String requireId(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new BadInputException(BadInputException.Problem.MISSING_ID, "missing " + field);
    }
    if (!wellFormed(value)) {
      // Kafka and the state stores keep ids as UTF-8, which cannot hold a lone surrogate: such an
      // id would come back as another contact. Only a JSON history (a backslash-u escape) can carry one.
      throw new BadInputException(BadInputException.Problem.MISSING_ID, field + " is not well-formed Unicode "
          + "(an unpaired surrogate)");
    }
    return value;
  }

  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static Instant requireTime(String field, Instant time) {
    if (time == null) {
      throw new BadInputException(BadInputException.Problem.MISSING_EVENT_TIME, "missing " + field);
    }
    if (time.isBefore(EARLIEST_EVENT_TIME) || !time.isBefore(LATEST_EVENT_TIME)) {
      throw new BadInputException(BadInputException.Problem.EVENT_TIME_OUT_OF_RANGE, field + " " + time + " is outside the accepted range ["
          + EARLIEST_EVENT_TIME + ", " + LATEST_EVENT_TIME + ")");
    }
    return time;
  }

  private static void requireKey(String key, String contactId) {
    if (key == null) {
      throw new BadInputException(BadInputException.Problem.MISSING_KEY, "record without a key (expected the contactId " + contactId + ")");
    }
    if (!key.equals(contactId)) {
      throw new BadInputException(BadInputException.Problem.KEY_MISMATCH, "record key '" + key + "' differs from its contactId '" + contactId + "'");
    }
  }
}
