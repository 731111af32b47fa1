package io.consentgate.policy;

/** May this brand send marketing email to this address. */
public enum Decision {
  ALLOW,
  DENY
}
