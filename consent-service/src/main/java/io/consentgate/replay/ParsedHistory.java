package io.consentgate.replay;

import io.consentgate.contract.BadInputException;
import io.consentgate.history.HistoryJson;
import io.consentgate.history.HistoryRecord;
import io.consentgate.history.MalformedRecordException;
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
public final class ParsedHistory implements HistoryLines {

  /** What the parsing thread hands over. */
  private sealed interface Batch permits Lines, Failed, End {}

  private record Lines(List<HistoryLine> lines) implements Batch {}

  private record Failed(Throwable failure) implements Batch {}

  private record End() implements Batch {}

  private static final int BATCH = 512;

  private final BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(64);
  private final Thread parser;
  private Iterator<HistoryLine> current = List.<HistoryLine>of().iterator();
  private boolean ended;

  /** @param topics the input topics, whose contract checks the records go through */
  public ParsedHistory(BufferedReader history, GateTopics topics) {
    parser = new Thread(() -> parse(history, topics), "replay-parser");
    parser.setDaemon(true);
    parser.start();
  }

  private void parse(BufferedReader history, GateTopics topics) {
    try {
      List<HistoryLine> batch = new ArrayList<>(BATCH);
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

  static HistoryLine parse(GateTopics topics, long number, String text) {
    if (text.isBlank()) {
      return new HistoryLine.Blank(number);
    }
    HistoryRecord entry;
    try {
      entry = HistoryJson.readEntry(text);
    } catch (MalformedRecordException e) {
      return new HistoryLine.Malformed(number, e.getMessage());
    }
    SpecificRecord record = entry.record();
    try {
      return new HistoryLine.Accepted(number, record, DirectReplayEngine.check(topics, record), entry.appendedAt(), null);
    } catch (BadInputException e) {
      return new HistoryLine.Refused(number, record, e.getMessage(), entry.appendedAt(), null);
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
      current = next instanceof Lines lines ? lines.lines().iterator() : List.<HistoryLine>of().iterator();
    }
    return current.hasNext();
  }

  @Override
  public HistoryLine next() {
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
