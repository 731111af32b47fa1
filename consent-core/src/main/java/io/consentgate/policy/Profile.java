package io.consentgate.policy;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A brand's consent policy. The version changes whenever a profile's rules change. */
public enum Profile {
  /** The rules of docs/policy.md: explicit and implicit grants. */
  OPTIN("optin", 1),
  /** Explicit consent only; checkbox and newsletter signups need a double opt-in confirmation. */
  STRICT("strict", 1);

  private final String profileName;
  private final String policyId;

  Profile(String profileName, int version) {
    this.profileName = profileName;
    this.policyId = profileName + "/" + version; // every verdict carries it
  }

  public String profileName() {
    return profileName;
  }

  /** What each verdict carries in {@code policy}, e.g. {@code optin/1}. */
  public String policyId() {
    return policyId;
  }

  public static Profile byName(String name) {
    for (Profile p : values()) {
      if (p.profileName.equals(name.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown profile '" + name + "'; known profiles: "
        + Arrays.stream(values()).map(Profile::profileName).collect(Collectors.joining(", ")));
  }
}
