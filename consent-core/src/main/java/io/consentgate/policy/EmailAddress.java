package io.consentgate.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * Syntax check of an address, deliberately narrower than RFC 5321/5322: it accepts the dot-atom
 * addresses that mail platforms send to and refuses quoted local parts, IP-literal domains and
 * non-ASCII addresses. An address the gate cannot be sure of is denied (fail closed).
 */
public final class EmailAddress {

  /** The atext characters of RFC 5322 besides letters and digits. */
  private static final String ATEXT_SYMBOLS = "!#$%&'*+/=?^_`{|}~-";

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
    if (!validLocalPart(local) || !validDomain(domain)) {
      return Optional.empty();
    }
    return Optional.of(new EmailAddress(local, domain));
  }

  /** Dot-atom: runs of atext separated by single dots, none at either end. A scan, not a regex: it runs per decision. */
  private static boolean validLocalPart(String local) {
    boolean previousWasDot = true; // no dot may start the local part
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (c == '.') {
        if (previousWasDot) {
          return false;
        }
        previousWasDot = true;
      } else if (isAsciiLetterOrDigit(c) || ATEXT_SYMBOLS.indexOf(c) >= 0) {
        previousWasDot = false;
      } else {
        return false;
      }
    }
    return !previousWasDot; // nor end it
  }

  private static boolean validDomain(String domain) {
    if (domain.length() > 253) {
      return false;
    }
    int labels = 0;
    int start = 0;
    while (true) {
      int dot = domain.indexOf('.', start);
      int end = dot < 0 ? domain.length() : dot;
      if (!validLabel(domain, start, end)) {
        return false;
      }
      labels++;
      if (dot < 0) {
        return labels >= 2 && validTopLevel(domain, start, end);
      }
      start = dot + 1;
    }
  }

  /** 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit. */
  private static boolean validLabel(String s, int from, int to) {
    int length = to - from;
    if (length < 1 || length > 63 || !isAsciiLetterOrDigit(s.charAt(from)) || !isAsciiLetterOrDigit(s.charAt(to - 1))) {
      return false;
    }
    for (int i = from + 1; i < to - 1; i++) {
      char c = s.charAt(i);
      if (!isAsciiLetterOrDigit(c) && c != '-') {
        return false;
      }
    }
    return true;
  }

  /** Letters only (2 to 63), or an IDN ace label "xn--" plus 1 to 59 letters, digits and hyphens. */
  private static boolean validTopLevel(String s, int from, int to) {
    int length = to - from;
    if (s.startsWith("xn--", from)) {
      return length >= 5 && length <= 63;
    }
    if (length < 2 || length > 63) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
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
