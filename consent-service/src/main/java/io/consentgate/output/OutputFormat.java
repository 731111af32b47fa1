package io.consentgate.output;

import java.util.Arrays;
import java.util.Locale;

/**
 * How the data-team commands write rows ({@code replay}'s verdicts, {@code export}'s history,
 * {@code whatif --flips}): JSON lines (the history format of docs/events.md), CSV with flat
 * columns, or an Avro object container file (what Spark, BigQuery and DuckDB read).
 */
public enum OutputFormat {
  JSON, CSV, AVRO;

  /** {@code json}, {@code csv} or {@code avro}, in any case. */
  public static OutputFormat of(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + name + "' is not a format: json, csv or avro");
    }
  }

  /** Binary: written only to a file. */
  public boolean binary() {
    return this == AVRO;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static String labels() {
    return String.join(", ", Arrays.stream(values()).map(OutputFormat::label).toList());
  }
}
