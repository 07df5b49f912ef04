package org.mtasts.jdbc;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what slf4j-simple (which writes to whatever {@code System.err} is at the time) logs
 * while it is open. Tests run one at a time, so swapping {@code System.err} is safe here.
 */
final class CapturedLog implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private CapturedLog() {
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  static CapturedLog start() {
    return new CapturedLog();
  }

  synchronized String text() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  List<String> lines(String fragment) {
    return text().lines().filter(l -> l.contains(fragment)).toList();
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
