package io.consentgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consentgate.policy.PolicySettings;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.query.QueryEndpoint;
import io.consentgate.runtime.query.QuerySettings;
import io.consentgate.serde.ValueSerdes;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.TopologySettings;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The query API's latency, as a caller sees it over HTTP: two gate instances (production's Streams
 * settings, the query API with a bearer token) on the preloaded contacts, asked one request at a
 * time on a kept-alive connection, for one contact the asked instance owns (answered locally), one
 * the other instance owns (forwarded), and a check of 1,000 contacts of both. The first fifth of
 * each series is not measured (warm-up).
 *
 * <p>Then under load: {@link #CLIENTS} concurrent clients (one thread and kept-alive connection
 * each) asking for random contacts of both instances, and checking 1,000 random contacts: requests
 * per second and p50, p99 at each level. And last, single requests while 200 clients hold
 * connections stalled (headers never finished, bodies promised and never sent).
 */
final class QueryLatencyBench {

  private static final String TOKEN = "bench-token";
  /** The levels of concurrent clients. */
  static final int[] CLIENTS = {1, 16, 64};
  private static final int STALLED = 200;
  /** While connections stall, a request not answered within this counts as not answered. */
  private static final Duration PATIENCE = Duration.ofSeconds(5);
  /** Under load a slow answer is a figure for p99, not a failure: only a request this late fails the run. */
  private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BenchCluster cluster;
  private final int partitions;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  QueryLatencyBench(BenchCluster cluster, int partitions) {
    this.cluster = cluster;
    this.partitions = partitions;
  }

  /**
   * @param events the history's size (about a fifth as many contacts)
   * @param requests single-contact requests per series
   * @param batches checks of 1,000 contacts
   */
  Map<String, Object> run(long events, int requests, int batches, Path work) throws Exception {
    GateTopics topics = new GateTopics("query-contact-created", "query-consent-evidence", "query-consent-verdicts",
        "query-dlq");
    cluster.createTopics(List.of(topics.contactCreated(), topics.consentEvidence(), topics.verdicts(), topics.deadLetters()),
        partitions);
    String history = BenchSupport.history(events, 5, 44);
    cluster.preload(history, topics);
    List<String> contacts = history.lines().filter(l -> l.startsWith("{\"type\":\"contact\""))
        .map(l -> l.split("\"contactId\":\"")[1].split("\"")[0]).distinct().toList();

    TopologySettings settings = new TopologySettings(topics, PolicySettings.defaults(), Duration.ofMinutes(1), true)
        .withInputPartitions(partitions);
    String app = "query-bench";
    List<QueryEndpoint> endpoints = new ArrayList<>();
    List<GateService> gates = new ArrayList<>();
    try {
      for (String instance : List.of("a", "b")) {
        QueryEndpoint endpoint = QueryEndpoint.open(new QuerySettings("127.0.0.1", 0, null, List.of(TOKEN), 1));
        endpoints.add(endpoint);
        GateService gate = new GateService(settings, ValueSerdes.using(cluster.registry), endpoint.advertisedIn(
            BenchSupport.gateStreamsSettings(cluster.bootstrap, app, StreamsConfig.EXACTLY_ONCE_V2, work.resolve(instance))),
            GateService.DEFAULT_SHUTDOWN_TIMEOUT);
        gates.add(gate);
        gate.start();
        gate.serveQueries(endpoint);
      }
      cluster.awaitCaughtUp(app, Set.of(topics.contactCreated(), topics.consentEvidence()), Duration.ofMinutes(10));
      String a = "http://" + endpoints.get(0).applicationServer();
      String self = endpoints.get(0).applicationServer();
      awaitSettled(gates, a, contacts.get(0));

      List<String> local = new ArrayList<>();
      List<String> remote = new ArrayList<>();
      for (String contact : contacts) {
        JsonNode answer = JSON.readTree(get(a, contact).body());
        (answer.path("servedBy").asText().equals(self) ? local : remote).add(contact);
      }
      Random random = new Random(7);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("contacts", contacts.size());
      r.put("instances", 2);
      r.put("local_ms", series(requests, () -> get(a, local.get(random.nextInt(local.size())))));
      r.put("forwarded_ms", series(requests, () -> get(a, remote.get(random.nextInt(remote.size())))));
      List<String> shuffled = new ArrayList<>(contacts);
      r.put("check_1000_ms", series(batches, () -> {
        Collections.shuffle(shuffled, random);
        return check(a, shuffled.subList(0, Math.min(QuerySettings.MAX_BATCH, shuffled.size())));
      }));
      Map<String, Object> concurrent = new LinkedHashMap<>();
      for (int clients : CLIENTS) {
        Map<String, Object> level = new LinkedHashMap<>();
        level.put("get", load(clients, Math.max(requests, clients * 20), rnd -> get(a, contacts.get(rnd.nextInt(contacts.size())))));
        level.put("check_1000", load(clients, Math.max(batches, clients * 2), rnd -> {
          List<String> ids = new ArrayList<>(QuerySettings.MAX_BATCH);
          for (int i = 0; i < Math.min(QuerySettings.MAX_BATCH, contacts.size()); i++) {
            ids.add(contacts.get(rnd.nextInt(contacts.size())));
          }
          return check(a, ids);
        }));
        concurrent.put(String.valueOf(clients), level);
      }
      r.put("concurrent", concurrent);
      r.put("get_while_200_stalled_ms", whileStalled(endpoints.get(0).port(), Math.max(50, requests / 10),
          () -> get(a, local.get(random.nextInt(local.size())), PATIENCE)));
      return r;
    } finally {
      endpoints.forEach(QueryEndpoint::close);
      gates.forEach(GateService::close);
    }
  }

  private interface RandomRequest {
    HttpResponse<String> send(Random random) throws Exception;
  }

  /**
   * {@code n} requests shared by {@code clients} threads, each with its own connection, after one
   * unmeasured round of {@code clients} requests: requests per second over the measured ones, and
   * their p50 and p99. Every answer must be 200.
   */
  private static Map<String, Object> load(int clients, int n, RandomRequest request) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<double[]>> warmup = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int seed = c;
        warmup.add(pool.submit(() -> timed(request, new Random(1000 + seed), 2)));
      }
      for (Future<double[]> f : warmup) {
        f.get();
      }
      List<Future<double[]>> runs = new ArrayList<>();
      long start = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        int share = n / clients + (c < n % clients ? 1 : 0);
        int seed = c;
        runs.add(pool.submit(() -> timed(request, new Random(seed), share)));
      }
      double[] all = new double[n];
      int k = 0;
      for (Future<double[]> f : runs) {
        double[] ms = f.get();
        System.arraycopy(ms, 0, all, k, ms.length);
        k += ms.length;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      java.util.Arrays.sort(all);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("clients", clients);
      m.put("requests", n);
      m.put("requests_per_s", Math.round(n / seconds));
      m.put("p50", Math.round(LatencyBench.percentile(all, 50) * 100) / 100.0);
      m.put("p99", Math.round(LatencyBench.percentile(all, 99) * 100) / 100.0);
      return m;
    } finally {
      pool.shutdownNow();
    }
  }

  /** One client's share: its own HTTP client (one kept-alive connection), {@code n} timed requests. */
  private static double[] timed(RandomRequest request, Random random, int n) throws Exception {
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = request.send(random);
      ms[i] = (System.nanoTime() - start) / 1e6;
      if (response.statusCode() != 200) {
        throw new IllegalStateException("query answered " + response.statusCode() + ": " + response.body());
      }
    }
    return ms;
  }

  /**
   * {@code n} requests, one at a time, while {@value #STALLED} connections stall: half stop in the
   * middle of their headers, half promise a body (with a valid token) and never send it. Reports the
   * answered requests' p50 and p99 and how many got no answer within {@link #PATIENCE}; three of
   * those end the series.
   */
  private Map<String, Object> whileStalled(int port, int n, Request request) throws Exception {
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < STALLED; i++) {
        Socket socket = new Socket("127.0.0.1", port);
        stalled.add(socket);
        String sent = i % 2 == 0 ? "GET /v1/contacts/c-1 HTTP/1.1\r\nHost: bench\r\n"
            : "POST " + QueryEndpoint.CHECK_PATH + " HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
        socket.getOutputStream().write(sent.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
      }
      Thread.sleep(200); // let the server take them all in
      double[] ms = new double[n];
      int answered = 0;
      int unanswered = 0;
      for (int i = 0; i < n && unanswered < 3; i++) {
        long start = System.nanoTime();
        try {
          HttpResponse<String> response = request.send();
          if (response.statusCode() != 200) {
            throw new IllegalStateException("query answered " + response.statusCode() + ": " + response.body());
          }
          ms[answered++] = (System.nanoTime() - start) / 1e6;
        } catch (java.net.http.HttpTimeoutException e) {
          unanswered++;
        }
      }
      double[] sorted = java.util.Arrays.copyOf(ms, answered);
      java.util.Arrays.sort(sorted);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("stalled_connections", STALLED);
      m.put("requests", answered);
      m.put("unanswered_within_" + PATIENCE.toSeconds() + "s", unanswered);
      m.put("p50", answered == 0 ? null : Math.round(LatencyBench.percentile(sorted, 50) * 100) / 100.0);
      m.put("p99", answered == 0 ? null : Math.round(LatencyBench.percentile(sorted, 99) * 100) / 100.0);
      return m;
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
  }

  private void awaitSettled(List<GateService> gates, String url, String contact) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (gates.stream().anyMatch(g -> g.state() != KafkaStreams.State.RUNNING) || get(url, contact).statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the two gates did not settle within 2 minutes");
      }
      Thread.sleep(100);
    }
  }

  private interface Request {
    HttpResponse<String> send() throws Exception;
  }

  /** p50, p99 and the count of {@code n} timed requests after {@code n / 5} unmeasured ones; every answer must be 200. */
  private static Map<String, Object> series(int n, Request request) throws Exception {
    int warmup = Math.max(1, n / 5);
    double[] ms = new double[n];
    for (int i = -warmup; i < n; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = request.send();
      long end = System.nanoTime();
      if (response.statusCode() != 200) {
        throw new IllegalStateException("query answered " + response.statusCode() + ": " + response.body());
      }
      if (i >= 0) {
        ms[i] = (end - start) / 1e6;
      }
    }
    java.util.Arrays.sort(ms);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("requests", n);
    m.put("p50", Math.round(LatencyBench.percentile(ms, 50) * 100) / 100.0);
    m.put("p99", Math.round(LatencyBench.percentile(ms, 99) * 100) / 100.0);
    return m;
  }

  private HttpResponse<String> get(String url, String contactId) throws Exception {
    return get(url, contactId, LOAD_TIMEOUT);
  }

  private HttpResponse<String> get(String url, String contactId, Duration timeout) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url + QueryEndpoint.CONTACT_PATH
            + URLEncoder.encode(contactId, StandardCharsets.UTF_8).replace("+", "%20")))
        .header("Authorization", "Bearer " + TOKEN).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> check(String url, List<String> contactIds) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url + QueryEndpoint.CHECK_PATH))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json").timeout(LOAD_TIMEOUT)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(contactIds))).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
