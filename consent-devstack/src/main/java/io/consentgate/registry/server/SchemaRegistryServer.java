package io.consentgate.registry.server;

import io.consentgate.runtime.http.GateHttpServer;
import io.consentgate.runtime.http.HttpLimits;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry that speaks Confluent's REST API, so Confluent's serializers and
 * deserializers in Java, JavaScript, Python and Go work against it. AVRO schemas only. The state
 * lives in memory and every change goes through the {@link RegistryStorage} given, which the
 * server replays at start; the caller owns the storage and closes it. It serves HTTP on Jetty
 * within {@link #LIMITS} ({@link RegistryHttpHandler} is the HTTP surface).
 *
 * <p>One instance per storage: ids and version numbers are handed out by this process alone.
 */
public final class SchemaRegistryServer implements AutoCloseable {

  /** A schema is rarely more than some kilobytes; Confluent's own registry is not more generous by default. */
  static final HttpLimits LIMITS = new HttpLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), 8 * 1024, 8 << 20,
      16L << 20, 16, 1024, Duration.ofSeconds(2));

  private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);

  private final GateHttpServer http;
  private final RegistryHttpHandler handler;
  private final String url;

  /** A server open to everyone on {@code host:port} (port 0: a free one). */
  public SchemaRegistryServer(String host, int port, RegistryStorage storage) {
    this(host, port, storage, null);
  }

  /**
   * @param requiredUserInfo "user:password" that every request must present as HTTP basic
   *     authentication (401 otherwise), or null to require none
   * @throws UncheckedIOException the port cannot be opened; its cause is a {@link java.net.BindException}
   *     when the port is in use
   */
  public SchemaRegistryServer(String host, int port, RegistryStorage storage, String requiredUserInfo) {
    String expectedAuthorization = requiredUserInfo == null ? null
        : "Basic " + Base64.getEncoder().encodeToString(requiredUserInfo.getBytes(StandardCharsets.UTF_8));
    this.handler = new RegistryHttpHandler(new RegistryEndpoints(new Registry(storage)), expectedAuthorization, LIMITS);
    try {
      this.http = GateHttpServer.start("schema-registry-http", host, port, LIMITS, null, RegistryHttpHandler.ERRORS,
          handler);
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + " for the schema registry", e.getCause());
    }
    this.url = http.url();
    log.info("Schema registry listening on {}{}", url, requiredUserInfo == null ? "" : " (basic authentication required)");
  }

  /** The base URL clients use, e.g. {@code http://127.0.0.1:8081}. */
  public String url() {
    return url;
  }

  /** How many HTTP requests the server has answered, errors included. */
  public long requestCount() {
    return handler.requestCount();
  }

  @Override
  public void close() {
    http.close();
    log.info("Schema registry on {} stopped", url);
  }
}
