package io.consentgate.dev.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.history.HistoryGenerator;
import io.consentgate.policy.PolicySettings;
import io.consentgate.policy.Profile;
import io.consentgate.policy.RoleAddresses;
import io.consentgate.replay.OfflineReplay;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.TopologySettings;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The fast replay engine must be indistinguishable from the production topology: same verdict
 * lines, same messages, same counts, over histories with late and duplicate records, evidence
 * before contacts, lapses, refused records and malformed lines.
 */
class OfflineReplayEnginesTest {

  record Output(String verdicts, String errors, OfflineReplay.Result result) {}

  @Property(tries = 25)
  void theDirectEngineDecidesExactlyAsTheTopology(@ForAll @LongRange(min = 0, max = 1_000_000) long seed,
                                                  @ForAll @IntRange(min = 2, max = 14) int eventsPerContact,
                                                  @ForAll("lapseCheckEvery") Duration lapseCheck,
                                                  @ForAll Profile profile,
                                                  @ForAll boolean withUntil) throws Exception {
    String history = damaged(generated(1_500, eventsPerContact, seed), seed);
    TopologySettings settings = new TopologySettings(GateTopics.DEFAULTS,
        new PolicySettings(profile, Map.of(), RoleAddresses.defaults()), lapseCheck, false);
    Instant until = withUntil ? Instant.parse("2029-06-01T00:00:00Z") : null;

    Output topology = replay("topology", settings, history, until);
    Output direct = replay("direct", settings, history, until);

    assertThat(topology.result().verdicts()).isPositive();
    assertThat(direct.verdicts()).isEqualTo(topology.verdicts());
    assertThat(direct.errors()).isEqualTo(topology.errors());
    assertThat(direct.result()).isEqualTo(topology.result());
  }

  /**
   * Suppression by address: histories where many contacts of a brand share a few mailboxes (in
   * other cases and with +tags), so that withdrawals, complaints and bounces cross contacts all
   * the time. The production topology (its suppression index behind its two internal topics),
   * the direct engine and the direct engine on 3 threads publish the same verdicts.
   */
  @Property(tries = 20)
  void suppressionByAddressIsDecidedAlikeByTheTopologyTheDirectEngineAndItsThreads(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed, @ForAll @IntRange(min = 2, max = 8) int eventsPerContact)
      throws Exception {
    String history = sharingMailboxes(generated(1_500, eventsPerContact, seed), seed);
    TopologySettings settings = new TopologySettings(GateTopics.DEFAULTS, PolicySettings.defaults(), Duration.ofMinutes(1),
        false);
    Instant until = Instant.parse("2029-06-01T00:00:00Z");

    Output topology = replay("topology", settings, history, until);
    Output direct = replay("direct", settings, history, until);
    StringWriter threadedOut = new StringWriter();
    OfflineReplay.Result threaded = new OfflineReplay(settings, "direct", 3)
        .run(new BufferedReader(new StringReader(history)), until, new PrintWriter(threadedOut), new PrintWriter(new StringWriter()));

    assertThat(topology.verdicts()).contains("\"status\":\"SUPPRESSED\"");
    assertThat(direct.verdicts()).isEqualTo(topology.verdicts());
    assertThat(direct.result()).isEqualTo(topology.result());
    assertThat(threadedOut.toString()).isEqualTo(direct.verdicts());
    assertThat(threaded.verdicts()).isEqualTo(direct.result().verdicts());
  }

  /** Gives every contact one of a dozen mailboxes of its brand, spelled in one of several ways. */
  private static String sharingMailboxes(String history, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] spellings = {"%s@example.org", "%S@EXAMPLE.org", "%s+news@example.org", "%s+%d@Example.Org"};
    java.util.regex.Pattern email = java.util.regex.Pattern.compile("\"email\":\"[^\"]*\"");
    StringBuilder out = new StringBuilder();
    for (String line : history.lines().toList()) {
      java.util.regex.Matcher m = email.matcher(line);
      if (m.find()) {
        String mailbox = "person" + random.nextInt(12);
        String spelled = String.format(spellings[random.nextInt(spellings.length)], mailbox, random.nextInt(100));
        line = m.replaceFirst("\"email\":\"" + spelled + "\"");
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Duration> lapseCheckEvery() {
    return net.jqwik.api.Arbitraries.of(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofHours(7), Duration.ofDays(3));
  }

  /** A record the gate refuses is not evidence of time passing: it must not make consent lapse. */
  @Test
  void aRefusedRecordFromTheFarFutureDoesNotMoveTheLapseClock() throws Exception {
    String history = String.join("\n",
        "{\"type\":\"contact\",\"contactId\":\"c-1\",\"brandId\":\"acme\",\"email\":\"ann@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"2024-01-05T10:00:00Z\"}",
        "{\"type\":\"evidence\",\"evidenceId\":\"ev-1\",\"contactId\":\"c-1\",\"brandId\":\"acme\",\"kind\":\"PURCHASE\",\"occurredAt\":\"2024-01-05T10:02:00Z\",\"proof\":{\"reference\":\"order-1\"}}",
        "{\"type\":\"evidence\",\"evidenceId\":\"ev-2\",\"contactId\":\"c-2\",\"brandId\":\"acme\",\"kind\":\"PURCHASE\",\"occurredAt\":\"2150-01-01T00:00:00Z\",\"proof\":{\"reference\":\"order-2\"}}");
    TopologySettings settings = new TopologySettings(GateTopics.DEFAULTS, PolicySettings.defaults(), Duration.ofMinutes(1), false);
    for (String engine : List.of("direct", "topology")) {
      Output out = replay(engine, settings, history, null);
      assertThat(out.verdicts().lines().toList()).as(engine).hasSize(2)
          .allSatisfy(v -> assertThat(v).doesNotContain("EXPIRED"));
      assertThat(out.verdicts().lines().toList().get(1)).contains("\"status\":\"CONSENTED_IMPLICIT\"");
      assertThat(out.errors()).as(engine).contains("line 3: rejected by the gate: occurredAt 2150-01-01T00:00:00Z is outside");
      assertThat(out.result().deadLettered()).isEqualTo(1);
    }
  }

  private static Output replay(String engine, TopologySettings settings, String history, Instant until) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    OfflineReplay.Result result = new OfflineReplay(settings, engine)
        .run(new BufferedReader(new StringReader(history)), until, new PrintWriter(out), new PrintWriter(err));
    return new Output(out.toString(), err.toString(), result);
  }

  private static String generated(long records, int perContact, long seed) {
    StringWriter w = new StringWriter();
    HistoryGenerator.generate(records, perContact, seed, new PrintWriter(w));
    return w.toString();
  }

  /** Breaks a few lines in the ways real input breaks: refused records and lines that are not records. */
  private static String damaged(String history, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> lines = new ArrayList<>(history.lines().toList());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      switch (random.nextInt(60)) {
        case 0 -> lines.set(i, line.replaceFirst("\"contactId\":\"[^\"]*\"", "\"contactId\":\" \""));
        case 1 -> lines.set(i, line.replaceFirst("At\":\"\\d{4}", "At\":\"2101"));
        case 2 -> lines.set(i, line.replaceFirst("At\":\"\\d{4}", "At\":\"1969"));
        case 3 -> lines.set(i, line.substring(0, line.length() / 2));
        case 4 -> lines.add(i, "");
        default -> { }
      }
    }
    return String.join("\n", lines) + "\n";
  }
}
