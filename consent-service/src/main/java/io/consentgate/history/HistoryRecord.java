package io.consentgate.history;

import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One input record of a history, a {@code ContactCreated} or a {@code ConsentEvidence}, with the
 * time it was appended to its topic when the history knows it ({@code appendedAt}: the record's
 * Kafka timestamp, as {@code export} writes it), else null. The gate never reads it; only the
 * questions about what was known when ({@code explain}) do.
 */
public record HistoryRecord(SpecificRecord record, Instant appendedAt) {

  public HistoryRecord {
    Objects.requireNonNull(record, "record");
  }
}
