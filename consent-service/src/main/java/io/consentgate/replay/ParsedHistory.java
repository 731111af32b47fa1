package io.consentgate.replay;

import io.consentgate.contract.BadInputException;
import io.consentgate.history.HistoryJson;
import io.consentgate.history.MalformedRecordException;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.topics.GateTopics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.avro.specific.SpecificRecord;

/**
 * A history's lines, read, parsed and checked against the contract on a second thread, handed
 * over in file order. Parsing is a pure function of the line and about a third of a replay, so it
 * runs ahead while the gate decides; the order of everything the replay prints is unchanged.
 */
final class ParsedHistory implements Iterator<ParsedHistory.Line>, AutoCloseable {

  /** One line of a history file, numbered from 1. */
  sealed interface Line permits Blank, Malformed, Accepted, Refused {
    long number();
  }

  /** An empty or blank line. */
  record Blank(long number) implements Line {}

  /** A line that is not a history record, and why. */
  record Malformed(long number, String reason) implements Line {}

  /** A record that passed the contract check, with the domain event it stands for. */
  record Accepted(long number, SpecificRecord record, ConsentEvent event) implements Line {}

  /** A well-formed record the gate refuses (it would dead-letter it), and why. */
  record Refused(long number, SpecificRecord record, String reason) implements Line {}

  /** What the parsing thread hands over. */
  private sealed interface Batch permits Lines, Failed, End {}

  private record Lines(List<Line> lines) implements Batch {}

  private record Failed(Throwable failure) implements Batch {}

  private record End() implements Batch {}

  private static final int BATCH = 512;

  private final BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(64);
  private final Thread parser;
  private Iterator<Line> current = List.<Line>of().iterator();
  private boolean ended;

  /** @param topics the input topics, whose contract checks the records go through */
  ParsedHistory(BufferedReader history, GateTopics topics) {
    parser = new Thread(() -> parse(history, topics), "replay-parser");
    parser.setDaemon(true);
    parser.start();
  }

  private void parse(BufferedReader history, GateTopics topics) {
    try {
      List<Line> batch = new ArrayList<>(BATCH);
      long number = 0;
      for (String text; (text = history.readLine()) != null; ) {
        batch.add(parse(topics, ++number, text));
        if (batch.size() == BATCH) {
          batches.put(new Lines(batch));
          batch = new ArrayList<>(BATCH);
        }
      }
      batches.put(new Lines(batch));
      batches.put(new End());
    } catch (IOException | RuntimeException | Error e) {
      hand(e); // the replay must fail with it, not wait for lines that will never come
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the replay was closed early: nobody is waiting
    }
  }

  private void hand(Throwable failure) {
    try {
      batches.put(new Failed(failure));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Line parse(GateTopics topics, long number, String text) {
    if (text.isBlank()) {
      return new Blank(number);
    }
    SpecificRecord record;
    try {
      record = HistoryJson.read(text);
    } catch (MalformedRecordException e) {
      return new Malformed(number, e.getMessage());
    }
    try {
      return new Accepted(number, record, DirectReplayEngine.check(topics, record));
    } catch (BadInputException e) {
      return new Refused(number, record, e.getMessage());
    }
  }

  @Override
  public boolean hasNext() {
    while (!current.hasNext() && !ended) {
      Batch next;
      try {
        next = batches.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading the history", e);
      }
      if (next instanceof Failed failed) {
        Throwable t = failed.failure();
        if (t instanceof IOException e) {
          throw new UncheckedIOException(e);
        }
        if (t instanceof RuntimeException e) {
          throw e;
        }
        throw (Error) t;
      }
      ended = next instanceof End;
      current = next instanceof Lines lines ? lines.lines().iterator() : List.<Line>of().iterator();
    }
    return current.hasNext();
  }

  @Override
  public Line next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.next();
  }

  @Override
  public void close() {
    parser.interrupt();
  }
}
