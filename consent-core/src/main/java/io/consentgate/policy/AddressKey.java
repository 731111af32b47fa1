package io.consentgate.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * What suppression by address is keyed on: the brand and the normalised address
 * (docs/policy.md, "Suppression by address").
 *
 * <p>Normalising errs towards treating two spellings as one mailbox, since the cost of a wrong
 * match is a denied contact and the cost of a missed one is mail to a person who opted out: the
 * whole address is lower-cased, a {@code +tag} is dropped from the local part, and for Gmail the
 * dots of the local part are dropped and {@code googlemail.com} reads as {@code gmail.com}.
 *
 * <p>The key holds a hash of the normalised address, not the address: it is shorter in every
 * store and topic that indexes it, and the gate's suppression index then repeats no address.
 *
 * @param value {@code brandId:hash}, the hash being the first 128 bits of the SHA-256 of the
 *     normalised address, in unpadded base64url
 */
public record AddressKey(String value) implements Comparable<AddressKey> {

  private static final Base64.Encoder HASH_TEXT = Base64.getUrlEncoder().withoutPadding();
  /** A digest per thread: looking one up in the security providers costs more than hashing an address. */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  });

  public AddressKey {
    java.util.Objects.requireNonNull(value, "value");
  }

  /** The key of a contact's address; empty when the address is not a valid address (rule 1 decides it). */
  public static Optional<AddressKey> of(String brandId, String email) {
    return normalise(email).map(normalised -> new AddressKey(brandId + ":" + hash(normalised)));
  }

  /** The key of a contact's address, or empty (see {@link #of(String, String)}). */
  public static Optional<AddressKey> of(Contact contact) {
    return of(contact.brandId(), contact.email());
  }

  /** Whether an address has a key: the suppression index holds every valid address, and no other. */
  public static boolean indexes(String email) {
    return EmailAddress.parse(email).isPresent();
  }

  /** The normalised form of an address, or empty when it is not a valid address. */
  public static Optional<String> normalise(String email) {
    return EmailAddress.parse(email).map(address -> {
      String local = address.localPart().toLowerCase(Locale.ROOT);
      String domain = address.domain().toLowerCase(Locale.ROOT);
      int plus = local.indexOf('+');
      if (plus >= 0) {
        local = local.substring(0, plus);
      }
      if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
        local = local.replace(".", "");
        domain = "gmail.com";
      }
      return local + "@" + domain;
    });
  }

  private static String hash(String normalised) {
    byte[] digest = SHA_256.get().digest(normalised.getBytes(StandardCharsets.UTF_8));
    return HASH_TEXT.encodeToString(java.util.Arrays.copyOf(digest, 16));
  }

  @Override
  public int compareTo(AddressKey other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
