package org.mtasts;

import java.util.ArrayList;
import java.util.List;
import org.mtasts.report.SessionResult;
import org.mtasts.report.TlsRptRecorder;

/** Captures every session result it is given, in order. Thread-safe. */
final class RecordingTlsRptRecorder implements TlsRptRecorder {
  private final List<SessionResult> results = new ArrayList<>();

  @Override
  public synchronized void record(SessionResult result) {
    results.add(result);
  }

  synchronized List<SessionResult> results() {
    return List.copyOf(results);
  }

  synchronized void clear() {
    results.clear();
  }
}
