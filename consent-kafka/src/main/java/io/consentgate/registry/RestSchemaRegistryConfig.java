package io.consentgate.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of {@link RestSchemaRegistry}, read from a map with the names of Confluent's
 * client, so a serde configuration written for Confluent works unchanged. Keys it does not know
 * are ignored (a serde configuration carries many); a bad value of a known key is an error that
 * names the key.
 */
final class RestSchemaRegistryConfig {

  /** One registry URL and the Authorization header to send it, if any. */
  record Endpoint(URI baseUri, String authorization) {}

  private final List<Endpoint> endpoints;
  private final boolean autoRegisterSchemas;
  private final boolean useLatestVersion;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final SSLContext sslContext;

  private RestSchemaRegistryConfig(Map<String, ?> config) {
    String credentialsSource = string(config, RestSchemaRegistry.BASIC_AUTH_CREDENTIALS_SOURCE, "URL").toUpperCase(Locale.ROOT);
    String userInfo = string(config, RestSchemaRegistry.BASIC_AUTH_USER_INFO, null);
    if (!credentialsSource.equals("URL") && !credentialsSource.equals("USER_INFO")) {
      throw new ConfigException(RestSchemaRegistry.BASIC_AUTH_CREDENTIALS_SOURCE, credentialsSource,
          "supported sources are USER_INFO and URL");
    }
    if (credentialsSource.equals("USER_INFO") && (userInfo == null || !userInfo.contains(":"))) {
      throw new ConfigException(RestSchemaRegistry.BASIC_AUTH_USER_INFO, userInfo == null ? null : "********",
          "USER_INFO credentials need \"user:password\"");
    }
    this.endpoints = endpoints(string(config, RestSchemaRegistry.SCHEMA_REGISTRY_URL, null),
        credentialsSource.equals("USER_INFO") ? userInfo : null);
    this.autoRegisterSchemas = bool(config, RestSchemaRegistry.AUTO_REGISTER_SCHEMAS, true);
    this.useLatestVersion = bool(config, RestSchemaRegistry.USE_LATEST_VERSION, false);
    this.connectTimeout = millis(config, RestSchemaRegistry.HTTP_CONNECT_TIMEOUT_MS, 10_000);
    this.readTimeout = millis(config, RestSchemaRegistry.HTTP_READ_TIMEOUT_MS, 30_000);
    this.sslContext = sslContext(config);
  }

  static RestSchemaRegistryConfig parse(Map<String, ?> config) {
    return new RestSchemaRegistryConfig(config);
  }

  List<Endpoint> endpoints() {
    return endpoints;
  }

  boolean autoRegisterSchemas() {
    return autoRegisterSchemas;
  }

  boolean useLatestVersion() {
    return useLatestVersion;
  }

  Duration connectTimeout() {
    return connectTimeout;
  }

  Duration readTimeout() {
    return readTimeout;
  }

  /** Null when no truststore is configured: the JDK's default trust then applies to https URLs. */
  SSLContext sslContext() {
    return sslContext;
  }

  /**
   * With USER_INFO every URL gets the same credentials; with URL each URL brings its own
   * (http://user:password@host:8081), which are then taken out of the address.
   */
  private static List<Endpoint> endpoints(String urls, String userInfo) {
    String key = RestSchemaRegistry.SCHEMA_REGISTRY_URL;
    if (urls == null || urls.isBlank()) {
      throw new ConfigException(key, urls, "the schema registry URL is required");
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (String text : urls.split(",")) {
      URI uri;
      try {
        uri = new URI(text.trim());
      } catch (URISyntaxException e) {
        throw new ConfigException(key, withoutUserInfo(text), "not a URL: " + e.getMessage());
      }
      if (uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
          || uri.getHost() == null) {
        throw new ConfigException(key, withoutUserInfo(text), "expected http://host:port or https://host:port");
      }
      String credentials = userInfo != null ? userInfo : uri.getRawUserInfo() == null ? null : decode(uri.getRawUserInfo());
      String authorization = credentials == null ? null
          : "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
      URI base;
      try {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        base = new URI(uri.getScheme() + "://" + uri.getRawAuthority().replaceFirst("^.*@", "") + path);
      } catch (URISyntaxException e) {
        throw new ConfigException(key, withoutUserInfo(text), "not a URL: " + e.getMessage());
      }
      endpoints.add(new Endpoint(base, authorization));
    }
    return List.copyOf(endpoints);
  }

  private static String decode(String rawUserInfo) {
    return URLDecoder.decode(rawUserInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Error messages must not carry the password of a URL. */
  private static String withoutUserInfo(String url) {
    return url.replaceFirst("//[^/@]*@", "//");
  }

  private static SSLContext sslContext(Map<String, ?> config) {
    String location = string(config, RestSchemaRegistry.SSL_TRUSTSTORE_LOCATION, null);
    if (location == null || location.isBlank()) {
      return null;
    }
    String password = string(config, RestSchemaRegistry.SSL_TRUSTSTORE_PASSWORD, null);
    String type = string(config, RestSchemaRegistry.SSL_TRUSTSTORE_TYPE, "JKS");
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      KeyStore trustStore = KeyStore.getInstance(type);
      trustStore.load(in, password == null ? null : password.toCharArray());
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(RestSchemaRegistry.SSL_TRUSTSTORE_LOCATION, location,
          "cannot load the " + type + " truststore: " + e.getMessage());
    }
  }

  private static String string(Map<String, ?> config, String key, String defaultValue) {
    Object value = config.get(key);
    return value == null ? defaultValue : value.toString();
  }

  private static boolean bool(Map<String, ?> config, String key, boolean defaultValue) {
    Object value = config.get(key);
    if (value == null) {
      return defaultValue;
    }
    String text = value.toString().trim().toLowerCase(Locale.ROOT);
    if (!text.equals("true") && !text.equals("false")) {
      throw new ConfigException(key, value, "expected true or false");
    }
    return Boolean.parseBoolean(text);
  }

  private static Duration millis(Map<String, ?> config, String key, long defaultValue) {
    Object value = config.get(key);
    if (value == null) {
      return Duration.ofMillis(defaultValue);
    }
    try {
      long ms = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
      if (ms > 0) {
        return Duration.ofMillis(ms);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(key, value, "expected a positive number of milliseconds");
  }
}
