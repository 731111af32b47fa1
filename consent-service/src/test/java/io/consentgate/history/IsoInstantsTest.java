package io.consentgate.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path must be indistinguishable from the JDK, in results and in errors. */
class IsoInstantsTest {

  // From year -2000 to year 12000: both sides of every boundary of the fast path.
  private static final long FROM = -125_000_000_000_000L;
  private static final long TO = 316_000_000_000_000L;

  @Property(tries = 3000)
  void formatsAsInstantToString(@ForAll @LongRange(min = FROM, max = TO) long millis,
                                @ForAll @IntRange(min = 0, max = 999_999) int extraNanos, @ForAll boolean wholeMillis) {
    Instant instant = Instant.ofEpochMilli(millis).plusNanos(wholeMillis ? 0 : extraNanos);
    assertThat(IsoInstants.format(instant)).isEqualTo(instant.toString());
  }

  @Property(tries = 3000)
  void parsesWhatInstantParses(@ForAll @LongRange(min = FROM, max = TO) long millis, @ForAll boolean wholeSeconds) {
    Instant instant = Instant.ofEpochMilli(wholeSeconds ? millis / 1000 * 1000 : millis);
    String text = instant.toString();
    assertThat(IsoInstants.parse(text)).isEqualTo(Instant.parse(text)).isEqualTo(instant);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2024-01-05T10:00:00.1Z", "2024-01-05T10:00:00.123456Z", "2024-01-05T10:00:00.123456789Z",
      "2016-12-31T23:59:60Z", "2024-01-05T24:00:00Z", "+12024-01-05T10:00:00Z", "2024-01-05T10:00:00+01:00", "2024-01-05t10:00:00z"})
  void everyOtherFormTheJdkAcceptsReadsAsTheJdkReadsIt(String text) {
    Instant jdk;
    try {
      jdk = Instant.parse(text);
    } catch (DateTimeParseException e) {
      assertThatThrownBy(() -> IsoInstants.parse(text)).isInstanceOf(DateTimeParseException.class).hasMessage(e.getMessage());
      return;
    }
    assertThat(IsoInstants.parse(text)).isEqualTo(jdk);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2024-02-30T10:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T10:00:00Z",
      "2024-01-05T10:60:00Z", "2024-01-05 10:00:00Z", "2024-01-05T10:00:00.12xZ", "2024-01-0xT10:00:00Z", "", "Z"})
  void rejectsWhatTheJdkRejectsWithTheJdksMessage(String text) {
    DateTimeParseException jdk = org.junit.jupiter.api.Assertions.assertThrows(DateTimeParseException.class, () -> Instant.parse(text));
    assertThatThrownBy(() -> IsoInstants.parse(text)).isInstanceOf(DateTimeParseException.class).hasMessage(jdk.getMessage());
  }
}
