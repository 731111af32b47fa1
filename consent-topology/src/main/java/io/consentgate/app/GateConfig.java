package io.consentgate.app;

import io.consentgate.policy.PolicySettings;
import io.consentgate.policy.Profile;
import io.consentgate.policy.RoleAddresses;
import io.consentgate.topology.GateTopics;
import io.consentgate.topology.TopologySettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The gate's configuration, layered: built-in defaults, then a properties file, then command-line
 * flags; a later layer wins for a key set in two. Every key is checked: an unknown key or a bad
 * value is an error at startup, not a surprise later.
 */
public final class GateConfig {

  public static final String APPLICATION_ID = "application.id";
  public static final String TOPIC_CONTACT_CREATED = "topic.contact-created";
  public static final String TOPIC_CONSENT_EVIDENCE = "topic.consent-evidence";
  public static final String TOPIC_VERDICTS = "topic.consent-verdicts";
  public static final String TOPIC_DLQ = "topic.dlq";
  public static final String DEFAULT_PROFILE = "policy.default-profile";
  public static final String BRAND_PROFILE_PREFIX = "policy.profile.";
  public static final String ROLE_ADDRESSES_FILE = "policy.role-addresses.file";
  public static final String LAPSE_CHECK_INTERVAL = "lapse.check-interval";

  /** Each known key with its default ({@code null}: none). */
  static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(APPLICATION_ID, "consent-gate");
    d.put(TOPIC_CONTACT_CREATED, GateTopics.DEFAULTS.contactCreated());
    d.put(TOPIC_CONSENT_EVIDENCE, GateTopics.DEFAULTS.consentEvidence());
    d.put(TOPIC_VERDICTS, GateTopics.DEFAULTS.verdicts());
    d.put(TOPIC_DLQ, GateTopics.DEFAULTS.deadLetters());
    d.put(DEFAULT_PROFILE, Profile.OPTIN.profileName());
    d.put(ROLE_ADDRESSES_FILE, null);
    d.put(LAPSE_CHECK_INTERVAL, TopologySettings.DEFAULT_LAPSE_CHECK_INTERVAL.toString());
    DEFAULTS = java.util.Collections.unmodifiableMap(d);
  }

  private final Map<String, String> values;

  private GateConfig(Map<String, String> values) {
    this.values = values;
  }

  /**
   * @param file a properties file, or {@code null}
   * @param flags values given on the command line, which win over the file
   */
  public static GateConfig load(Path file, Map<String, String> flags) throws ConfigException {
    Map<String, String> merged = new HashMap<>();
    DEFAULTS.forEach((k, v) -> {
      if (v != null) {
        merged.put(k, v);
      }
    });
    if (file != null) {
      merged.putAll(readFile(file));
    }
    merged.putAll(flags);
    List<String> unknown = new ArrayList<>();
    for (String key : merged.keySet()) {
      if (!DEFAULTS.containsKey(key) && !key.startsWith(BRAND_PROFILE_PREFIX)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown configuration key(s) " + unknown.stream().sorted().toList() + "; known keys: " + DEFAULTS.keySet().stream().sorted().toList()
          + " and " + BRAND_PROFILE_PREFIX + "<brandId>");
    }
    GateConfig config = new GateConfig(Map.copyOf(merged));
    config.topologySettings(true); // validates every value now
    return config;
  }

  private static Map<String, String> readFile(Path file) throws ConfigException {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new HashMap<>();
    props.stringPropertyNames().forEach(k -> values.put(k.trim(), props.getProperty(k).trim()));
    return values;
  }

  public String get(String key) {
    return values.get(key);
  }

  public String applicationId() {
    return values.get(APPLICATION_ID);
  }

  public GateTopics topics() {
    return new GateTopics(values.get(TOPIC_CONTACT_CREATED), values.get(TOPIC_CONSENT_EVIDENCE),
        values.get(TOPIC_VERDICTS), values.get(TOPIC_DLQ));
  }

  public TopologySettings topologySettings(boolean durableStores) throws ConfigException {
    return new TopologySettings(topics(), policySettings(), lapseCheckInterval(), durableStores);
  }

  private PolicySettings policySettings() throws ConfigException {
    Profile defaultProfile = profile(DEFAULT_PROFILE);
    Map<String, Profile> brands = new HashMap<>();
    for (String key : values.keySet()) {
      if (key.startsWith(BRAND_PROFILE_PREFIX)) {
        String brand = key.substring(BRAND_PROFILE_PREFIX.length());
        if (brand.isEmpty()) {
          throw new ConfigException(key + ": a brand id must follow " + BRAND_PROFILE_PREFIX);
        }
        brands.put(brand, profile(key));
      }
    }
    return new PolicySettings(defaultProfile, brands, roleAddresses());
  }

  private Profile profile(String key) throws ConfigException {
    try {
      return Profile.byName(values.get(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }

  private RoleAddresses roleAddresses() throws ConfigException {
    String file = values.get(ROLE_ADDRESSES_FILE);
    if (file == null || file.isBlank()) {
      return RoleAddresses.defaults();
    }
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      return RoleAddresses.parse(in);
    } catch (IOException e) {
      throw new ConfigException(ROLE_ADDRESSES_FILE + ": cannot read " + file + ": " + e);
    }
  }

  private Duration lapseCheckInterval() throws ConfigException {
    String value = values.get(LAPSE_CHECK_INTERVAL);
    try {
      Duration d = Duration.parse(value);
      if (d.isNegative() || d.isZero()) {
        throw new ConfigException(LAPSE_CHECK_INTERVAL + " must be positive, got " + value);
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new ConfigException(LAPSE_CHECK_INTERVAL + " must be an ISO-8601 duration such as PT1M, got '" + value + "'");
    }
  }

  /** A configuration that cannot be used; the message says which key and why. */
  public static final class ConfigException extends Exception {
    public ConfigException(String message) {
      super(message);
    }
  }
}
