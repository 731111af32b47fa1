package io.consentgate.runtime.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * One of the gate's HTTP servers (the query API, the metrics endpoint, the dev registry) on Jetty,
 * listening from {@link #start} on, within {@link HttpLimits}: bounded threads and connections,
 * idle timeout, header size; optionally TLS. Stopping is graceful: requests in
 * flight finish (within {@link HttpLimits#stopTimeout()}) while new ones are refused with 503.
 */
public final class GateHttpServer implements AutoCloseable {

  /**
   * The paths of these servers carry ids as single segments that they decode themselves ({@code %2F}
   * inside a contact id or a subject is data, not a separator), and no path names a file: the
   * encodings Jetty calls ambiguous are not a risk here. Malformed percent-encoding and bad UTF-8
   * stay refused.
   */
  private static final UriCompliance URIS = UriCompliance.DEFAULT.with("consent-gate",
      UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
      UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT, UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT);

  private static final long SHUTDOWN_IDLE_TIMEOUT_MS = 100;
  private static final int INPUT_BUFFER_BYTES = 64 * 1024;

  private final Server server;
  private final ServerConnector connector;
  private final String host;
  private final boolean secure;
  private final int port;

  private GateHttpServer(Server server, ServerConnector connector, String host, boolean secure) {
    this.server = server;
    this.connector = connector;
    this.host = host;
    this.secure = secure;
    this.port = connector.getLocalPort();
  }

  /**
   * Listens on {@code host:port} ({@code port} 0: a free one) and serves {@code handler}.
   *
   * @param name names the server's threads, e.g. {@code consent-gate-query}
   * @param tls the server's certificate, or null for plain HTTP
   * @throws UncheckedIOException the port cannot be opened; its cause is a {@link java.net.BindException}
   *     when the port is in use
   */
  public static GateHttpServer start(String name, String host, int port, HttpLimits limits,
                                     SslContextFactory.Server tls, ErrorBody errors, Handler handler) {
    QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), 4, (int) TimeUnit.MINUTES.toMillis(1));
    threads.setName(name);
    threads.setDaemon(true); // a server left open must not keep a finished command's JVM alive
    Server server = new Server(threads, new ScheduledExecutorScheduler(name + "-timer", true), null);
    server.setStopTimeout(limits.stopTimeout().toMillis());
    server.setErrorHandler(new ErrorPages(errors, limits));

    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(limits.maxHeaderBytes());
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setUriCompliance(URIS);
    if (tls != null) {
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      // The client checks the certificate against the host it called; this check would only refuse
      // callers that reach the server by another of its names than the one their SNI carries.
      secure.setSniHostCheck(false);
      http.addCustomizer(secure);
    }
    HttpConnectionFactory h1 = new HttpConnectionFactory(http);
    // A check of 1,000 ids is about 45 KB: read in one go rather than in Jetty's default 8 KiB,
    // where every further piece means waiting for the selector and another thread. The buffer is
    // pooled and given back as soon as its bytes are parsed, so an idle connection holds none.
    h1.setInputBufferSize(INPUT_BUFFER_BYTES);
    ServerConnector connector = tls == null ? new ServerConnector(server, 1, 1, h1)
        : new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()), h1);
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    // On stop, a kept-alive connection with no request on it (a peer's, a scraper's) has nothing to
    // finish: close it at once rather than after Jetty's default second.
    connector.setShutdownIdleTimeout(SHUTDOWN_IDLE_TIMEOUT_MS);
    server.addConnector(connector);
    NetworkConnectionLimit connections = new NetworkConnectionLimit(limits.maxConnections(), server);
    connections.setEndPointIdleTimeout(HttpLimits.CROWDED_IDLE_TIMEOUT.toMillis());
    server.addBean(connections);
    server.setHandler(new GracefulHandler(handler));
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      IOException cause = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), cause);
    }
    return new GateHttpServer(server, connector, host, tls != null);
  }

  /** The port listened on (the one picked, when started with 0), also once stopped. */
  public int port() {
    return port;
  }

  /** The base URL on the listened address, e.g. {@code https://127.0.0.1:8088}. */
  public String url() {
    String printable = host.contains(":") ? "[" + host + "]" : host;
    return (secure ? "https" : "http") + "://" + printable + ":" + port();
  }

  public boolean secure() {
    return secure;
  }

  /**
   * Stops accepting, lets requests in flight finish within the stop timeout (new requests on open
   * connections get 503), then closes every connection.
   */
  @Override
  public void close() {
    stopQuietly(server);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping reports requests that did not finish in time; they are cut, which is what a bound means.
      org.slf4j.LoggerFactory.getLogger(GateHttpServer.class).debug("HTTP server stopped with {}", e.toString());
    }
  }
}
