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

  // The address and where its '@' is: the parts are cut out only when asked for, since the
  // policy parses the address on every decision and asks only for the mailbox name.
  private final String address;
  private final int at;
  /** Where the mailbox name ends: at the first '+' of the local part, or at the '@'. */
  private final int mailboxEnd;

  private EmailAddress(String address, int at) {
    this.address = address;
    this.at = at;
    int plus = address.indexOf('+');
    this.mailboxEnd = plus >= 0 && plus < at ? plus : at;
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
    if (!validLocalPart(address, at) || !validDomain(address, at + 1)) {
      return Optional.empty();
    }
    return Optional.of(new EmailAddress(address, at));
  }

  /** Dot-atom: runs of atext separated by single dots, none at either end. A scan, not a regex: it runs per decision. */
  private static boolean validLocalPart(String address, int at) {
    boolean previousWasDot = true; // no dot may start the local part
    for (int i = 0; i < at; i++) {
      char c = address.charAt(i);
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

  /** The domain: {@code address} from {@code from} to its end. */
  private static boolean validDomain(String address, int from) {
    if (address.length() - from > 253) {
      return false;
    }
    int labels = 0;
    int start = from;
    while (true) {
      int dot = address.indexOf('.', start);
      int end = dot < 0 ? address.length() : dot;
      if (!validLabel(address, start, end)) {
        return false;
      }
      labels++;
      if (dot < 0) {
        return labels >= 2 && validTopLevel(address, start, end);
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
    return address.substring(0, at);
  }

  public String domain() {
    return address.substring(at + 1);
  }

  /** The local part as role lists compare it: lower case, without any {@code +tag}. */
  public String mailboxName() {
    return address.substring(0, mailboxEnd).toLowerCase(Locale.ROOT);
  }

  /** {@code mailboxName().hashCode()}, computed in place (the local part is ASCII, where lower-casing is per char). */
  int mailboxNameHash() {
    int hash = 0;
    for (int i = 0; i < mailboxEnd; i++) {
      hash = 31 * hash + lowerCase(address.charAt(i));
    }
    return hash;
  }

  /** Whether {@link #mailboxName()} equals {@code lowerCaseName}, compared in place. */
  boolean mailboxNameIs(String lowerCaseName) {
    if (lowerCaseName.length() != mailboxEnd) {
      return false;
    }
    for (int i = 0; i < mailboxEnd; i++) {
      if (lowerCase(address.charAt(i)) != lowerCaseName.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static char lowerCase(char asciiChar) {
    return asciiChar >= 'A' && asciiChar <= 'Z' ? (char) (asciiChar + ('a' - 'A')) : asciiChar;
  }
}
