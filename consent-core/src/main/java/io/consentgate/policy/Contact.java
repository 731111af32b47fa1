package io.consentgate.policy;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/** What a contact-created record says about a contact. */
public record Contact(String contactId, String brandId, String email, ContactSource source, Instant createdAt)
    implements ConsentEvent {

  /**
   * Total order used when two contact records exist for one id: the later one wins, and ties are
   * broken on content so the outcome never depends on arrival order.
   */
  static final Comparator<Contact> PRECEDENCE = Comparator.comparing(Contact::createdAt)
      .thenComparing(Contact::brandId)
      .thenComparing(Contact::email)
      .thenComparing(Contact::source)
      .thenComparing(Contact::contactId);

  public Contact {
    Objects.requireNonNull(contactId, "contactId");
    Objects.requireNonNull(brandId, "brandId");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  @Override
  public Instant eventTime() {
    return createdAt;
  }
}
