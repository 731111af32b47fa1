package io.consentgate.app;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** An instant on the command line: ISO-8601 ({@code 2024-04-01T12:00:00Z}) or a date, meaning its start in UTC. */
final class InstantArgument implements CommandLine.ITypeConverter<Instant> {

  @Override
  public Instant convert(String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notADate) {
        throw new CommandLine.TypeConversionException("'" + value
            + "' is neither an ISO-8601 instant (2024-04-01T12:00:00Z) nor a date (2024-04-01, meaning its start in UTC)");
      }
    }
  }
}
