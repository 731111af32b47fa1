package io.consentgate.app;

import io.consentgate.replay.HistoryLine;
import io.consentgate.replay.HistoryLines;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/**
 * Progress of a long read on stderr: records so far, the rate, and what remains. On when stderr
 * is a terminal (a console) or when asked ({@code --progress}); on a terminal one line rewritten
 * in place about once a second, otherwise a line every five seconds. Off, it costs a counter.
 */
final class Progress {

  private static final long TERMINAL_EVERY_NANOS = 1_000_000_000L;
  private static final long LOG_EVERY_NANOS = 5_000_000_000L;

  private final PrintWriter err;
  private final boolean enabled;
  private final boolean terminal;
  private final String what;
  /** From the records done so far, an estimate of those still to come; negative when unknown. */
  private final LongUnaryOperator remaining;
  private final long start = System.nanoTime();
  private long lastPrint = start;
  private long done;
  private int lastWidth;

  private Progress(PrintWriter err, boolean enabled, boolean terminal, String what, LongUnaryOperator remaining) {
    this.err = err;
    this.enabled = enabled;
    this.terminal = terminal;
    this.what = what;
    this.remaining = remaining;
  }

  /** @param requested {@code --progress}: report even when stderr is not a terminal */
  static Progress of(PrintWriter err, boolean requested, String what, LongUnaryOperator remaining) {
    boolean terminal = System.console() != null;
    return new Progress(err, requested || terminal, terminal, what, remaining);
  }

  /** Remaining records of a file, estimated from the bytes read so far. */
  static LongUnaryOperator ofFile(InputFiles.Counted file) {
    return done -> {
      long read = file.bytesRead().getAsLong();
      if (file.size() < 0 || read <= 0 || done <= 0) {
        return -1;
      }
      return Math.max(0, Math.round((file.size() - read) / ((double) read / done)));
    };
  }

  boolean enabled() {
    return enabled;
  }

  /** The same lines, counted as they are taken. */
  HistoryLines counting(HistoryLines lines) {
    if (!enabled) {
      return lines;
    }
    return new HistoryLines() {
      @Override
      public boolean hasNext() {
        return lines.hasNext();
      }

      @Override
      public HistoryLine next() {
        HistoryLine line = lines.next();
        tick();
        return line;
      }

      @Override
      public void close() {
        lines.close();
      }
    };
  }

  void tick() {
    done++;
    if (enabled && (done & 1023) == 0) {
      long now = System.nanoTime();
      if (now - lastPrint >= (terminal ? TERMINAL_EVERY_NANOS : LOG_EVERY_NANOS)) {
        lastPrint = now;
        print(line(now), false);
      }
    }
  }

  /** The last report, on its own line. */
  void finish() {
    if (enabled) {
      print(line(System.nanoTime()).replaceFirst(", about .*$", "") + ", done", true);
    }
  }

  private String line(long now) {
    double seconds = Math.max(1e-3, (now - start) / 1e9);
    double rate = done / seconds;
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s: %,d records, %,.0f records/s", what, done, rate));
    long left = remaining.applyAsLong(done);
    if (left >= 0 && rate > 0) {
      long eta = Math.round(left / rate);
      s.append(String.format(Locale.ROOT, ", about %d:%02d left (%,d records to go)", eta / 60, eta % 60, left));
    }
    return s.toString();
  }

  private void print(String line, boolean last) {
    if (terminal) {
      err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())) + (last ? "\n" : ""));
      lastWidth = line.length();
    } else {
      err.println(line);
    }
    err.flush();
  }
}
