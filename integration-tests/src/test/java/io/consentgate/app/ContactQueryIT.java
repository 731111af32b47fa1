package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.history.HistoryJson;
import io.consentgate.runtime.GateService;
import io.consentgate.runtime.GateStart;
import io.consentgate.runtime.TopicSetup;
import io.consentgate.runtime.http.TestCertificates;
import io.consentgate.runtime.query.OpenApiSchemas;
import io.consentgate.runtime.query.QueryEndpoint;
import io.consentgate.runtime.query.QueryTls;
import io.consentgate.topology.AccountingMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query API on a real broker: two instances each answering for the other's contacts, a
 * standby answering while the owner does not, the survivor answering for all after a rebalance, a
 * restoring store answering 503 (never a stale ALLOW), a gate re-deciding its history answering 503
 * (never 404) until it has caught up with its input, an uncommitted store write invisible until
 * its transaction commits, the token and TLS on a listener beyond loopback (the two instances
 * forward to each other over HTTPS), and the refusal to start without a token. Every answer is
 * checked against docs/openapi.yaml.
 */
class ContactQueryIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Path EXAMPLE = Path.of("../examples/history.jsonl");
  private static final String TOKEN = "it-token-7f3a";
  private static final String GET = "/v1/contacts/{contactId}";
  private static final String CHECK = "/v1/contacts:check";
  private static final ObjectMapper JSON = new ObjectMapper();

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  static OpenApiSchemas api;
  /** The pair of instances serves HTTPS with one certificate (for 127.0.0.1, what they advertise). */
  static Path keystore;
  static final String KEYSTORE_PASSWORD = "it-keystore-pw";
  static HttpClient HTTP;

  @BeforeAll
  static void loadSchemasAndCertificates() throws Exception {
    api = OpenApiSchemas.load();
    keystore = TestCertificates.keystore(dir, "query-pair", KEYSTORE_PASSWORD);
    HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .sslContext(QueryTls.load(keystore, KEYSTORE_PASSWORD, null, null).clientContext()).build();
  }

  /** A gate started as {@code run} starts it, with its query API. */
  private static final class Running implements AutoCloseable {
    final GateService gate;
    final GateStart start;
    final QueryEndpoint query;
    final String url;
    private boolean closed;

    Running(GateService gate, GateStart start, QueryEndpoint query) {
      this.gate = gate;
      this.start = start;
      this.query = query;
      this.url = query.settings().scheme() + "://" + query.applicationServer();
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        query.close();
        gate.close();
        start.catchUp().close();
      }
    }
  }

  private static Running start(GateRuntime runtime, Consumer<GateService> beforeStart) throws Exception {
    GateConfig config = runtime.config();
    int partitions;
    GateStart start;
    try (Admin admin = runtime.admin()) {
      partitions = TopicSetup.ensure(admin, config.topics(), config.streams().applicationId(), true,
          config.topicCreation().partitions(), config.topicCreation().replicationFactor());
      start = GateStart.prepare(admin, config.kafka().clientProperties(), config.streams().applicationId(), config.topics(),
          config.topicCreation().replicationFactor(), false);
    }
    QueryEndpoint query = runtime.openQueryEndpoint();
    GateService gate = runtime.gateService(partitions, start, query);
    beforeStart.accept(gate);
    gate.start();
    gate.serveQueries(query);
    return new Running(gate, start, query);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

  private static Reply get(String url, String contactId, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/v1/contacts/"
        + URLEncoder.encode(contactId, StandardCharsets.UTF_8).replace("+", "%20"))).timeout(Duration.ofSeconds(30));
    Reply reply = send(request, token);
    api.requireValid("GET", GET, reply.status(), reply.body());
    return reply;
  }

  private static Reply check(String url, List<String> ids, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + CHECK)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(ids)));
    Reply reply = send(request, token);
    api.requireValid("POST", CHECK, reply.status(), reply.body());
    return reply;
  }

  private static Reply send(HttpRequest.Builder request, String token) throws Exception {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), JSON.readTree(response.body()), response);
  }

  /** What a sender may do now with the verdict on the topic (docs/senders.md, the rules a sender must follow). */
  private static boolean mayEmail(ConsentVerdict v, Instant now) {
    return v.getDecision().name().equals("ALLOW") && v.getStatus().name().startsWith("CONSENTED_")
        && (v.getValidUntil() == null || now.isBefore(v.getValidUntil()));
  }

  /** The answer without what the API adds to the verdict. */
  private static ObjectNode verdictPart(JsonNode answer) {
    ObjectNode copy = answer.deepCopy();
    copy.remove(List.of("mayEmail", "note", "evidenceHeld", "servedBy", "standby", "standbyLag"));
    return copy;
  }

  private static String outcome(JsonNode v) {
    return v.get("decision").asText() + "/" + v.get("status").asText() + "/" + v.path("validUntil").asText("-") + "/"
        + v.get("version").asLong() + "/" + v.get("epoch").asLong();
  }

  private static String outcome(ConsentVerdict v) {
    return v.getDecision() + "/" + v.getStatus() + "/" + (v.getValidUntil() == null ? "-" : v.getValidUntil()) + "/"
        + v.getVersion() + "/" + v.getEpoch();
  }

  private Map<String, String> pairFlags(String prefix, String instance, int port, Path tokens) {
    Map<String, String> flags = stack.gateFlags(prefix, "query-pair", dir.resolve("pair-" + instance), 4);
    flags.put(GateConfig.QUERY_PORT, String.valueOf(port));
    // A listener beyond loopback (every interface), so tokens are required; the instances call each
    // other, and this test calls them, on the loopback address they advertise.
    flags.put(GateConfig.QUERY_HOST, "0.0.0.0");
    flags.put(GateConfig.QUERY_ADVERTISED, "127.0.0.1:" + port);
    flags.put(GateConfig.QUERY_TOKENS_FILE, tokens.toString());
    // Beyond loopback TLS too: the instances forward to each other over HTTPS, trusting the one certificate.
    flags.put(GateConfig.QUERY_TLS_KEYSTORE, keystore.toString());
    flags.put(GateConfig.QUERY_TLS_KEYSTORE_PASSWORD, KEYSTORE_PASSWORD);
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1H"); // no lapse re-decided while the test compares
    return flags;
  }

  @Test
  void eachInstanceAnswersForTheOthersContactsAStandbyWhileTheOwnerIsSilentAndTheSurvivorAfterTheRebalance()
      throws Exception {
    String prefix = stack.uniquePrefix();
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "# query API tokens\n" + TOKEN + "\n");
    GateRuntime runtimeA = KafkaStack.runtime(pairFlags(prefix, "a", freePort(), tokens));
    GateRuntime runtimeB = KafkaStack.runtime(pairFlags(prefix, "b", freePort(), tokens));
    String history = Files.readString(EXAMPLE) + GateOnKafkaIT.generated(9000, 47);

    try (Running a = start(runtimeA, g -> { }); Running b = start(runtimeB, g -> { })) {
      KafkaStack.publish(runtimeA, history);
      await().atMost(WAIT).until(() -> stack.caughtUp(runtimeA));
      await().atMost(WAIT).until(() -> a.gate.state() == KafkaStreams.State.RUNNING
          && b.gate.state() == KafkaStreams.State.RUNNING);
      Map<String, ConsentVerdict> latest = RedecidingIT.latestByEpochAndVersion(KafkaStack.verdicts(runtimeA));
      List<String> contacts = new ArrayList<>(latest.keySet());
      Collections.sort(contacts);
      assertThat(contacts).hasSizeGreaterThan(1000);

      // The listener is on every interface: no token, no answer.
      for (String token : new String[] {null, "not-" + TOKEN}) {
        Reply refused = get(a.url, contacts.get(0), token);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.raw().headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(refused.body().toString()).doesNotContain("@");
      }

      // Either instance, any contact: the same answer, from its owner, equal to what senders read.
      await().atMost(WAIT).until(() -> get(a.url, contacts.get(0), TOKEN).status() == 200
          && get(b.url, contacts.get(0), TOKEN).status() == 200); // the group has settled
      Set<String> servedVia = new HashSet<>();
      List<String> ownedByB = new ArrayList<>();
      int exact = 0;
      Instant now = Instant.now();
      for (String contact : contacts) {
        Reply viaA = get(a.url, contact, TOKEN);
        Reply viaB = get(b.url, contact, TOKEN);
        assertThat(viaA.status()).as(contact + ": " + viaA.body()).isEqualTo(200);
        assertThat(viaB.status()).as(contact + ": " + viaB.body()).isEqualTo(200);
        assertThat(viaA.body()).as("the same answer from either instance").isEqualTo(viaB.body());
        ConsentVerdict published = latest.get(contact);
        assertThat(outcome(viaA.body())).as(contact).isEqualTo(outcome(published));
        assertThat(viaA.body().get("mayEmail").asBoolean()).as(contact).isEqualTo(mayEmail(published, now));
        assertThat(viaA.body().get("standby").asBoolean()).isFalse();
        JsonNode line = JSON.readTree(HistoryJson.write(published));
        if (verdictPart(viaA.body()).equals(line)) {
          exact++;
        } else {
          // Evidence recorded since, which changed no outcome, shows in reasons and decidedAt only;
          // evidence older than the contact's latest event (read later, from the other input
          // topic) changes the reasons and leaves decidedAt where it was.
          assertThat(Instant.parse(viaA.body().get("decidedAt").asText())).as(contact)
              .isAfterOrEqualTo(published.getDecidedAt());
        }
        String servedBy = viaA.body().get("servedBy").asText();
        servedVia.add(servedBy);
        if (servedBy.equals(b.query.applicationServer())) {
          ownedByB.add(contact);
        }
      }
      System.out.printf("query pair: %d contacts, %d answers equal to the published verdict line, %d owned by B%n",
          contacts.size(), exact, ownedByB.size());
      assertThat(servedVia).as("each instance answered for contacts the other owns")
          .containsExactlyInAnyOrder(a.query.applicationServer(), b.query.applicationServer());

      // A batch of 1,000, in order, from both owners.
      List<String> batch = contacts.subList(0, 1000);
      Reply checked = check(a.url, batch, TOKEN);
      assertThat(checked.status()).isEqualTo(200);
      assertThat(checked.body()).hasSize(1000);
      for (int i = 0; i < batch.size(); i++) {
        JsonNode item = checked.body().get(i);
        assertThat(item.get("contactId").asText()).isEqualTo(batch.get(i));
        assertThat(item.get("result").asText()).isEqualTo("FOUND");
        assertThat(item.get("mayEmail").asBoolean()).as(batch.get(i)).isEqualTo(mayEmail(latest.get(batch.get(i)), now));
      }

      // B's API goes silent while its gate still owns its contacts: A answers from its standby copy.
      b.query.close();
      List<String> sample = ownedByB.subList(0, Math.min(40, ownedByB.size()));
      List<Long> lags = new ArrayList<>();
      for (String contact : sample) {
        Reply viaA = get(a.url, contact, TOKEN);
        assertThat(viaA.status()).as(contact + ": " + viaA.body()).isEqualTo(200);
        assertThat(viaA.body().get("standby").asBoolean()).as("answered by the standby copy").isTrue();
        long lag = viaA.body().get("standbyLag").asLong();
        lags.add(lag);
        assertThat(viaA.body().get("mayEmail").asBoolean()).as(contact + " lag " + lag)
            .isEqualTo(mayEmail(latest.get(contact), now) && lag <= 1);
        assertThat(outcome(viaA.body())).isEqualTo(outcome(latest.get(contact)));
      }
      System.out.println("standby lags seen: " + new java.util.TreeSet<>(lags));
      assertThat(check(a.url, sample, TOKEN).body()).allSatisfy(item -> {
        assertThat(item.get("standby").asBoolean()).isTrue();
        assertThat(item.get("mayEmail").asBoolean()).isEqualTo(mayEmail(latest.get(item.get("contactId").asText()), now)
            && item.get("standbyLag").asLong() <= 1);
      });

      // B stops and leaves the group: after the rebalance A answers for every contact itself.
      b.close();
      AtomicBoolean neverAllowedWrongly = new AtomicBoolean(true);
      await().atMost(WAIT).untilAsserted(() -> {
        for (String contact : sample) {
          Reply viaA = get(a.url, contact, TOKEN);
          if (viaA.body().path("mayEmail").asBoolean(false) && !mayEmail(latest.get(contact), Instant.now())) {
            neverAllowedWrongly.set(false);
          }
          assertThat(viaA.status()).isEqualTo(200);
          assertThat(viaA.body().get("servedBy").asText()).isEqualTo(a.query.applicationServer());
          assertThat(viaA.body().get("standby").asBoolean()).isFalse();
        }
      });
      assertThat(neverAllowedWrongly).as("no answer allowed mail the topic denies, during the rebalance").isTrue();
      assertThat(check(a.url, batch, TOKEN).body()).allSatisfy(item -> {
        assertThat(item.get("result").asText()).isEqualTo("FOUND");
        assertThat(item.get("servedBy").asText()).isEqualTo(a.query.applicationServer());
      });
    }
  }

  @Test
  void aRestoringStoreAnswers503AndNeverAStaleAllow() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "query-restore", dir.resolve("restore"), 2);
    flags.put(GateConfig.QUERY_PORT, "0");
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1H");
    GateRuntime runtime = KafkaStack.runtime(flags);
    try (Running gate = start(runtime, g -> { })) {
      KafkaStack.publish(runtime, Files.readString(EXAMPLE));
      await().atMost(WAIT).untilAsserted(() -> assertThat(get(gate.url, "c-ann", null).body().path("mayEmail")
          .asBoolean()).isTrue());
    }
    // A machine that lost its state directory: the store is restored from its changelog on start.
    Utils.delete(dir.resolve("restore").resolve("query-restore").toFile());
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean restoring = new AtomicBoolean();
    StateRestoreListener holdRestore = new StateRestoreListener() {
      @Override
      public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
        restoring.set(true);
        try {
          release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long restored) { }

      @Override
      public void onRestoreEnd(TopicPartition partition, String store, long total) { }
    };
    try (Running gate = start(runtime, g -> g.globalRestoreListener(holdRestore))) {
      await().atMost(WAIT).untilTrue(restoring);
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      int asked = 0;
      while (System.nanoTime() < until) {
        Reply reply = get(gate.url, "c-ann", null);
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(503);
        assertThat(reply.raw().headers().firstValue("Retry-After")).hasValue("1");
        assertThat(reply.body().get("mayEmail").asBoolean()).isFalse();
        JsonNode item = check(gate.url, List.of("c-ann", "c-bob"), null).body().get(0);
        assertThat(item.get("result").asText()).isEqualTo("UNAVAILABLE");
        assertThat(item.get("mayEmail").asBoolean()).isFalse();
        asked++;
      }
      System.out.println("restoring: " + asked + " rounds of questions, every one 503 / UNAVAILABLE; last: "
          + get(gate.url, "c-ann", null).body());
      release.countDown();
      await().atMost(WAIT).untilAsserted(() -> {
        Reply reply = get(gate.url, "c-ann", null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("mayEmail").asBoolean()).isTrue();
      });
    } finally {
      release.countDown();
    }
  }

  @Test
  void whileTheGateReDecidesItsHistoryNoContactIsUnknownOnlyNotAnswerableYet() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "query-redecide", dir.resolve("redecide"), 2);
    flags.put(GateConfig.QUERY_PORT, "0");
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1H");
    // Store writes become visible at a commit, and the catch-up ends at the first commit: ten
    // seconds of a running gate that has read its input but not caught up, to ask in.
    flags.put("kafka.commit.interval.ms", "10000");
    flags.put("kafka.producer.transaction.timeout.ms", "60000");
    flags.put(GateConfig.HEALTH_STALL_TIMEOUT, "PT60S");
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateOnKafkaIT.createTopics(runtime);
    KafkaStack.publish(runtime, Files.readString(EXAMPLE)); // input waiting for a new application id: it re-decides
    try (Running gate = start(runtime, g -> { })) {
      assertThat(gate.start.catchUp().catchingUp()).isTrue();
      int askedWhileReading = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!gate.start.catchUp().inputsCaughtUp() && System.nanoTime() < deadline) {
        Reply ann = get(gate.url, "c-ann", null);
        Reply nobody = get(gate.url, "c-nobody", null);
        JsonNode items = check(gate.url, List.of("c-ann", "c-nobody"), null).body();
        if (gate.start.catchUp().inputsCaughtUp()) {
          break; // these answers may straddle the end of the catch-up
        }
        for (Reply r : List.of(ann, nobody)) {
          assertThat(r.status()).as("not caught up: %s", r.body()).isEqualTo(503);
          assertThat(r.raw().headers().firstValue("Retry-After")).hasValue("1");
          assertThat(r.body().get("mayEmail").asBoolean()).isFalse();
        }
        assertThat(items).allSatisfy(item -> {
          assertThat(item.get("result").asText()).as(item.toString()).isEqualTo("UNAVAILABLE");
          assertThat(item.get("mayEmail").asBoolean()).isFalse();
        });
        if (nobody.body().get("error").asText().contains("has not read all of its input")) {
          askedWhileReading++; // the gate runs and owns the contact: only the catch-up keeps it from saying 404
        }
        Thread.sleep(100);
      }
      System.out.println("re-deciding: " + askedWhileReading + " rounds of questions while the gate read its input, every "
          + "one 503 / UNAVAILABLE");
      assertThat(askedWhileReading).as("asked while the running gate had not caught up").isPositive();

      await().atMost(WAIT).untilAsserted(() -> {
        Reply ann = get(gate.url, "c-ann", null);
        assertThat(ann.status()).isEqualTo(200);
        assertThat(ann.body().get("mayEmail").asBoolean()).isTrue();
      });
      Reply nobody = get(gate.url, "c-nobody", null);
      assertThat(nobody.status()).as("caught up: unknown is an answer again").isEqualTo(404);
      assertThat(check(gate.url, List.of("c-nobody"), null).body().get(0).get("result").asText()).isEqualTo("UNKNOWN");
    }
  }

  @Test
  void aStoreWriteIsInvisibleToQueriesUntilItsTransactionCommits() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "query-tx", dir.resolve("tx"), 1);
    flags.put(GateConfig.QUERY_PORT, "0");
    flags.put("kafka.commit.interval.ms", "15000"); // a long transaction to look into
    flags.put("kafka.producer.transaction.timeout.ms", "60000");
    flags.put(GateConfig.HEALTH_STALL_TIMEOUT, "PT60S");
    GateRuntime runtime = KafkaStack.runtime(flags);
    SimpleMeterRegistry counted = new SimpleMeterRegistry(); // the gate's counters count only into a registry
    Metrics.addRegistry(counted);
    try (Running gate = start(runtime, g -> { })) {
      await().atMost(WAIT).until(() -> gate.gate.state() == KafkaStreams.State.RUNNING);
      boolean seenInvisible = false;
      for (int attempt = 0; attempt < 3 && !seenInvisible; attempt++) {
        String id = "c-tx-" + attempt;
        double before = applied(counted);
        KafkaStack.publish(runtime, "{\"type\":\"contact\",\"contactId\":\"" + id + "\",\"brandId\":\"acme\",\"email\":\""
            + id + "@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"2024-01-05T10:00:00Z\"}\n"
            + "{\"type\":\"evidence\",\"evidenceId\":\"ev-" + id + "\",\"contactId\":\"" + id + "\",\"brandId\":\"acme\","
            + "\"kind\":\"CHECKBOX_OPT_IN\",\"occurredAt\":\"2024-01-05T10:00:30Z\",\"proof\":{\"reference\":\"form-1\"}}\n");
        // Both records processed: the store holds the contact in the open transaction.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> applied(counted) >= before + 2);
        Reply during = get(gate.url, id, null);
        if (during.status() == 404) {
          seenInvisible = true;
          assertThat(KafkaStack.verdicts(runtime).stream().anyMatch(v -> v.getContactId().equals(id)))
              .as("the transaction has not committed yet: no verdict for read_committed readers either").isFalse();
          long processed = System.nanoTime();
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
              .until(() -> get(gate.url, id, null).status() == 200);
          System.out.printf("store write visible to queries %.1f s after it was made (commit.interval.ms=15000)%n",
              (System.nanoTime() - processed) / 1e9);
          assertThat(KafkaStack.verdicts(runtime).stream().anyMatch(v -> v.getContactId().equals(id))).isTrue();
          // The ALLOW waits for the answer of the contact's suppression index, two more transactions
          // away (docs/policy.md, Suppression by address): until then the answer is no.
          await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
              .until(() -> get(gate.url, id, null).body().get("mayEmail").asBoolean());
        } else {
          // Visible at once: only allowed if the commit happened between the processing and the question.
          assertThat(KafkaStack.verdicts(runtime).stream().anyMatch(v -> v.getContactId().equals(id)))
              .as("a query saw a store write whose transaction had not committed: " + during.body()).isTrue();
        }
      }
      assertThat(seenInvisible).as("an uncommitted write was looked for while its transaction was open").isTrue();
    } finally {
      Metrics.removeRegistry(counted);
    }
  }

  private static double applied(SimpleMeterRegistry registry) {
    return registry.find(AccountingMetrics.APPLIED).counters().stream().mapToDouble(Counter::count).sum();
  }

  @Test
  void aGateRefusesToServeBeyondLoopbackWithoutTokens() throws Exception {
    String address = nonLoopbackAddress();
    CliRun refused = CliRun.of("run", "--set", "query.port=" + freePort(), "--set", "query.host=" + address,
        "--set", "query.advertised=127.0.0.1:8088", "--bootstrap-servers", stack.kafka.bootstrapServers(),
        "--schema-registry-url", stack.registry.url(), "--set", "state.dir=" + dir.resolve("refused"),
        "--set", "metrics.port=-1");
    assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(refused.err()).contains("configuration error").contains("query.host=" + address)
        .contains("not a loopback address").contains("query.tokens.file");
  }

  /** An address of this machine beyond loopback (nothing is sent to it), else every interface. */
  private static String nonLoopbackAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            return address.getHostAddress();
          }
        }
      }
    }
    return "0.0.0.0";
  }
}
