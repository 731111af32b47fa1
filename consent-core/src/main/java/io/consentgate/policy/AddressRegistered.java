package io.consentgate.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * The suppression index's answer to a contact record: the contact is indexed under its address,
 * and every suppression the address had was delivered before this. Until its contact holds one
 * for its current brand and address, a contact is never allowed (docs/policy.md, "Suppression by
 * address"): that is what keeps a contact created after a suppression from being allowed even
 * briefly.
 *
 * @param createdAt the createdAt of the contact record it answers (its event time)
 */
public record AddressRegistered(String contactId, String brandId, String email, Instant createdAt)
    implements ConsentEvent {

  public AddressRegistered {
    Objects.requireNonNull(contactId, "contactId");
    Objects.requireNonNull(brandId, "brandId");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  public static AddressRegistered of(Contact contact) {
    return new AddressRegistered(contact.contactId(), contact.brandId(), contact.email(), contact.createdAt());
  }

  /** Whether this answers a record with {@code contact}'s brand and address. */
  public boolean registers(Contact contact) {
    return brandId.equals(contact.brandId()) && email.equals(contact.email());
  }

  @Override
  public Instant eventTime() {
    return createdAt;
  }
}
