package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consentgate.client.ConsentClient;
import io.consentgate.client.Permission;
import io.consentgate.client.Reason;
import io.consentgate.client.VerdictSummary;
import io.consentgate.dev.EmbeddedKafka;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.Decision;
import io.consentgate.registry.RestSchemaRegistry;
import io.consentgate.runtime.TopicSetup;
import io.consentgate.serde.ConfluentAvroSerde;
import io.consentgate.serde.InMemorySchemaRegistry;
import io.consentgate.serde.SchemaRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The senders' client and the {@code check} command on a real broker and registry, beside a gate
 * started as {@code run} starts it: the answers match the verdict topic, a withdrawal reaches the
 * listener, aborted transactions are never seen, tombstones remove, and each fail-closed rule that
 * needs a broker to show it (not ready, stale when the broker goes, gate behind when it stops).
 */
class ConsentClientIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Path EXAMPLE = Path.of("../examples/history.jsonl");

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  private static Map<String, Object> clientConfig(Map<String, String> gateFlags) {
    Map<String, Object> c = new HashMap<>(gateFlags); // the gate's own keys; those the client does not use are ignored
    c.put(ConsentClient.SNAPSHOT_INTERVAL, "PT0.2S");
    return c;
  }

  private static String withdrawal(String contactId, String evidenceId) {
    return "{\"type\":\"evidence\",\"evidenceId\":\"" + evidenceId + "\",\"contactId\":\"" + contactId
        + "\",\"brandId\":\"acme\",\"kind\":\"UNSUBSCRIBE\",\"occurredAt\":\"" + Instant.now().toString().substring(0, 19) + "Z\"}\n";
  }

  private static String[] args(String command, Map<String, String> flags, String... more) {
    List<String> args = new ArrayList<>(List.of(command));
    flags.forEach((k, v) -> {
      args.add("--set");
      args.add(k + "=" + v);
    });
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** What the rules say of a contact's latest verdict now. */
  private static boolean mayEmail(ConsentVerdict v, Instant now) {
    return v.getDecision() == Decision.ALLOW
        && (v.getStatus() == ConsentStatus.CONSENTED_EXPLICIT || v.getStatus() == ConsentStatus.CONSENTED_IMPLICIT)
        && (v.getValidUntil() == null || v.getValidUntil().isAfter(now));
  }

  @Test
  void theClientAnswersWhatTheVerdictTopicSaysAndHearsAWithdrawal() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "client-answers", dir.resolve("client-answers"), 3);
    GateRuntime runtime = KafkaStack.runtime(flags);
    try (RunningGate gate = RunningGate.start(runtime)) {
      String history = Files.readString(EXAMPLE);
      long contactCount = history.lines().filter(l -> l.contains("\"type\":\"contact\""))
          .map(l -> l.split("\"contactId\":\"")[1].split("\"")[0]).distinct().count();
      KafkaStack.publish(runtime, history);
      await().atMost(WAIT).until(() -> stack.caughtUp(runtime));
      Map<String, ConsentVerdict> latest = RedecidingIT.latestByEpochAndVersion(KafkaStack.verdicts(runtime));
      assertThat(latest).hasSize((int) contactCount);

      List<String> heard = new CopyOnWriteArrayList<>();
      try (ConsentClient client = ConsentClient.builder(clientConfig(flags)).meterRegistry(new SimpleMeterRegistry())
          .listener((id, v) -> heard.add(id + "=" + (v == null ? "removed" : v.decision() + "/" + v.status()))).build()) {
        assertThat(client.awaitReady(WAIT)).isTrue();
        assertThat(client.status().gateWatched()).as("application.id among the gate's keys: the gate is watched").isTrue();
        Instant now = Instant.now();
        int allowed = 0;
        for (ConsentVerdict v : latest.values()) {
          Permission p = client.check(v.getContactId(), now);
          assertThat(p.mayEmail()).as("%s: %s", v.getContactId(), p).isEqualTo(mayEmail(v, now));
          allowed += p.mayEmail() ? 1 : 0;
          if (p.mayEmail()) {
            assertThat(p.reason()).isEqualTo(Reason.ALLOWED);
          } else {
            assertThat(p.reason()).as(v.getContactId()).isIn(Reason.DENIED, Reason.EXPIRED, Reason.NOT_CONSENTED);
          }
          if (p.reason() != Reason.EXPIRED) { // the gate may publish the lapse meanwhile
            assertThat(p.verdict().version()).isEqualTo(v.getVersion());
            assertThat(p.verdict().epoch()).isEqualTo(v.getEpoch());
          }
        }
        assertThat(allowed).as("the example has allowed contacts").isPositive();
        assertThat(client.check("c-bob", now).reason()).as("c-bob's implicit consent lapsed on 2026-03-10")
            .isIn(Reason.EXPIRED, Reason.DENIED);
        assertThat(client.check("c-nobody").reason()).isEqualTo(Reason.UNKNOWN_CONTACT);
        assertThat(heard).as("the initial read is heard too").hasSizeGreaterThanOrEqualTo(latest.size());

        assertThat(client.check("c-ann").mayEmail()).isTrue();
        KafkaStack.publish(runtime, withdrawal("c-ann", "ev-ann-withdrawn"));
        await().atMost(WAIT).until(() -> heard.contains("c-ann=DENY/WITHDRAWN"));
        Permission after = client.check("c-ann");
        assertThat(after.mayEmail()).isFalse();
        assertThat(after.reason()).isEqualTo(Reason.DENIED);
        assertThat(after.verdict().status()).isEqualTo(ConsentStatus.WITHDRAWN);
      }

      // The check command, for campaign operators, on the same topic.
      Path contacts = dir.resolve("campaign.txt");
      List<String> ids = new ArrayList<>(latest.keySet());
      Files.writeString(contacts, String.join("\n", ids) + "\nc-nobody\n");
      CliRun check = CliRun.of(args("check", flags, "--contacts", contacts.toString()));
      assertThat(check.exitCode()).as(check.err()).isZero();
      assertThat(check.outLines()).hasSize(ids.size() + 1);
      Instant now = Instant.now();
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      for (String line : check.outLines()) {
        var answer = json.readTree(line);
        String id = answer.get("contactId").asText();
        if (id.equals("c-nobody")) {
          assertThat(answer.get("mayEmail").asBoolean()).isFalse();
          assertThat(answer.get("reason").asText()).isEqualTo("UNKNOWN_CONTACT");
          assertThat(answer.get("decision").isNull()).isTrue();
          continue;
        }
        boolean expected = !id.equals("c-ann") && mayEmail(latest.get(id), now);
        assertThat(answer.get("mayEmail").asBoolean()).as(line).isEqualTo(expected);
        assertThat(answer.get("status").asText()).as(line).isNotEmpty();
        assertThat(answer.get("version").asLong()).as(line).isPositive();
        assertThat(answer.has("epoch") && answer.has("validUntil")).isTrue();
      }
      assertThat(check.outLines()).as("in the order given").first().asString().contains("\"" + ids.get(0) + "\"");

      CliRun allowedOnly = CliRun.of(args("check", flags, "--contacts", contacts.toString(), "--allowed-only", "--check-gate"));
      assertThat(allowedOnly.exitCode()).as(allowedOnly.err()).isZero();
      List<String> expectedAllowed = ids.stream().filter(id -> !id.equals("c-ann") && mayEmail(latest.get(id), Instant.now())).toList();
      assertThat(allowedOnly.outLines()).containsExactlyElementsOf(expectedAllowed);

      Path messy = dir.resolve("messy.txt");
      Files.writeString(messy, "c-jo\n\nc jo\n  c-eli  \n");
      CliRun bad = CliRun.of(args("check", flags, "--contacts", messy.toString(), "--allowed-only"));
      assertThat(bad.exitCode()).as("a malformed line").isEqualTo(ConsentGateCli.EXIT_BAD_INPUT);
      assertThat(bad.err()).contains("line 3: not a contact id: white space inside (skipped)");
      assertThat(bad.outLines()).as("the other lines are still answered").containsExactlyElementsOf(
          List.of("c-jo", "c-eli").stream().filter(expectedAllowed::contains).toList());

      java.io.InputStream stdin = System.in;
      try {
        System.setIn(new java.io.ByteArrayInputStream("c-jo\nc-nobody\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        CliRun fromStdin = CliRun.of(args("check", flags, "--contacts", "-"));
        assertThat(fromStdin.exitCode()).as(fromStdin.err()).isZero();
        assertThat(fromStdin.outLines()).hasSize(2);
      } finally {
        System.setIn(stdin);
      }
    }
  }

  @Test
  void theCheckCommandSaysUnavailableForAMissingTopicOrAGateThatNeverRan() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "check-missing", dir.resolve("check-missing"), 2);
    Path contacts = Files.writeString(dir.resolve("one.txt"), "c-ann\n");
    CliRun missing = CliRun.of(args("check", flags, "--contacts", contacts.toString()));
    assertThat(missing.exitCode()).as(missing.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(missing.err()).contains(flags.get(GateConfig.TOPIC_VERDICTS)).contains("do not exist")
        .doesNotContain("Exception");

    // Topics and input, but no gate ever ran: by default check refuses to answer, and says why and what to do.
    GateRuntime runtime = KafkaStack.runtime(flags);
    GateOnKafkaIT.createTopics(runtime);
    KafkaStack.publish(runtime, Files.readString(EXAMPLE));
    CliRun behind = CliRun.of(args("check", flags, "--contacts", contacts.toString(), "--wait", "PT3S"));
    assertThat(behind.exitCode()).as(behind.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(behind.err()).contains("the gate check-missing has not processed its input")
        .contains("No gate with that application id has committed any progress").contains("--set application.id=ID")
        .contains("--no-check-gate").doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(behind.out()).isEmpty();
    CliRun failingOpen = CliRun.of(args("check", flags, "--contacts", contacts.toString(), "--no-check-gate"));
    assertThat(failingOpen.exitCode()).as("--no-check-gate: the topic alone answers, no verdict yet").isZero();
    assertThat(failingOpen.out()).contains("\"reason\":\"UNKNOWN_CONTACT\"");
  }

  @Test
  void theCheckCommandSaysUnavailableWhileTheStoppedGateHasAWithdrawalWaiting() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "check-stopped", dir.resolve("check-stopped"), 2);
    GateRuntime runtime = KafkaStack.runtime(flags);
    try (RunningGate gate = RunningGate.start(runtime)) {
      KafkaStack.publish(runtime, Files.readString(EXAMPLE));
      await().atMost(WAIT).until(() -> stack.caughtUp(runtime));
    }
    Path contacts = Files.writeString(dir.resolve("ann.txt"), "c-ann\n");
    CliRun before = CliRun.of(args("check", flags, "--contacts", contacts.toString(), "--allowed-only"));
    assertThat(before.exitCode()).as(before.err()).isZero();
    assertThat(before.outLines()).as("a stopped gate that processed everything is current").containsExactly("c-ann");

    KafkaStack.publish(runtime, withdrawal("c-ann", "ev-ann-while-stopped"));
    CliRun behind = CliRun.of(args("check", flags, "--contacts", contacts.toString(), "--allowed-only", "--wait", "PT3S"));
    assertThat(behind.exitCode()).as(behind.err()).isEqualTo(ConsentGateCli.EXIT_UNAVAILABLE);
    assertThat(behind.err()).contains("the gate check-stopped has not processed its input")
        .doesNotContain("No gate with that application id");
    assertThat(behind.out()).as("no answer, so no c-ann").isEmpty();
    CliRun failingOpen = CliRun.of(args("check", flags, "--contacts", contacts.toString(), "--allowed-only", "--no-check-gate"));
    assertThat(failingOpen.outLines()).as("what --no-check-gate warns of: the withdrawal is not seen").containsExactly("c-ann");
  }

  @Test
  void withTheGateStoppedAndInputWaitingEveryAnswerIsGateBehindUntilItCatchesUp() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "client-gate", dir.resolve("client-gate"), 2);
    GateRuntime runtime = KafkaStack.runtime(flags);
    Map<String, Object> config = clientConfig(flags);
    config.put(ConsentClient.GATE_BEHIND_AFTER, "PT2S");
    try (RunningGate gate = RunningGate.start(runtime)) {
      KafkaStack.publish(runtime, Files.readString(EXAMPLE));
      await().atMost(WAIT).until(() -> stack.caughtUp(runtime));
    }
    try (ConsentClient client = ConsentClient.builder(config).meterRegistry(new SimpleMeterRegistry()).build()) {
      assertThat(client.awaitReady(WAIT)).isTrue();
      assertThat(client.check("c-ann").mayEmail()).as("a stopped gate that processed everything is not behind").isTrue();
      KafkaStack.publish(runtime, withdrawal("c-ann", "ev-ann-gone"));
      await().atMost(WAIT).until(() -> client.check("c-ann").reason() == Reason.GATE_BEHIND);
      assertThat(client.check("c-jo").reason()).as("every contact: the waiting record may be anyone's").isEqualTo(Reason.GATE_BEHIND);
      assertThat(client.status().gateBehind()).isTrue();
      try (RunningGate again = RunningGate.start(runtime)) {
        await().atMost(WAIT).until(() -> client.check("c-ann").reason() == Reason.DENIED);
        assertThat(client.check("c-jo").mayEmail()).isTrue();
      }
    }
  }

  @Test
  void abortedTransactionsAreNeverSeenAndATombstoneRemovesAContact() throws Exception {
    String topic = stack.uniquePrefix() + "own-verdicts";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
      TopicSetup.awaitLeaders(admin, List.of(topic));
    }
    SchemaRegistry registry = new RestSchemaRegistry(Map.of("schema.registry.url", stack.registry.url()));
    ConfluentAvroSerde<ConsentVerdict> serde = new ConfluentAvroSerde<>(registry, ConsentVerdict.class);
    Map<String, Object> props = Map.of("bootstrap.servers", stack.kafka.bootstrapServers(), "transactional.id", topic + "-writer");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
         // No gate writes this topic (the test does), so there is no gate's progress to check.
         ConsentClient client = ConsentClient.builder(Map.of(ConsentClient.BOOTSTRAP_SERVERS, stack.kafka.bootstrapServers(),
             ConsentClient.SCHEMA_REGISTRY_URL, stack.registry.url(), ConsentClient.TOPIC_VERDICTS, topic,
             ConsentClient.SNAPSHOT_INTERVAL, "PT0.2S", ConsentClient.CHECK_GATE, "false"))
             .meterRegistry(new SimpleMeterRegistry()).build()) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "c-aborted", serde.serialize(topic, verdict("c-aborted", 1))));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "c-kept", serde.serialize(topic, verdict("c-kept", 1))));
      producer.commitTransaction();
      await().atMost(WAIT).until(() -> client.check("c-kept").mayEmail());
      assertThat(client.check("c-aborted").reason()).isEqualTo(Reason.UNKNOWN_CONTACT);

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "c-kept", null));
      producer.commitTransaction();
      await().atMost(WAIT).until(() -> client.check("c-kept").reason() == Reason.UNKNOWN_CONTACT);
      assertThat(client.status().contacts()).isZero();
    }
  }

  private static ConsentVerdict verdict(String contactId, long version) {
    return ConsentVerdict.newBuilder().setContactId(contactId).setBrandId("acme").setEmail(contactId + "@example.org")
        .setDecision(Decision.ALLOW).setStatus(ConsentStatus.CONSENTED_EXPLICIT).setOneToOneAllowed(true).setValidUntil(null)
        .setReasons(List.of("CONSENTED_EXPLICIT")).setEvidenceIds(List.of()).setRecommendations(List.of())
        .setDecidedAt(Instant.now()).setPolicy("optin/1").setVersion(version).setEpoch(0).build();
  }

  @Test
  void withNoBrokerToReadFromTheClientIsNotReady() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (ConsentClient client = ConsentClient.builder(Map.of(ConsentClient.BOOTSTRAP_SERVERS, "127.0.0.1:" + port))
        .schemaRegistry(new InMemorySchemaRegistry()).meterRegistry(new SimpleMeterRegistry()).build()) {
      assertThat(client.awaitReady(Duration.ofSeconds(2))).isFalse();
      Permission p = client.check("c-ann");
      assertThat(p.reason()).isEqualTo(Reason.NOT_READY);
      assertThat(p.mayEmail()).isFalse();
    }
  }

  @Test
  void whenTheBrokerGoesAwayEveryAnswerTurnsStaleWithinTheLimit() throws Exception {
    EmbeddedKafka own = EmbeddedKafka.start(dir.resolve("own-kafka"));
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    String topic = "stale-verdicts";
    boolean closed = false;
    try {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", own.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        TopicSetup.awaitLeaders(admin, List.of(topic));
      }
      ConfluentAvroSerde<ConsentVerdict> serde = new ConfluentAvroSerde<>(registry, ConsentVerdict.class);
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", own.bootstrapServers()),
          new StringSerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(topic, "c-ann", serde.serialize(topic, verdict("c-ann", 1)))).get();
      }
      // No gate on this broker: only the view's own staleness is at stake.
      try (ConsentClient client = ConsentClient.builder(Map.of(ConsentClient.BOOTSTRAP_SERVERS, own.bootstrapServers(),
          ConsentClient.TOPIC_VERDICTS, topic, ConsentClient.STALE_AFTER, "PT3S", ConsentClient.SNAPSHOT_INTERVAL, "PT0.2S",
          ConsentClient.CHECK_GATE, "false")).schemaRegistry(registry).meterRegistry(new SimpleMeterRegistry()).build()) {
        assertThat(client.awaitReady(WAIT)).isTrue();
        assertThat(client.check("c-ann").mayEmail()).isTrue();
        // From before the close: the limit counts from the last snapshot reached, and a loaded
        // machine can take most of a second to stop the broker.
        long gone = System.nanoTime();
        own.close();
        closed = true;
        await().atMost(Duration.ofSeconds(30)).until(() -> client.check("c-ann").reason() == Reason.STALE);
        assertThat(Duration.ofNanos(System.nanoTime() - gone)).as("stale after the limit, not before")
            .isGreaterThanOrEqualTo(Duration.ofMillis(2_500));
        VerdictSummary held = client.check("c-ann").verdict();
        assertThat(held).as("the verdict is still held, just not trusted").isNotNull();
        assertThat(client.status().stale()).isTrue();
      }
    } finally {
      if (!closed) {
        own.close();
      }
    }
  }
}
