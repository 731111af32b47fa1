package io.consentgate.replay;

import java.util.Iterator;

/**
 * A history, read in order: a JSON-lines file ({@link ParsedHistory}) or the input topics merged
 * by append time. Closing it stops any reading ahead.
 */
public interface HistoryLines extends Iterator<HistoryLine>, AutoCloseable {

  @Override
  void close();
}
