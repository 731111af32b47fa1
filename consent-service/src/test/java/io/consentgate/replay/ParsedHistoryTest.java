package io.consentgate.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.consentgate.policy.PolicySettings;
import io.consentgate.topics.GateTopics;
import io.consentgate.topology.TopologySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParsedHistoryTest {

  private static final String CONTACT =
      "{\"type\":\"contact\",\"contactId\":\"c-%d\",\"brandId\":\"acme\",\"email\":\"ann@example.org\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"2024-01-05T10:00:00Z\"}";

  @Test
  void handsOverEveryLineInFileOrderWithWhatWasFoundInIt() {
    StringBuilder history = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      history.append(i % 700 == 5 ? "{not json" : i % 500 == 3 ? "  " : CONTACT.formatted(i)).append('\n');
    }
    List<HistoryLine> lines = new ArrayList<>();
    try (ParsedHistory parsed = new ParsedHistory(new BufferedReader(new StringReader(history.toString())), GateTopics.DEFAULTS)) {
      parsed.forEachRemaining(lines::add);
    }
    assertThat(lines).hasSize(2_000);
    assertThat(lines).extracting(HistoryLine::number).isSorted().startsWith(1L).endsWith(2_000L);
    assertThat(lines.get(5)).isInstanceOfSatisfying(HistoryLine.Malformed.class,
        m -> assertThat(m.reason()).startsWith("not valid JSON"));
    assertThat(lines.get(3)).isInstanceOf(HistoryLine.Blank.class);
    assertThat(lines.get(1999)).isInstanceOfSatisfying(HistoryLine.Accepted.class,
        a -> assertThat(a.event().contactId()).isEqualTo("c-1999"));
  }

  /** A read error part-way must fail the replay, not leave it waiting for lines that never come. */
  @Test
  void aReadErrorFailsTheReplay() {
    Reader failing = new Reader() {
      private final Reader first = new StringReader(CONTACT.formatted(1) + "\n" + CONTACT.formatted(2) + "\n");

      @Override
      public int read(char[] buffer, int offset, int length) throws IOException {
        int n = first.read(buffer, offset, length);
        if (n < 0) {
          throw new IOException("disk gone");
        }
        return n;
      }

      @Override
      public void close() {}
    };
    TopologySettings settings = new TopologySettings(GateTopics.DEFAULTS, PolicySettings.defaults(), Duration.ofMinutes(1), false);
    assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
        assertThatThrownBy(() -> new OfflineReplay(settings).run(new BufferedReader(failing), null,
            new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())))
            .isInstanceOf(IOException.class).hasMessage("disk gone"));
  }
}
