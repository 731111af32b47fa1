package io.consentgate.replay;

import io.consentgate.history.HistoryJson;
import io.consentgate.history.MalformedRecordException;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.topology.BadInputException;
import io.consentgate.topology.InMemoryGate;
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

  /**
   * One line: blank, malformed (with why), or a record with its domain event, or with why the
   * gate refuses it.
   */
  record Line(long number, SpecificRecord record, ConsentEvent event, String malformed, String refused) {
    boolean blank() {
      return record == null && malformed == null;
    }
  }

  private static final int BATCH = 512;
  private static final List<Line> END = List.of();

  private final BlockingQueue<Object> batches = new ArrayBlockingQueue<>(64);
  private final Thread parser;
  private Iterator<Line> current = List.<Line>of().iterator();
  private boolean ended;

  ParsedHistory(BufferedReader history) {
    parser = new Thread(() -> parse(history), "replay-parser");
    parser.setDaemon(true);
    parser.start();
  }

  private void parse(BufferedReader history) {
    try {
      List<Line> batch = new ArrayList<>(BATCH);
      long number = 0;
      for (String text; (text = history.readLine()) != null; ) {
        batch.add(parse(++number, text));
        if (batch.size() == BATCH) {
          batches.put(batch);
          batch = new ArrayList<>(BATCH);
        }
      }
      batches.put(batch);
      batches.put(END);
    } catch (IOException | RuntimeException | Error e) {
      hand(e); // the replay must fail with it, not wait for lines that will never come
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the replay was closed early: nobody is waiting
    }
  }

  private void hand(Throwable failure) {
    try {
      batches.put(failure);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Line parse(long number, String text) {
    if (text.isBlank()) {
      return new Line(number, null, null, null, null);
    }
    SpecificRecord record;
    try {
      record = HistoryJson.read(text);
    } catch (MalformedRecordException e) {
      return new Line(number, null, null, e.getMessage(), null);
    }
    try {
      return new Line(number, record, InMemoryGate.check(record), null, null);
    } catch (BadInputException e) {
      return new Line(number, record, null, null, e.getMessage());
    }
  }

  @Override
  public boolean hasNext() {
    while (!current.hasNext() && !ended) {
      Object next;
      try {
        next = batches.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading the history", e);
      }
      if (next instanceof IOException e) {
        throw new UncheckedIOException(e);
      }
      if (next instanceof RuntimeException e) {
        throw e;
      }
      if (next instanceof Error e) {
        throw e;
      }
      @SuppressWarnings("unchecked")
      List<Line> batch = (List<Line>) next;
      ended = batch == END;
      current = batch.iterator();
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
