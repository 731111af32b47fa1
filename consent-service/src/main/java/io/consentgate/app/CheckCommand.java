package io.consentgate.app;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.consentgate.client.ClientStatus;
import io.consentgate.client.ConsentClient;
import io.consentgate.client.Permission;
import io.consentgate.client.VerdictSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * For campaign operators: may each contact of a list be emailed now? Answered by the senders'
 * client library from the verdict topic, with every fail-closed rule, the gate's progress
 * included: the gate need not run, but it must have processed the input there is.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Answers, for each contact id read (one a line), whether marketing email may go to it now: one JSON line "
        + "per contact (mayEmail, reason, decision, status, validUntil, epoch, version), or with --allowed-only just the ids "
        + "that may be emailed. Reads the verdict topic read_committed, as the senders' client library does, and answers "
        + "only once the gate (application.id, from the same configuration as the gate's) has processed the input there is.",
        "A line is an id with surrounding white space removed; blank lines are skipped; a line with white space or control "
            + "characters inside, or bytes that are not UTF-8, is reported on stderr with its number and skipped (exit 1)."})
final class CheckCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions options;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--contacts", required = true, paramLabel = "FILE|-", description = "Contact ids, one a line; - reads standard input.")
  Path contacts;

  @Option(names = "--allowed-only", description = "Print only the ids that may be emailed, one a line.")
  boolean allowedOnly;

  @Option(names = "--wait", defaultValue = "PT60S", paramLabel = "DURATION",
      description = "How long to wait for the view to read the verdict topic up to its end, and for the gate to have "
          + "processed its input (ISO-8601, default ${DEFAULT-VALUE}); past it the command stops with exit 4 and prints no answer.")
  Duration wait;

  @Option(names = "--check-gate", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "On by default: answer only once the gate (application.id) has processed its input, else stop with "
          + "exit 4 and no answers (GATE_BEHIND: a withdrawal may be waiting). Needs DESCRIBE on the gate's consumer group "
          + "and input topics. --no-check-gate answers from the verdict topic alone and FAILS OPEN: a withdrawal the gate "
          + "has not processed yet is not seen, and a stopped gate's last ALLOW keeps being answered.")
  boolean checkGate;

  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public Integer call() throws Exception {
    GateConfig config = options.load(cluster.flags());
    if (wait.isNegative()) {
      throw new GateConfig.ConfigException("--wait must not be negative, got " + wait);
    }
    BufferedReader in = InputFiles.open(contacts);
    GateRuntime runtime = new GateRuntime(config);
    List<String> topics = new ArrayList<>(List.of(config.topics().verdicts()));
    if (checkGate) {
      topics.add(config.topics().contactCreated());
      topics.add(config.topics().consentEvidence());
    }
    runtime.requireTopics(topics);
    runtime.requireRegistry();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (ConsentClient client = ConsentClient.builder(clientConfig(config, checkGate)).schemaRegistry(runtime.registry())
        .meterRegistry(new SimpleMeterRegistry()).build()) {
      if (!client.awaitReady(wait)) {
        throw new Unavailable(whyNotReady(client.status(), runtime));
      }
      Lines lines = new Lines(in, err);
      Consumer<Permission> print = allowedOnly ? p -> out.println(p.contactId()) : p -> out.println(json(p));
      client.filter(lines, print, allowedOnly ? p -> { } : print);
      out.flush();
      if (lines.malformed > 0) {
        err.println("consent-gate: " + lines.malformed + " malformed line(s) skipped");
        return ConsentGateCli.EXIT_BAD_INPUT;
      }
      return 0;
    } finally {
      in.close();
    }
  }

  /** The gate's keys as the client reads them; the gate is watched unless --no-check-gate. */
  static Map<String, Object> clientConfig(GateConfig config, boolean checkGate) {
    Map<String, Object> c = new HashMap<>();
    config.registry().properties().forEach((k, v) -> {
      if (!k.equals(GateConfig.AUTO_REGISTER_SCHEMAS) && !k.equals(GateConfig.USE_LATEST_VERSION)) {
        c.put(k, v); // the registry's URL, credentials and TLS: a reader registers nothing
      }
    });
    c.put(GateConfig.BOOTSTRAP_SERVERS, config.kafka().bootstrapServers());
    config.kafka().overrides().forEach((k, v) -> c.put(GateConfig.KAFKA_PREFIX + k, v));
    c.put(ConsentClient.TOPIC_VERDICTS, config.topics().verdicts());
    c.put(ConsentClient.TOPIC_CONTACT_CREATED, config.topics().contactCreated());
    c.put(ConsentClient.TOPIC_CONSENT_EVIDENCE, config.topics().consentEvidence());
    if (checkGate) {
      c.put(ConsentClient.APPLICATION_ID, config.streams().applicationId());
    } else {
      c.put(ConsentClient.CHECK_GATE, "false");
    }
    return c;
  }

  private String whyNotReady(ClientStatus status, GateRuntime runtime) {
    GateConfig config = runtime.config();
    String topic = config.topics().verdicts();
    return switch (status.blocking()) {
      case GATE_BEHIND -> gateBehind(runtime);
      case STALE -> "the view of " + topic + " did not stay current within " + wait.toSeconds() + " s: no answers given";
      default -> "could not read " + topic + " up to its end within " + wait.toSeconds() + " s (" + status.lagRecords()
          + " records behind): no answers given";
    };
  }

  /** Why no answer was given with the gate behind, and what the operator can do about it. */
  private String gateBehind(GateRuntime runtime) {
    GateConfig config = runtime.config();
    String id = config.streams().applicationId();
    String neverRan = neverRan(runtime, id) ? " No gate with that application id has committed any progress on Kafka at "
        + config.kafka().bootstrapServers() + "." : "";
    return "the gate " + id + " has not processed its input within " + wait.toSeconds() + " s, so a withdrawal may be "
        + "waiting: no answers given." + neverRan + " Start that gate, or name the gate that runs with --set "
        + GateConfig.APPLICATION_ID + "=ID (or the gate's own --config); the check needs DESCRIBE on the gate's consumer group "
        + "and input topics. --no-check-gate answers from the verdict topic alone and fails open";
  }

  /** True only when Kafka says the group has committed nothing; false when it cannot tell. */
  private static boolean neverRan(GateRuntime runtime, String applicationId) {
    try (Admin admin = runtime.admin()) {
      return admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata()
          .get(GateRuntime.KAFKA_ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS).isEmpty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return false; // the message without the claim is still true
    }
  }

  /** One answer as a JSON line; fields without a verdict are null. */
  static String json(Permission p) {
    StringWriter w = new StringWriter(200);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      VerdictSummary v = p.verdict();
      g.writeStartObject();
      g.writeStringField("contactId", p.contactId());
      g.writeBooleanField("mayEmail", p.mayEmail());
      g.writeBooleanField("mayEmailOneToOne", p.mayEmailOneToOne());
      g.writeStringField("reason", p.reason().name());
      g.writeStringField("decision", v == null ? null : v.decision().name());
      g.writeStringField("status", v == null ? null : v.status().name());
      g.writeStringField("validUntil", v == null ? null : v.validUntil().map(Object::toString).orElse(null));
      g.writeStringField("decidedAt", v == null ? null : v.decidedAt().toString());
      if (v == null) {
        g.writeNullField("epoch");
        g.writeNullField("version");
      } else {
        g.writeNumberField("epoch", v.epoch());
        g.writeNumberField("version", v.version());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** The ids of a contacts file, lazily; a malformed line is reported on stderr and skipped. */
  static final class Lines implements Iterable<String> {
    private final BufferedReader in;
    private final PrintWriter err;
    private int lineNumber;
    long malformed;

    Lines(BufferedReader in, PrintWriter err) {
      this.in = in;
      this.err = err;
    }

    @Override
    public Iterator<String> iterator() {
      return new Iterator<>() {
        private String next;

        @Override
        public boolean hasNext() {
          while (next == null) {
            String line;
            try {
              line = in.readLine();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            if (line == null) {
              return false;
            }
            lineNumber++;
            String id = line.strip();
            if (id.isEmpty()) {
              continue;
            }
            String problem = problem(id);
            if (problem != null) {
              malformed++;
              err.println("line " + lineNumber + ": not a contact id: " + problem + " (skipped)");
              continue;
            }
            next = id;
          }
          return true;
        }

        @Override
        public String next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          String id = next;
          next = null;
          return id;
        }
      };
    }

    /** Why {@code id} cannot be a contact id, or null. */
    static String problem(String id) {
      for (int i = 0; i < id.length(); i++) {
        char c = id.charAt(i);
        if (c == '\uFFFD') {
          return "bytes that are not UTF-8";
        }
        if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
          return "white space inside";
        }
        if (Character.isISOControl(c)) {
          return "a control character";
        }
      }
      return null;
    }
  }
}
