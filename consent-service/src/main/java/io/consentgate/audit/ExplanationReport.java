package io.consentgate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consentgate.audit.Explanation.Entry;
import io.consentgate.audit.Explanation.Role;
import io.consentgate.audit.Explanation.Utterance;
import io.consentgate.audit.Explanation.View;
import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.ContactCreated;
import io.consentgate.events.Proof;
import io.consentgate.history.HistoryJson;
import io.consentgate.output.TextTable;
import io.consentgate.policy.ReasonCode;
import io.consentgate.policy.Verdict;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An {@link Explanation} for people (text) and for tools (JSON, its shape in docs/events.md,
 * "The explain report"). Same explanation, same bytes.
 */
public final class ExplanationReport {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ExplanationReport() {}

  public static String text(Explanation x) {
    StringBuilder out = new StringBuilder();
    out.append("explain ").append(x.contactId()).append(" at ").append(time(x.at())).append('\n');
    out.append("source: ").append(x.source()).append("\n\n");

    out.append("1. ").append(Explanation.SAID).append(": ");
    Optional<Utterance> said = x.saidAtT();
    if (!x.said().answered()) {
      out.append("not known\n   ").append(x.said().note()).append('\n');
    } else if (said.isEmpty()) {
      out.append("nothing: no verdict for this contact was appended to ").append(x.said().topic()).append(" by T\n");
    } else {
      ConsentVerdict v = said.get().verdict();
      out.append(v.getDecision()).append(' ').append(v.getStatus()).append('\n');
      out.append("   version ").append(v.getVersion()).append(" of epoch ").append(v.getEpoch()).append(", decided at ")
          .append(time(v.getDecidedAt())).append(", appended at ").append(time(said.get().appendedAt()))
          .append(said.get().writer() == null ? "" : " by " + said.get().writer())
          .append(" (").append(said.get().where()).append(")\n");
      out.append("   evidence: ").append(v.getEvidenceIds().isEmpty() ? "none" : String.join(", ", v.getEvidenceIds()))
          .append("; reasons: ").append(String.join(", ", v.getReasons())).append('\n');
    }
    if (x.said().answered() && !x.said().trail().isEmpty()) {
      out.append("   every verdict of this contact in ").append(x.said().topic()).append(":\n");
      for (Utterance u : x.said().trail()) {
        ConsentVerdict v = u.verdict();
        out.append("     ").append(time(u.appendedAt())).append("  ").append(v.getDecision()).append(' ').append(v.getStatus())
            .append("  (epoch ").append(v.getEpoch()).append(" version ").append(v.getVersion()).append(", decided at ")
            .append(time(v.getDecidedAt())).append(')')
            .append(u.appendedAt() != null && u.appendedAt().isAfter(x.at()) ? "  after T" : "")
            .append(said.isPresent() && said.get() == u ? "  <- in force at T" : "").append('\n');
      }
    }
    view(out, "2. ", x.knownByT(), x, "appended by T");
    view(out, "3. ", x.heldAtT(), x, "with an event time at or before T");

    out.append("\ntimeline of ").append(x.contactId()).append(": every record known now, by event time\n");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"event time", "appended at", "record", "where", "2. appended by T", "3. held at T"});
    TreeMap<String, String> codes = new TreeMap<>();
    for (int i = 0; i < x.timeline().size(); i++) {
      Entry e = x.timeline().get(i);
      rows.add(new String[] {time(e.eventTime()), e.appendedAt() == null ? "-" : time(e.appendedAt()), Explanation.describe(e),
          e.where(), x.knownByT().answered() ? x.knownByT().roles().get(i).label() : "-", x.heldAtT().roles().get(i).label()});
      for (View v : List.of(x.knownByT(), x.heldAtT())) {
        if (v.answered() && v.roles().get(i).kind() == Explanation.RoleKind.IGNORED) {
          codes.put(v.roles().get(i).code(), v.roles().get(i).detail());
        }
        if (v.answered() && v.roles().get(i).kind() == Explanation.RoleKind.REFUSED) {
          codes.put("refused", "the gate refuses " + e.where() + ": " + v.roles().get(i).detail());
        }
      }
    }
    if (x.timeline().isEmpty()) {
      out.append("  (no record of this contact)\n");
    } else {
      TextTable.append(out, rows);
    }
    if (!x.elsewhere().isEmpty()) {
      out.append("\nsuppression by address: what other contacts with ").append(x.contactId())
          .append("'s brand and address (as normalised) withdrew, complained about or bounced\n");
      List<String[]> others = new ArrayList<>();
      others.add(new String[] {"event time", "appended at", "contact", "record", "where", "2. appended by T", "3. held at T"});
      for (int i = 0; i < x.elsewhere().size(); i++) {
        Explanation.Elsewhere o = x.elsewhere().get(i);
        Entry e = o.entry();
        others.add(new String[] {time(e.eventTime()), e.appendedAt() == null ? "-" : time(e.appendedAt()),
            o.contactId() + " (" + o.email() + ")", Explanation.describe(e), e.where(),
            x.knownByT().answered() ? x.knownByT().elsewhereRoles().get(i).label() : "-",
            x.heldAtT().elsewhereRoles().get(i).label()});
        for (View v : List.of(x.knownByT(), x.heldAtT())) {
          if (v.answered() && v.elsewhereRoles().get(i).kind() == Explanation.RoleKind.IGNORED) {
            codes.put(v.elsewhereRoles().get(i).code(), v.elsewhereRoles().get(i).detail());
          }
        }
      }
      TextTable.append(out, others);
    }
    for (View v : List.of(x.knownByT(), x.heldAtT())) {
      if (v.suppressedBy() != null) {
        String code = (v.suppressedBy().evidence().kind() == io.consentgate.policy.EvidenceKind.HARD_BOUNCE
            ? ReasonCode.BOUNCED_ELSEWHERE : ReasonCode.WITHDRAWN_ELSEWHERE).name();
        codes.put(code, Rules.meaning(code));
      }
    }
    if (!codes.isEmpty()) {
      out.append("\nreasons:\n");
      codes.forEach((code, meaning) -> out.append("  ").append(code).append(": ").append(meaning).append('\n'));
    }
    return out.toString();
  }

  private static void view(StringBuilder out, String number, View v, Explanation x, String which) {
    out.append('\n').append(number).append(v.question()).append(": ");
    if (!v.answered()) {
      out.append("cannot be answered from this history\n   ").append(v.note()).append('\n');
      return;
    }
    Verdict verdict = v.verdict();
    if (verdict == null) {
      out.append("no contact yet\n   ").append(v.note()).append('\n');
    } else {
      out.append(verdict.decision()).append(' ').append(verdict.status()).append('\n');
      out.append("   rule ").append(v.rule().number()).append(": ").append(v.rule().text()).append('\n');
      if (v.suppressedBy() != null) {
        Explanation.Elsewhere by = v.suppressedBy();
        Entry e = by.entry();
        out.append("   suppressed by contact ").append(by.contactId()).append("'s ").append(by.evidence().kind())
            .append(' ').append(by.evidence().evidenceId()).append(" at ").append(time(e.eventTime()))
            .append(e.appendedAt() == null ? "" : ", appended at " + time(e.appendedAt()))
            .append(" (").append(e.where()).append("): ").append(by.contactId()).append("'s address ")
            .append(by.email()).append(" is this contact's, as normalised\n");
      }
      out.append("   evidence: ").append(verdict.evidenceIds().isEmpty() ? "none" : String.join(", ", verdict.evidenceIds()))
          .append("; reasons: ").append(String.join(", ", verdict.reasons()));
      if (verdict.validUntil() != null) {
        out.append("; valid until ").append(time(verdict.validUntil()));
      }
      out.append('\n');
      if (v.note() != null) {
        out.append("   ").append(v.note()).append('\n');
      }
    }
    out.append("   ").append(v.records()).append(" of the contact's ").append(x.timeline().size()).append(" records ")
        .append(which).append('\n');
  }

  private static String time(Instant t) {
    return t == null ? "-" : HistoryJson.format(t);
  }

  /** The JSON report (docs/events.md, "The explain report"). */
  public static String json(Explanation x) {
    ObjectNode root = JSON.createObjectNode();
    root.put("contactId", x.contactId());
    root.put("at", time(x.at()));
    root.put("source", x.source());
    ObjectNode said = root.putObject("said");
    said.put("question", Explanation.SAID);
    said.put("answered", x.said().answered());
    if (x.said().answered()) {
      said.put("topic", x.said().topic());
      Optional<Utterance> at = x.saidAtT();
      said.set("verdict", at.isPresent() ? utterance(at.get()) : null);
      ArrayNode trail = said.putArray("trail");
      x.said().trail().forEach(u -> trail.add(utterance(u)));
    } else {
      said.put("note", x.said().note());
    }
    root.set("knownByT", view(x.knownByT()));
    root.set("heldAtT", view(x.heldAtT()));
    ArrayNode timeline = root.putArray("timeline");
    for (int i = 0; i < x.timeline().size(); i++) {
      Entry e = x.timeline().get(i);
      ObjectNode r = timeline.addObject();
      r.put("where", e.where());
      if (e.record() instanceof ContactCreated c) {
        r.put("type", "contact");
        r.put("brandId", c.getBrandId());
        r.put("email", c.getEmail());
        r.put("source", c.getSource().name());
      } else {
        evidence(r, (ConsentEvidence) e.record());
      }
      r.put("eventTime", time(e.eventTime()));
      r.put("appendedAt", e.appendedAt() == null ? null : time(e.appendedAt()));
      r.set("knownByT", x.knownByT().answered() ? role(x.knownByT().roles().get(i)) : null);
      r.set("heldAtT", role(x.heldAtT().roles().get(i)));
    }
    ArrayNode sameAddress = root.putArray("sameAddress");
    for (int i = 0; i < x.elsewhere().size(); i++) {
      Explanation.Elsewhere o = x.elsewhere().get(i);
      Entry e = o.entry();
      ObjectNode r = sameAddress.addObject();
      r.put("contactId", o.contactId());
      r.put("email", o.email());
      r.put("where", e.where());
      evidence(r, (ConsentEvidence) e.record());
      r.put("eventTime", time(e.eventTime()));
      r.put("appendedAt", e.appendedAt() == null ? null : time(e.appendedAt()));
      r.set("knownByT", x.knownByT().answered() ? role(x.knownByT().elsewhereRoles().get(i)) : null);
      r.set("heldAtT", role(x.heldAtT().elsewhereRoles().get(i)));
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void evidence(ObjectNode r, ConsentEvidence ev) {
    r.put("type", "evidence");
    r.put("evidenceId", ev.getEvidenceId());
    r.put("brandId", ev.getBrandId());
    r.put("kind", ev.getKind().name());
    Proof p = ev.getProof();
    if (p == null) {
      r.putNull("proof");
    } else {
      ObjectNode proof = r.putObject("proof");
      proof.put("reference", p.getReference());
      optional(proof, "url", p.getUrl());
      optional(proof, "ipAddress", p.getIpAddress());
      optional(proof, "userAgent", p.getUserAgent());
      optional(proof, "capturedText", p.getCapturedText());
    }
  }

  private static ObjectNode view(View v) {
    ObjectNode node = JSON.createObjectNode();
    node.put("question", v.question());
    node.put("answered", v.answered());
    if (!v.answered()) {
      node.put("note", v.note());
      return node;
    }
    node.put("asOf", time(v.asOf()));
    node.put("records", v.records());
    if (v.verdict() == null) {
      node.putNull("verdict");
    } else {
      Verdict d = v.verdict();
      ObjectNode verdict = node.putObject("verdict");
      verdict.put("decision", d.decision().name());
      verdict.put("status", d.status().name());
      verdict.put("oneToOneAllowed", d.oneToOneAllowed());
      verdict.put("validUntil", d.validUntil() == null ? null : time(d.validUntil()));
      strings(verdict.putArray("reasons"), d.reasons());
      strings(verdict.putArray("evidenceIds"), d.evidenceIds());
      strings(verdict.putArray("recommendations"), d.recommendations());
      verdict.put("policy", d.policy());
      ObjectNode rule = node.putObject("rule");
      rule.put("number", v.rule().number());
      rule.put("text", v.rule().text());
      if (v.suppressedBy() == null) {
        node.putNull("suppressedBy");
      } else {
        Explanation.Elsewhere by = v.suppressedBy();
        ObjectNode s = node.putObject("suppressedBy");
        s.put("contactId", by.contactId());
        s.put("email", by.email());
        s.put("evidenceId", by.evidence().evidenceId());
        s.put("kind", by.evidence().kind().name());
        s.put("eventTime", time(by.entry().eventTime()));
        s.put("appendedAt", by.entry().appendedAt() == null ? null : time(by.entry().appendedAt()));
        s.put("where", by.entry().where());
      }
    }
    node.put("note", v.note());
    return node;
  }

  private static ObjectNode role(Role role) {
    ObjectNode node = JSON.createObjectNode();
    node.put("role", role.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    if (role.code() != null) {
      node.put("code", role.code());
    }
    if (role.detail() != null) {
      node.put("detail", role.detail());
    }
    return node;
  }

  private static ObjectNode utterance(Utterance u) {
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(HistoryJson.write(u.verdict()));
      node.remove("type");
      node.put("appendedAt", time(u.appendedAt()));
      node.put("writer", u.writer());
      node.put("where", u.where());
      return node;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  private static void optional(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}
