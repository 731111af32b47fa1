package io.consentgate.policy;

import java.util.Map;
import java.util.Objects;

/** Which profile each brand uses, and which local parts are role addresses. */
public record PolicySettings(Profile defaultProfile, Map<String, Profile> brandProfiles, RoleAddresses roleAddresses) {

  public PolicySettings {
    Objects.requireNonNull(defaultProfile, "defaultProfile");
    brandProfiles = Map.copyOf(brandProfiles);
    Objects.requireNonNull(roleAddresses, "roleAddresses");
  }

  /** Profile optin for every brand and the shipped role list. */
  public static PolicySettings defaults() {
    return new PolicySettings(Profile.OPTIN, Map.of(), RoleAddresses.defaults());
  }

  public Profile profileFor(String brandId) {
    return brandProfiles.getOrDefault(brandId, defaultProfile);
  }
}
