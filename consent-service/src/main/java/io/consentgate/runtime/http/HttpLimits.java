package io.consentgate.runtime.http;

import java.time.Duration;

/**
 * What one HTTP server of the gate grants a client: so that a slow, stalled or greedy client costs
 * at most a connection and a bounded buffer, never a thread for long nor the service.
 *
 * @param idleTimeout a connection on which no byte moves for this long is closed: a client that
 *     stops half-way through its headers or its body, or an idle kept-alive connection
 * @param bodyTimeout the whole request body must arrive within this, once the headers have (408
 *     otherwise): bounds a client that drips its body slowly enough to dodge the idle timeout
 * @param maxHeaderBytes the request line and headers together (431 beyond it)
 * @param maxBodyBytes a request body (413 beyond it, decided from Content-Length when it is given,
 *     else while reading)
 * @param drainBytes after a 413, how much of the refused body is still read and thrown away, so
 *     that a client that writes its whole body before reading gets the 413 instead of a reset;
 *     a longer body closes the connection once this much is drained
 * @param maxThreads the server's threads (acceptor and selector included); a thread is taken only
 *     while a request is worked on, never while a client is slow to send or a peer to answer
 * @param maxConnections open connections; at the limit the server stops accepting and shortens the
 *     idle timeout of the open ones to {@link #CROWDED_IDLE_TIMEOUT}, so stalled clients go first.
 *     This also bounds the work waiting for a thread: an HTTP/1.1 connection has one request at a
 *     time. (Jetty's own job queue is left unbounded, as Jetty advises: a bounded one makes it drop
 *     its internal tasks, such as closing a connection, when full.)
 * @param stopTimeout on stop, how long requests in flight may take to finish; new ones get 503
 */
public record HttpLimits(Duration idleTimeout, Duration bodyTimeout, int maxHeaderBytes, int maxBodyBytes,
                         long drainBytes, int maxThreads, int maxConnections, Duration stopTimeout) {

  /** The idle timeout of open connections while the server is at {@link #maxConnections}. */
  public static final Duration CROWDED_IDLE_TIMEOUT = Duration.ofSeconds(2);

  /**
   * For the query API: check bodies of up to 1,000 ids fit in 1 MiB. A thread works only while a
   * request is answered from the local store (waits for clients and peers take none), so a few per
   * core suffice; more would only contend for the cores.
   */
  public static final HttpLimits QUERY = new HttpLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), 8 * 1024,
      1 << 20, 16L << 20, Math.max(12, 4 * Runtime.getRuntime().availableProcessors()), 2048, Duration.ofSeconds(5));

  /** For {@code /metrics} and {@code /health}: no bodies, few clients. */
  public static final HttpLimits METRICS = new HttpLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), 8 * 1024,
      0, 1L << 20, 8, 256, Duration.ofSeconds(2));

  public HttpLimits {
    if (idleTimeout.isNegative() || idleTimeout.isZero() || bodyTimeout.isNegative() || bodyTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    if (maxHeaderBytes < 1024 || maxBodyBytes < 0 || drainBytes < 0 || maxConnections < 1) {
      throw new IllegalArgumentException("limits out of range");
    }
    // Jetty leases an acceptor and a selector thread from the pool, and needs some to answer.
    if (maxThreads < 6) {
      throw new IllegalArgumentException("at least 6 threads: " + maxThreads);
    }
  }

  public HttpLimits withIdleTimeout(Duration timeout) {
    return new HttpLimits(timeout, bodyTimeout, maxHeaderBytes, maxBodyBytes, drainBytes, maxThreads,
        maxConnections, stopTimeout);
  }

  public HttpLimits withBodyTimeout(Duration timeout) {
    return new HttpLimits(idleTimeout, timeout, maxHeaderBytes, maxBodyBytes, drainBytes, maxThreads,
        maxConnections, stopTimeout);
  }

  public HttpLimits withMaxBodyBytes(int bytes) {
    return new HttpLimits(idleTimeout, bodyTimeout, maxHeaderBytes, bytes, drainBytes, maxThreads,
        maxConnections, stopTimeout);
  }

  public HttpLimits withStopTimeout(Duration timeout) {
    return new HttpLimits(idleTimeout, bodyTimeout, maxHeaderBytes, maxBodyBytes, drainBytes, maxThreads,
        maxConnections, timeout);
  }
}
