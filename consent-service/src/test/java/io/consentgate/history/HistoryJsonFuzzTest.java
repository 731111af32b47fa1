package io.consentgate.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.ContactCreated;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.specific.SpecificRecord;

/**
 * Whatever a history line holds, the reader either returns a record of the contract or rejects
 * the line with a message: no other exception escapes, so a replay never crashes on input.
 */
class HistoryJsonFuzzTest {

  private static final String CONTACT =
      "{\"type\":\"contact\",\"contactId\":\"c-1\",\"brandId\":\"acme\",\"email\":\"ann@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"2024-01-05T10:00:00Z\"}";
  private static final String EVIDENCE =
      "{\"type\":\"evidence\",\"evidenceId\":\"ev-9\",\"contactId\":\"c-1\",\"brandId\":\"acme\",\"kind\":\"PURCHASE\",\"occurredAt\":\"2024-01-05T10:02:00Z\",\"proof\":{\"reference\":\"order-4411\",\"url\":\"https://x\"}}";

  @Property(tries = 2000)
  void randomTextIsReadOrRejectedWithAMessage(@ForAll String line) {
    assertReadOrRejected(line);
  }

  @Property(tries = 3000)
  void mutatedValidLinesAreReadOrRejectedWithAMessage(@ForAll("mutatedLines") String line) {
    assertReadOrRejected(line);
  }

  private static Arbitrary<String> validLines() {
    return Arbitraries.of(CONTACT, EVIDENCE);
  }

  /** Where in a valid line to change it. */
  private static Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, EVIDENCE.length());
  }

  @Provide
  Arbitrary<String> mutatedLines() {
    Arbitrary<String> base = validLines();
    Arbitrary<Integer> position = positions();
    Arbitrary<Character> ch = Arbitraries.chars().with('"', '{', '}', ',', ':', '[', ']', '\\', '0', 'x', ' ', '\u0000', '\u00e9');
    Arbitrary<Integer> operation = Arbitraries.integers().between(0, 3);
    return Combinators.combine(base, position, ch, operation, Arbitraries.integers().between(1, 4)).as((line, at, c, op, times) -> {
      StringBuilder s = new StringBuilder(line);
      for (int i = 0; i < times; i++) {
        int p = Math.min(at + i * 7, s.length());
        switch (op) {
          case 0 -> s.insert(p, c);
          case 1 -> { if (p < s.length()) s.deleteCharAt(p); }
          case 2 -> { if (p < s.length()) s.setCharAt(p, c); }
          default -> s.setLength(p);
        }
      }
      return s.toString();
    });
  }

  /** Whole JSON values and fragments, so mutations also change a line's shape, not only its characters. */
  @Property(tries = 3000)
  void linesWithSplicedJsonAreReadOrRejectedWithAMessage(@ForAll("splicedLines") String line) {
    assertReadOrRejected(line);
  }

  @Provide
  Arbitrary<String> splicedLines() {
    Arbitrary<String> base = validLines();
    Arbitrary<Integer> position = positions();
    Arbitrary<String> fragment = Arbitraries.of("null", "1", "true", "[]", "{}", "{\"a\":{\"b\":\"c\"}}", "\"x\":\"y\",",
        "\"type\":\"contact\",", "\"proof\":null,", "\"proof\":\"p\",", " } ", "{", "\"\\u0041\"", "\"\\q\"");
    Arbitrary<Boolean> replaceAValue = Arbitraries.of(true, false);
    return Combinators.combine(base, position, fragment, replaceAValue).as((line, at, f, replace) -> {
      if (replace) { // the value of the field at or after the position becomes the fragment
        java.util.regex.Matcher value = java.util.regex.Pattern.compile(":(\"[^\"]*\"|\\{[^}]*\\})").matcher(line);
        if (value.find(Math.min(at, line.length())) || value.find(0)) {
          return line.substring(0, value.start(1)) + f + line.substring(value.end(1));
        }
      }
      int p = Math.min(at, line.length());
      return line.substring(0, p) + f + line.substring(p);
    });
  }

  private static void assertReadOrRejected(String line) {
    assertTheStreamingReaderAgreesWithTheTree(line);
    try {
      SpecificRecord record = HistoryJson.read(line);
      assertThat(record).isInstanceOfAny(ContactCreated.class, ConsentEvidence.class);
    } catch (MalformedRecordException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  /** The streaming fast path is an optimisation: same record, or the same message, as the tree. */
  private static void assertTheStreamingReaderAgreesWithTheTree(String line) {
    Object fast;
    Object tree;
    try {
      fast = HistoryJson.read(line);
    } catch (MalformedRecordException e) {
      fast = "rejected: " + e.getMessage();
    }
    try {
      tree = HistoryJson.readThroughTree(line);
    } catch (MalformedRecordException e) {
      tree = "rejected: " + e.getMessage();
    }
    assertThat(fast).as(line).isEqualTo(tree);
  }
}
