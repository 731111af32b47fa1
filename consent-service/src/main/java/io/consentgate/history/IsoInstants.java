package io.consentgate.history;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * ISO-8601 instants as the JSON lines carry them, read and written several times faster than
 * {@link Instant#parse} and {@link Instant#toString} for the one shape that is nearly all of the
 * traffic ({@code 2024-01-05T10:00:00Z}, {@code 2024-01-05T10:00:00.123Z}). Anything else goes to
 * the JDK, so the results, and the errors, are exactly the JDK's.
 */
final class IsoInstants {

  private static final long SECONDS_PER_DAY = 86_400;

  private IsoInstants() {}

  static Instant parse(String text) {
    int n = text.length();
    if ((n == 20 || n == 24) && text.charAt(n - 1) == 'Z' && text.charAt(4) == '-' && text.charAt(7) == '-'
        && text.charAt(10) == 'T' && text.charAt(13) == ':' && text.charAt(16) == ':' && (n == 20 || text.charAt(19) == '.')) {
      int year = digits(text, 0, 4);
      int month = digits(text, 5, 2);
      int day = digits(text, 8, 2);
      int hour = digits(text, 11, 2);
      int minute = digits(text, 14, 2);
      int second = digits(text, 17, 2);
      int millis = n == 24 ? digits(text, 20, 3) : 0;
      if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && hour < 24 && minute >= 0 && minute < 60
          && second >= 0 && second < 60 && millis >= 0) {
        try {
          long epochDay = LocalDate.of(year, month, day).toEpochDay();
          return Instant.ofEpochSecond(epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, millis * 1_000_000L);
        } catch (DateTimeException e) {
          // not a real date (say, February 30th): the JDK says so in its own words below
        }
      }
    }
    return Instant.parse(text);
  }

  /** The same text as {@link Instant#toString}. */
  static String format(Instant instant) {
    int nanos = instant.getNano();
    long seconds = instant.getEpochSecond();
    // Years 1000..9999 print with four digits and no sign; milliseconds as three digits.
    if (nanos % 1_000_000 != 0 || seconds < -30_610_224_000L || seconds >= 253_402_300_800L) {
      return instant.toString();
    }
    long epochDay = Math.floorDiv(seconds, SECONDS_PER_DAY);
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    LocalDate date = LocalDate.ofEpochDay(epochDay);
    char[] out = new char[nanos == 0 ? 20 : 24];
    put(out, 0, date.getYear(), 4);
    out[4] = '-';
    put(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    put(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    put(out, 11, secondOfDay / 3600, 2);
    out[13] = ':';
    put(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    put(out, 17, secondOfDay % 60, 2);
    if (nanos != 0) {
      out[19] = '.';
      put(out, 20, nanos / 1_000_000, 3);
    }
    out[out.length - 1] = 'Z';
    return new String(out);
  }

  /** The number the {@code count} ASCII digits at {@code from} spell, or -1 if they are not all digits. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static void put(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
