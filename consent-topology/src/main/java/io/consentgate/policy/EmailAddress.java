package io.consentgate.policy;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Syntax check of an address, deliberately narrower than RFC 5321/5322: it accepts the dot-atom
 * addresses that mail platforms send to and refuses quoted local parts, IP-literal domains and
 * non-ASCII addresses. An address the gate cannot be sure of is denied (fail closed).
 */
public final class EmailAddress {

  private static final Pattern LOCAL_PART =
      Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern TOP_LEVEL = Pattern.compile("[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}");

  private final String localPart;
  private final String domain;

  private EmailAddress(String localPart, String domain) {
    this.localPart = localPart;
    this.domain = domain;
  }

  /** The parsed address, or empty when it is not a syntactically valid address. */
  public static Optional<EmailAddress> parse(String address) {
    if (address == null || address.length() > 254) {
      return Optional.empty();
    }
    int at = address.lastIndexOf('@');
    if (at <= 0 || at > 64 || at == address.length() - 1) {
      return Optional.empty();
    }
    String local = address.substring(0, at);
    String domain = address.substring(at + 1);
    if (!LOCAL_PART.matcher(local).matches() || !validDomain(domain)) {
      return Optional.empty();
    }
    return Optional.of(new EmailAddress(local, domain));
  }

  private static boolean validDomain(String domain) {
    if (domain.length() > 253) {
      return false;
    }
    String[] labels = domain.split("\\.", -1);
    if (labels.length < 2) {
      return false;
    }
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return TOP_LEVEL.matcher(labels[labels.length - 1]).matches();
  }

  public String localPart() {
    return localPart;
  }

  public String domain() {
    return domain;
  }

  /** The local part as role lists compare it: lower case, without any {@code +tag}. */
  public String mailboxName() {
    int plus = localPart.indexOf('+');
    String base = plus >= 0 ? localPart.substring(0, plus) : localPart;
    return base.toLowerCase(Locale.ROOT);
  }
}
