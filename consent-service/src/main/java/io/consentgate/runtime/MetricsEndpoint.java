package io.consentgate.runtime;

import io.consentgate.runtime.http.ErrorBody;
import io.consentgate.runtime.http.GateHttpServer;
import io.consentgate.runtime.http.HttpLimits;
import io.consentgate.runtime.http.Replies;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Prometheus scrape endpoint ({@code GET /metrics}) and a health answer ({@code GET /health}: 200
 * while the gate runs and makes progress, 503 with the reasons otherwise; see {@link GateHealth}). Exposes Kafka Streams' own metrics and the
 * gate's (dead letters by reason, records applied / unchanged). Anything else is a JSON error
 * ({@code {"error": ...}}), as on the query API.
 */
public final class MetricsEndpoint implements AutoCloseable {

  /** Where it listens unless told otherwise: every interface, so that Prometheus can scrape it. */
  public static final String ALL_INTERFACES = "0.0.0.0";
  /** Prometheus' text exposition format. */
  static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final GateHttpServer server;
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
      server = GateHttpServer.start("consent-gate-metrics", host, port, HttpLimits.METRICS, null, ErrorBody.json(),
          new Scrapes(registry, health));
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException("cannot open the metrics port " + port + " on " + host + ": "
          + e.getCause().getMessage(), e.getCause());
    }
    this.host = host;
    Metrics.addRegistry(registry); // the dead-letter handlers count into the global registry
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    health.bindTo(registry);
  }

  public int port() {
    return server.port();
  }

  /** The address it listens on, as configured ({@value #ALL_INTERFACES}: every interface). */
  public String host() {
    return host;
  }

  /** {@code /metrics} and {@code /health}, read-only. */
  private static final class Scrapes extends Handler.Abstract {

    private static final ErrorBody ERRORS = ErrorBody.json();

    private final PrometheusMeterRegistry registry;
    private final GateHealth health;

    Scrapes(PrometheusMeterRegistry registry, GateHealth health) {
      this.registry = registry;
      this.health = health;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = request.getHttpURI().getPath();
      if (!path.equals("/metrics") && !path.equals("/health")) {
        Replies.error(request, response, callback, ERRORS, 404, "no such resource: GET /metrics or GET /health");
      } else if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET");
        Replies.error(request, response, callback, ERRORS, 405, request.getMethod() + " is not allowed here; use GET");
      } else if (path.equals("/metrics")) {
        Replies.send(request, response, callback, 200, TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8));
      } else {
        GateHealth.Report report = health.check();
        Replies.send(request, response, callback, report.healthy() ? 200 : 503, TEXT,
            report.text().getBytes(StandardCharsets.UTF_8));
      }
      return true;
    }
  }

  @Override
  public void close() {
    server.close();
    streamsMetrics.close();
    Metrics.removeRegistry(registry);
    registry.close();
  }
}
