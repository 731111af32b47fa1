package io.consentgate.replay;

import io.consentgate.policy.ConsentEvent;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * One entry of a history as the offline tools read it, from a JSON-lines file ({@link ParsedHistory})
 * or from the input topics ({@code replay --from-kafka}, {@code export}, {@code explain},
 * {@code whatif}): a record the gate accepts, one it refuses, or a line that is not a record.
 * Numbered from 1 in reading order; {@link #where()} says where it came from in messages.
 */
public sealed interface HistoryLine permits HistoryLine.Blank, HistoryLine.Malformed, HistoryLine.Accepted,
    HistoryLine.Refused {

  /** The line number in a file; the record's place in the merged read of the topics. */
  long number();

  /** Where it came from, for messages: {@code line 7}, or {@code consent-evidence-2@15} (topic, partition, offset). */
  String where();

  /** A file position unless {@code origin} names one (a topic partition and offset). */
  private static String where(long number, String origin) {
    return origin == null ? "line " + number : origin;
  }

  /** An empty or blank line. */
  record Blank(long number) implements HistoryLine {
    @Override
    public String where() {
      return "line " + number;
    }
  }

  /** A line, or a Kafka record, that is not a record of the history (the gate would dead-letter it), and why. */
  record Malformed(long number, String reason, String origin) implements HistoryLine {
    public Malformed(long number, String reason) {
      this(number, reason, null);
    }

    @Override
    public String where() {
      return HistoryLine.where(number, origin);
    }
  }

  /**
   * A record that passed the contract check, with the domain event it stands for.
   *
   * @param appendedAt when it was appended to its topic, if known
   */
  record Accepted(long number, SpecificRecord record, ConsentEvent event, Instant appendedAt, String origin)
      implements HistoryLine {
    public Accepted(long number, SpecificRecord record, ConsentEvent event) {
      this(number, record, event, null, null);
    }

    @Override
    public String where() {
      return HistoryLine.where(number, origin);
    }
  }

  /** A well-formed record the gate refuses (it would dead-letter it), and why. */
  record Refused(long number, SpecificRecord record, String reason, Instant appendedAt, String origin)
      implements HistoryLine {
    public Refused(long number, SpecificRecord record, String reason) {
      this(number, record, reason, null, null);
    }

    @Override
    public String where() {
      return HistoryLine.where(number, origin);
    }
  }
}
