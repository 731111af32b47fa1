package io.consentgate.output;

import java.util.List;

/**
 * Rows as aligned text columns, for the reports people read ({@code explain}, {@code whatif}):
 * every line indented by two spaces, columns two spaces apart and as wide as their widest cell,
 * no trailing white space. Not a {@link Table}, which is the shape of rows written for tools.
 */
public final class TextTable {

  private TextTable() {}

  /** Every column left-aligned; the first row is the header. */
  public static void append(StringBuilder out, List<String[]> rows) {
    append(out, rows, false);
  }

  /** The first column left-aligned, the others (counts) right-aligned; the first row is the header. */
  public static void appendCounts(StringBuilder out, List<String[]> rows) {
    append(out, rows, true);
  }

  private static void append(StringBuilder out, List<String[]> rows, boolean countsRightAligned) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int c = 0; c < row.length; c++) {
        String cell = row[c];
        String padding = " ".repeat(widths[c] - cell.length());
        line.append(countsRightAligned && c > 0 ? padding + cell : cell + padding).append("  ");
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
