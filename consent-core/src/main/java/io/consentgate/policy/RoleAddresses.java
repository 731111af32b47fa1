package io.consentgate.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Local parts that name a role, a team or a system rather than a person (principle 5). */
public final class RoleAddresses {

  private static final String DEFAULT_RESOURCE = "/role-addresses.txt";

  private final Set<String> names;
  /**
   * The ASCII names in an open-addressing table by the hash of their (lower-case) text: a valid
   * address's local part is ASCII, so no other name can match it. Looked up on every decision with
   * the hash of the address's mailbox name computed in place, so nothing is cut out or copied.
   */
  private final String[] table;
  private final int mask;

  private RoleAddresses(Set<String> names) {
    this.names = names;
    List<String> ascii = names.stream().filter(n -> n.chars().allMatch(c -> c < 128)).sorted().toList();
    int size = Integer.highestOneBit(Math.max(1, ascii.size()) * 4 - 1) << 1; // at most a quarter full
    this.table = new String[size];
    this.mask = size - 1;
    for (String name : ascii) {
      int slot = name.hashCode() & mask;
      while (table[slot] != null) {
        slot = (slot + 1) & mask;
      }
      table[slot] = name;
    }
  }

  public static RoleAddresses of(Collection<String> names) {
    return new RoleAddresses(names.stream()
        .map(n -> n.trim().toLowerCase(Locale.ROOT))
        .filter(n -> !n.isEmpty())
        .collect(Collectors.toUnmodifiableSet()));
  }

  /** The list shipped with the gate (role-addresses.txt, listed in docs/policy.md). */
  public static RoleAddresses defaults() {
    try (InputStream in = RoleAddresses.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("default role-address list missing from the classpath: " + DEFAULT_RESOURCE);
      }
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One name a line; blank lines and lines starting with # are ignored. */
  public static RoleAddresses parse(InputStream in) throws IOException {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return of(reader.lines().filter(l -> !l.strip().startsWith("#")).toList());
    }
  }

  public boolean isRoleBased(EmailAddress address) {
    for (int slot = address.mailboxNameHash() & mask; table[slot] != null; slot = (slot + 1) & mask) {
      if (address.mailboxNameIs(table[slot])) {
        return true;
      }
    }
    return false;
  }

  public Set<String> names() {
    return names;
  }
}
