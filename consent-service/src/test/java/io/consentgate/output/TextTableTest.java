package io.consentgate.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {

  private static final List<String[]> ROWS = List.of(
      new String[] {"status", "n", "note"},
      new String[] {"OPTED_IN", "12", ""},
      new String[] {"X", "3", "late "});

  @Test
  void columnsTwoApartAsWideAsTheirWidestCellWithoutTrailingSpace() {
    StringBuilder left = new StringBuilder();
    TextTable.append(left, ROWS);
    StringBuilder counts = new StringBuilder();
    TextTable.appendCounts(counts, ROWS);

    assertThat(left).as("every column left-aligned")
        .hasToString("  status    n   note\n  OPTED_IN  12\n  X         3   late\n");
    assertThat(counts).as("the first column left-aligned, the others right-aligned")
        .hasToString("  status     n   note\n  OPTED_IN  12\n  X          3  late\n");
  }
}
