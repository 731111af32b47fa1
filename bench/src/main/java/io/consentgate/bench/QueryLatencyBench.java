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
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The query API's latency, as a caller sees it over HTTP: two gate instances (production's Streams
 * settings, the query API with a bearer token) on the preloaded contacts, asked one request at a
 * time on a kept-alive connection, for one contact the asked instance owns (answered locally), one
 * the other instance owns (forwarded), and a check of 1,000 contacts of both. The first fifth of
 * each series is not measured (warm-up).
 */
final class QueryLatencyBench {

  private static final String TOKEN = "bench-token";
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
    String history = BenchMain.history(events, 5, 44);
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
            BenchMain.gateStreamsSettings(cluster.bootstrap, app, StreamsConfig.EXACTLY_ONCE_V2, work.resolve(instance))),
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
      return r;
    } finally {
      endpoints.forEach(QueryEndpoint::close);
      gates.forEach(GateService::close);
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
    return http.send(HttpRequest.newBuilder(URI.create(url + QueryEndpoint.CONTACT_PATH
            + URLEncoder.encode(contactId, StandardCharsets.UTF_8).replace("+", "%20")))
        .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> check(String url, List<String> contactIds) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url + QueryEndpoint.CHECK_PATH))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(contactIds))).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
