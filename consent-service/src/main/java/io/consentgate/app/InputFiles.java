package io.consentgate.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** How every command opens a history file given on the command line. */
final class InputFiles {

  /** A file argument that names nothing readable: a usage error (exit 2), not a failure. */
  static final class BadFile extends Exception {
    BadFile(String message) {
      super(message);
    }
  }

  private InputFiles() {}

  /**
   * Opens {@code file} ({@code -}: standard input) as UTF-8 text. Bytes that are not UTF-8 read as
   * U+FFFD, so a binary file gives malformed lines with their numbers instead of a crash.
   */
  static BufferedReader open(Path file) throws BadFile {
    return openCounted(file).reader();
  }

  /**
   * A history file opened for reading, with how many of its bytes have been read so far and its
   * size (-1 when unknown: standard input), for the progress report.
   */
  record Counted(BufferedReader reader, java.util.function.LongSupplier bytesRead, long size) {}

  /** {@link #open}, counting the bytes read. */
  static Counted openCounted(Path file) throws BadFile {
    InputStream in;
    if (file.toString().equals("-")) {
      in = System.in;
    } else {
      if (Files.isDirectory(file)) {
        throw new BadFile(file + " is a directory, not a history file");
      }
      try {
        in = Files.newInputStream(file);
      } catch (NoSuchFileException e) {
        throw new BadFile("no such file: " + file);
      } catch (AccessDeniedException e) {
        throw new BadFile("cannot read " + file + ": permission denied");
      } catch (IOException e) {
        throw new BadFile("cannot read " + file + ": " + e.getMessage());
      }
    }
    long size = -1;
    if (!file.toString().equals("-")) {
      try {
        size = Files.size(file);
      } catch (IOException e) {
        size = -1;
      }
    }
    CountingStream counting = new CountingStream(in);
    return new Counted(new BufferedReader(new InputStreamReader(counting, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 16),
        counting::count, size);
  }

  /** Counts the bytes read through it; read on one thread, the count asked on another. */
  private static final class CountingStream extends java.io.FilterInputStream {
    private volatile long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    long count() {
      return count;
    }
  }
}
