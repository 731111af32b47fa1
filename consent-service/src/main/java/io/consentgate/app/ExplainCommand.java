package io.consentgate.app;

import io.consentgate.audit.Explanation;
import io.consentgate.audit.ExplanationReport;
import io.consentgate.audit.OtherContacts;
import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.replay.HistoryLine;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {"A bitemporal audit of one contact at an instant T, side by side: (1) what the gate said at T, its "
        + "latest verdict for the contact in the audit topic appended by T (--from-kafka only); (2) what the records "
        + "appended by T decide as of T (only a history with append times can say); (3) what held at T in the light of "
        + "everything known now (every record with an event time at or before T). For each: the verdict, the rule that "
        + "decided it, and the contact's timeline, every record with its event time and append time and whether it "
        + "counted, was ignored (and why), was superseded or was not there yet. The withdrawals, complaints and hard "
        + "bounces of other contacts with the same brand and address (as normalised) count too, as the gate's "
        + "suppression by address counts them, and are listed apart with what became of each (docs/policy.md, "
        + "Suppression by address). Text for people, --json for tools (docs/events.md, The explain report)."})
final class ExplainCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  HistoryCommandOptions options;

  @Option(names = "--contact", required = true, paramLabel = "ID", description = "The contactId to explain.")
  String contactId;

  @Option(names = "--at", required = true, paramLabel = "INSTANT", converter = InstantArgument.class,
      description = "The instant T (2024-06-01T12:00:00Z, or a date: its start in UTC): typically when a message was sent.")
  Instant at;

  @Option(names = "--json", description = "The report as one JSON document (docs/events.md, The explain report).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    var cli = spec.commandLine();
    if (contactId.isBlank()) {
      throw new picocli.CommandLine.ParameterException(cli, "--contact: a contactId must not be blank");
    }
    options.requireNoClusterForAFile(cli, "; a history file is explained without a cluster");
    GateConfig config = options.load(Map.of());
    PrintWriter err = cli.getErr();
    List<Explanation.Entry> entries = new ArrayList<>();
    OtherContacts others = new OtherContacts(contactId);
    long malformed = 0;
    String description;
    String appendTimes;
    // Every contact's records are read, not only this one's: another contact with the same address
    // may have withdrawn (suppression by address), and only its records can say so.
    try (HistoryInput.Opened history = options.open(config, "explain", err)) {
      description = history.description();
      while (history.lines().hasNext()) {
        HistoryLine line = history.lines().next();
        if (line instanceof HistoryLine.Accepted a && a.event().contactId().equals(contactId)) {
          entries.add(new Explanation.Entry(a.where(), a.record(), a.event(), null, a.appendedAt()));
        } else if (line instanceof HistoryLine.Accepted a) {
          others.add(new Explanation.Entry(a.where(), a.record(), a.event(), null, a.appendedAt()));
        } else if (line instanceof HistoryLine.Refused r && contactId.equals(contactIdOf(r.record()))) {
          entries.add(new Explanation.Entry(r.where(), r.record(), null, r.reason(), r.appendedAt()));
        } else if (line instanceof HistoryLine.Malformed m) {
          malformed++;
          err.println(m.where() + ": " + m.reason() + " (skipped)");
        }
      }
      history.progress().finish();
      appendTimes = history.appendTimeNote();
    } catch (KafkaHistory.Stopped e) {
      throw HistoryInput.unavailable(e);
    }
    Explanation.Said said = options.fromKafka() ? AuditTrail.of(new GateRuntime(config), contactId)
        : Explanation.Said.unknown("a history file holds no verdicts; what the gate said is in its audit topic "
            + (config.topics().verdictsAudit() == null ? "" : config.topics().verdictsAudit() + " ")
            + "(explain --from-kafka)");
    String source = description + (appendTimes == null ? "" : "; " + appendTimes);
    Explanation explanation = Explanation.explain(contactId, at, entries, others, new ConsentPolicy(config.policy()), said,
        source);
    cli.getOut().print(json ? ExplanationReport.json(explanation) : ExplanationReport.text(explanation));
    cli.getOut().flush();
    if (entries.isEmpty()) {
      err.println("no record of contact " + contactId + " in the " + description);
    }
    return malformed == 0 ? 0 : ConsentGateCli.EXIT_BAD_INPUT;
  }

  private static String contactIdOf(SpecificRecord record) {
    return record instanceof ContactCreated c ? c.getContactId() : ((ConsentEvidence) record).getContactId();
  }
}
