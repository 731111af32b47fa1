package io.consentgate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consentgate.history.HistoryJson;
import io.consentgate.output.Table;
import io.consentgate.output.Table.Type;
import io.consentgate.output.TextTable;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentState;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Decision;
import io.consentgate.policy.PolicySettings;
import io.consentgate.policy.Profile;
import io.consentgate.policy.Verdict;
import io.consentgate.replay.ContactStates;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A policy change tried on a history ({@code whatif}): every contact decided as of one instant
 * under a baseline and a candidate configuration, and per brand the matrix of final status
 * (baseline by candidate), with the contacts that flip between may-email and may-not. The state
 * is the join of the records, so the result does not depend on the order they were read in.
 *
 * <p>Both configurations decide over the same states, each holding, as the gate's does, the
 * suppressions of the other contacts with its brand and address (docs/policy.md, "Suppression by
 * address"): a re-imported contact whose address unsubscribed as another contact is SUPPRESSED
 * under either, whatever the profiles.
 */
public final class WhatIf {

  /** One contact under both configurations. */
  public record Outcome(String contactId, String brandId, String email, Verdict baseline, Verdict candidate) {
    /** May email under the baseline, not under the candidate. */
    public boolean loses() {
      return baseline.decision() == Decision.ALLOW && candidate.decision() != Decision.ALLOW;
    }

    /** May not email under the baseline, may under the candidate. */
    public boolean gains() {
      return baseline.decision() != Decision.ALLOW && candidate.decision() == Decision.ALLOW;
    }

    public boolean flips() {
      return loses() || gains();
    }

    public String change() {
      return loses() ? "LOSES" : gains() ? "GAINS" : "SAME";
    }
  }

  /** One brand's matrix: counts by (baseline status, candidate status). */
  public record Brand(String brandId, Map<ConsentStatus, Map<ConsentStatus, Integer>> matrix, List<String> losing,
                      List<String> gaining, int contacts) {}

  /** The whole comparison. */
  public record Result(Instant asOf, List<Outcome> outcomes, List<Brand> brands) {
    public long losing() {
      return outcomes.stream().filter(Outcome::loses).count();
    }

    public long gaining() {
      return outcomes.stream().filter(Outcome::gains).count();
    }
  }

  private WhatIf() {}

  /** @param asOf the instant every contact is decided as of; not before any event in {@code states} */
  public static Result compare(ContactStates states, PolicySettings baseline, PolicySettings candidate, Instant asOf) {
    ConsentPolicy before = new ConsentPolicy(baseline);
    ConsentPolicy after = new ConsentPolicy(candidate);
    List<Outcome> outcomes = new ArrayList<>();
    Map<String, List<Outcome>> byBrand = new TreeMap<>();
    for (String contactId : states.decidable()) {
      ConsentState state = states.decidableState(contactId);
      Instant latest = state.latestEventTime().orElse(asOf);
      Instant when = latest.isAfter(asOf) ? latest : asOf; // as ContactStates.decide: never before the state's events
      Verdict b = before.decide(state, when);
      Verdict c = after.decide(state, when);
      Outcome o = new Outcome(contactId, b.brandId(), b.email(), b, c);
      outcomes.add(o);
      byBrand.computeIfAbsent(b.brandId(), k -> new ArrayList<>()).add(o);
    }
    List<Brand> brands = new ArrayList<>();
    byBrand.forEach((brand, list) -> {
      Map<ConsentStatus, Map<ConsentStatus, Integer>> matrix = new EnumMap<>(ConsentStatus.class);
      for (Outcome o : list) {
        matrix.computeIfAbsent(o.baseline().status(), k -> new EnumMap<>(ConsentStatus.class))
            .merge(o.candidate().status(), 1, Integer::sum);
      }
      brands.add(new Brand(brand, matrix, list.stream().filter(Outcome::loses).map(Outcome::contactId).toList(),
          list.stream().filter(Outcome::gains).map(Outcome::contactId).toList(), list.size()));
    });
    return new Result(asOf, List.copyOf(outcomes), List.copyOf(brands));
  }

  /** How a configuration decides, in one line: {@code optin for every brand but acme (strict)}. */
  public static String describe(PolicySettings settings) {
    Map<String, Profile> brands = new TreeMap<>(settings.brandProfiles());
    brands.values().removeIf(p -> p == settings.defaultProfile());
    StringBuilder s = new StringBuilder(settings.defaultProfile().profileName());
    if (brands.isEmpty()) {
      s.append(" for every brand");
    } else {
      s.append(" for every brand but ");
      List<String> parts = new ArrayList<>();
      brands.forEach((brand, profile) -> parts.add(brand + " (" + profile.profileName() + ")"));
      s.append(String.join(", ", parts));
    }
    return s.toString();
  }

  /** The report for people. */
  public static String text(Result r, String baseline, String candidate, int listAtMost) {
    StringBuilder out = new StringBuilder();
    out.append("what-if as of ").append(HistoryJson.format(r.asOf())).append(": ").append(r.outcomes().size())
        .append(" contacts\n");
    out.append("  baseline:  ").append(baseline).append('\n');
    out.append("  candidate: ").append(candidate).append('\n');
    for (Brand b : r.brands()) {
      out.append("\nbrand ").append(b.brandId()).append(": ").append(b.contacts()).append(" contacts\n");
      Set<ConsentStatus> columns = EnumSet.noneOf(ConsentStatus.class);
      b.matrix().values().forEach(row -> columns.addAll(row.keySet()));
      List<String[]> rows = new ArrayList<>();
      List<String> header = new ArrayList<>(List.of("baseline \\ candidate"));
      columns.forEach(c -> header.add(c.name()));
      rows.add(header.toArray(String[]::new));
      b.matrix().forEach((row, cells) -> {
        List<String> line = new ArrayList<>(List.of(row.name()));
        columns.forEach(c -> line.add(cells.containsKey(c) ? String.valueOf(cells.get(c)) : "."));
        rows.add(line.toArray(String[]::new));
      });
      TextTable.appendCounts(out, rows);
      out.append("  may email -> may not: ").append(b.losing().size()).append(list(b.losing(), listAtMost)).append('\n');
      out.append("  may not -> may email: ").append(b.gaining().size()).append(list(b.gaining(), listAtMost)).append('\n');
    }
    out.append("\nin all: ").append(r.losing()).append(" contact(s) lose consent, ").append(r.gaining())
        .append(" gain it\n");
    return out.toString();
  }

  private static String list(List<String> ids, int atMost) {
    if (ids.isEmpty()) {
      return "";
    }
    String shown = String.join(", ", ids.subList(0, Math.min(atMost, ids.size())));
    return "  (" + shown + (ids.size() > atMost ? ", … " + (ids.size() - atMost) + " more: see --flips" : "") + ")";
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One JSON line per flipping contact: its change, and both verdicts. */
  public static String flipLine(Outcome o) {
    ObjectNode node = JSON.createObjectNode();
    node.put("contactId", o.contactId());
    node.put("brandId", o.brandId());
    node.put("email", o.email());
    node.put("change", o.change());
    node.set("baseline", verdict(o.baseline()));
    node.set("candidate", verdict(o.candidate()));
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode verdict(Verdict v) {
    ObjectNode node = JSON.createObjectNode();
    node.put("decision", v.decision().name());
    node.put("status", v.status().name());
    if (v.validUntil() != null) {
      node.put("validUntil", HistoryJson.format(v.validUntil()));
    }
    v.reasons().forEach(node.putArray("reasons")::add);
    v.evidenceIds().forEach(node.putArray("evidenceIds")::add);
    node.put("policy", v.policy());
    return node;
  }

  /** {@code whatif --flips}: one row per contact that flips, both verdicts side by side. */
  public static final Table<Outcome> FLIPS = Table.<Outcome>named("Flip",
          "A contact whose decision differs between two configurations of consent-gate (whatif --flips).", WhatIf::flipLine)
      .required("contactId", Type.STRING, Outcome::contactId)
      .required("brandId", Type.STRING, Outcome::brandId)
      .required("email", Type.STRING, Outcome::email)
      .required("change", Type.STRING, Outcome::change)
      .required("baselineDecision", Type.STRING, o -> o.baseline().decision().name())
      .required("baselineStatus", Type.STRING, o -> o.baseline().status().name())
      .optional("baselineValidUntil", Type.INSTANT, o -> o.baseline().validUntil())
      .required("baselineReasons", Type.STRINGS, o -> o.baseline().reasons())
      .required("baselineEvidenceIds", Type.STRINGS, o -> o.baseline().evidenceIds())
      .required("baselinePolicy", Type.STRING, o -> o.baseline().policy())
      .required("candidateDecision", Type.STRING, o -> o.candidate().decision().name())
      .required("candidateStatus", Type.STRING, o -> o.candidate().status().name())
      .optional("candidateValidUntil", Type.INSTANT, o -> o.candidate().validUntil())
      .required("candidateReasons", Type.STRINGS, o -> o.candidate().reasons())
      .required("candidateEvidenceIds", Type.STRINGS, o -> o.candidate().evidenceIds())
      .required("candidatePolicy", Type.STRING, o -> o.candidate().policy())
      .build();
}
