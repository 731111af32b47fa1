package io.consentgate.contract;

import java.lang.reflect.Array;

/**
 * The one place where the contract's enums meet the domain's. Four enums have the same simple name
 * on both sides: {@code ContactSource}, {@code EvidenceKind}, {@code ConsentStatus} and
 * {@code Decision}, generated from the Avro schemas into {@code io.consentgate.events} (the wire)
 * and written by hand in {@code io.consentgate.policy} (the rules, which know no Avro). They are
 * the same words of docs/policy.md and docs/events.md, so they keep the same names and symbols,
 * and nothing else converts between them: this class names the two sides in full so no other
 * file has to.
 *
 * <p>A symbol maps to the symbol of the same name. The tables are built when the class loads, so
 * a symbol added on one side only stops it from loading (and {@code EnumMappingTest} fails),
 * instead of failing on the first record that carries it. A symbol a newer producer writes that
 * this build does not know never reaches this class: Avro has already read it as the field's
 * default (docs/events.md, "Unknown enum symbols").
 */
public final class EnumMapping {

  private static final io.consentgate.policy.ContactSource[] SOURCE_TO_DOMAIN =
      byName(io.consentgate.events.ContactSource.class, io.consentgate.policy.ContactSource.class);
  private static final io.consentgate.events.ContactSource[] SOURCE_TO_CONTRACT =
      byName(io.consentgate.policy.ContactSource.class, io.consentgate.events.ContactSource.class);
  private static final io.consentgate.policy.EvidenceKind[] KIND_TO_DOMAIN =
      byName(io.consentgate.events.EvidenceKind.class, io.consentgate.policy.EvidenceKind.class);
  private static final io.consentgate.events.EvidenceKind[] KIND_TO_CONTRACT =
      byName(io.consentgate.policy.EvidenceKind.class, io.consentgate.events.EvidenceKind.class);
  private static final io.consentgate.policy.ConsentStatus[] STATUS_TO_DOMAIN =
      byName(io.consentgate.events.ConsentStatus.class, io.consentgate.policy.ConsentStatus.class);
  private static final io.consentgate.events.ConsentStatus[] STATUS_TO_CONTRACT =
      byName(io.consentgate.policy.ConsentStatus.class, io.consentgate.events.ConsentStatus.class);
  private static final io.consentgate.policy.Decision[] DECISION_TO_DOMAIN =
      byName(io.consentgate.events.Decision.class, io.consentgate.policy.Decision.class);
  private static final io.consentgate.events.Decision[] DECISION_TO_CONTRACT =
      byName(io.consentgate.policy.Decision.class, io.consentgate.events.Decision.class);

  private EnumMapping() {}

  // Input records: the contract's symbols as the rules see them.

  public static io.consentgate.policy.ContactSource toDomain(io.consentgate.events.ContactSource source) {
    return SOURCE_TO_DOMAIN[source.ordinal()];
  }

  public static io.consentgate.policy.EvidenceKind toDomain(io.consentgate.events.EvidenceKind kind) {
    return KIND_TO_DOMAIN[kind.ordinal()];
  }

  // Verdicts: the rules' answer as the contract writes it.

  public static io.consentgate.events.ConsentStatus toContract(io.consentgate.policy.ConsentStatus status) {
    return STATUS_TO_CONTRACT[status.ordinal()];
  }

  public static io.consentgate.events.Decision toContract(io.consentgate.policy.Decision decision) {
    return DECISION_TO_CONTRACT[decision.ordinal()];
  }

  // The other directions, for whoever writes input records from domain values or reads verdicts
  // back into them (tools and tests); the gate itself only needs the four above.

  public static io.consentgate.events.ContactSource toContract(io.consentgate.policy.ContactSource source) {
    return SOURCE_TO_CONTRACT[source.ordinal()];
  }

  public static io.consentgate.events.EvidenceKind toContract(io.consentgate.policy.EvidenceKind kind) {
    return KIND_TO_CONTRACT[kind.ordinal()];
  }

  public static io.consentgate.policy.ConsentStatus toDomain(io.consentgate.events.ConsentStatus status) {
    return STATUS_TO_DOMAIN[status.ordinal()];
  }

  public static io.consentgate.policy.Decision toDomain(io.consentgate.events.Decision decision) {
    return DECISION_TO_DOMAIN[decision.ordinal()];
  }

  /** For each symbol of {@code from}, by ordinal, the symbol of {@code to} with the same name. */
  private static <F extends Enum<F>, T extends Enum<T>> T[] byName(Class<F> from, Class<T> to) {
    F[] symbols = from.getEnumConstants();
    @SuppressWarnings("unchecked")
    T[] table = (T[]) Array.newInstance(to, symbols.length);
    for (F symbol : symbols) {
      try {
        table[symbol.ordinal()] = Enum.valueOf(to, symbol.name());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(from.getName() + "." + symbol.name() + " has no counterpart in " + to.getName()
            + ": the contract and the domain must have the same symbols", e);
      }
    }
    return table;
  }
}
