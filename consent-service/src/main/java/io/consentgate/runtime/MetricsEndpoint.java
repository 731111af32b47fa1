package io.consentgate.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Prometheus scrape endpoint ({@code GET /metrics}) and a health answer ({@code GET /health}: 200
 * while the gate runs and makes progress, 503 with the reasons otherwise; see {@link GateHealth}). Exposes Kafka Streams' own metrics and the
 * gate's (dead letters by reason, records applied / unchanged).
 */
public final class MetricsEndpoint implements AutoCloseable {

  /** Where it listens unless told otherwise: every interface, so that Prometheus can scrape it. */
  public static final String ALL_INTERFACES = "0.0.0.0";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpServer server;
  private final String host;
  private final KafkaStreamsMetrics streamsMetrics;

  /** On every interface. */
  public MetricsEndpoint(int port, KafkaStreams streams, GateHealth health) {
    this(ALL_INTERFACES, port, streams, health);
  }

  /**
   * @param host the address to listen on ({@value #ALL_INTERFACES}: every interface)
   * @param port the port, 0 for a free one
   * @throws UncheckedIOException the port cannot be opened; its cause is a {@link java.net.BindException}
   *     when the port is in use
   */
  public MetricsEndpoint(String host, int port, KafkaStreams streams, GateHealth health) {
    // The port first: a port that cannot be had leaves nothing registered behind.
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the metrics port " + port + " on " + host + ": " + e.getMessage(), e);
    }
    this.host = host;
    Metrics.addRegistry(registry); // the dead-letter handlers count into the global registry
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    health.bindTo(registry);
    server.createContext("/metrics", exchange -> answer(exchange, 200, registry.scrape()));
    server.createContext("/health", exchange -> {
      GateHealth.Report report = health.check();
      answer(exchange, report.healthy() ? 200 : 503, report.text());
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The address it listens on, as configured ({@value #ALL_INTERFACES}: every interface). */
  public String host() {
    return host;
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    streamsMetrics.close();
    Metrics.removeRegistry(registry);
    registry.close();
  }
}
