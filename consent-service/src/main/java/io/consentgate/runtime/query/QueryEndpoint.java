package io.consentgate.runtime.query;

import io.consentgate.runtime.http.ErrorBody;
import io.consentgate.runtime.http.GateHttpServer;
import io.consentgate.runtime.http.HttpLimits;
import io.consentgate.topology.StreamsSettings;
import java.io.UncheckedIOException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The gate's query API over HTTP or HTTPS ({@code docs/openapi.yaml}):
 * <ul>
 *   <li>{@code GET /v1/contacts/{contactId}}: the contact's verdict and whether mail may go now;</li>
 *   <li>{@code POST /v1/contacts:check}: the same, short, for up to {@value QuerySettings#MAX_BATCH} ids.</li>
 * </ul>
 * With tokens configured every request must carry {@code Authorization: Bearer <token>} (401
 * otherwise), the calls between instances too. It listens from {@link #open} on, answering 503
 * until {@link #serve} hands it the gate, whose Kafka Streams needs the advertised address
 * ({@link #advertised()}) before it is built. {@link #close} lets requests in flight finish.
 */
public final class QueryEndpoint implements AutoCloseable {

  public static final String CONTACT_PATH = "/v1/contacts/";
  public static final String CHECK_PATH = "/v1/contacts:check";

  private final QuerySettings settings;
  private final GateHttpServer server;
  private final HostInfo advertised;
  private volatile ContactQueries queries;

  private QueryEndpoint(QuerySettings settings, HttpLimits limits) {
    this.settings = settings;
    QueryHandler handler = new QueryHandler(settings.tokens(), limits, () -> queries);
    try {
      this.server = GateHttpServer.start("consent-gate-query", settings.host(), settings.port(), limits,
          settings.tls() == null ? null : settings.tls().serverContext(), ErrorBody.json(), handler);
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException("cannot open the query port " + settings.port() + " on " + settings.host() + ": "
          + e.getCause().getMessage(), e.getCause());
    }
    this.advertised = settings.advertised() != null ? QuerySettings.parseEndpoint(settings.advertised())
        : new HostInfo(settings.host(), server.port());
  }

  /**
   * Listens on the configured address, within the query API's {@link HttpLimits#QUERY limits};
   * answers 503 until {@link #serve}.
   *
   * @throws UncheckedIOException the port cannot be opened; its cause is a {@link java.net.BindException}
   *     when the port is in use
   */
  public static QueryEndpoint open(QuerySettings settings) {
    return open(settings, HttpLimits.QUERY);
  }

  /** {@link #open(QuerySettings)} within other limits (tests: shorter timeouts). */
  public static QueryEndpoint open(QuerySettings settings, HttpLimits limits) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException("the query API is off (query.port=-1)");
    }
    return new QueryEndpoint(settings, limits);
  }

  /** From now on, answers from this gate. */
  public void serve(ContactQueries queries) {
    this.queries = queries;
  }

  /** The {@code host:port} other instances call this one at: Kafka Streams' {@code application.server}. */
  public HostInfo advertised() {
    return advertised;
  }

  /** {@code host:port} as {@code application.server} takes it. */
  public String applicationServer() {
    return ContactQueries.endpoint(advertised);
  }

  /** {@code streams} advertising this endpoint as the instance's {@code application.server}. */
  public StreamsSettings advertisedIn(StreamsSettings streams) {
    return streams.withOverride(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer());
  }

  /** The port listened on (the one picked, when configured as 0). */
  public int port() {
    return server.port();
  }

  /** The base URL on the listened address, e.g. {@code https://127.0.0.1:8088}. */
  public String url() {
    return server.url();
  }

  public QuerySettings settings() {
    return settings;
  }

  /** Stops: requests in flight finish (within the stop timeout), new ones are refused. */
  @Override
  public void close() {
    server.close();
  }
}
