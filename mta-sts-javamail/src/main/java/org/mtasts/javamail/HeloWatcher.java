package org.mtasts.javamail;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.mtasts.report.SessionEndpoints;

/**
 * Reads the name an MX gives itself from the plaintext replies it sends, for TLS-RPT's {@code
 * receiving-mx-helo} (D-31): the word after the code on the first line of its greeting, and on
 * the first line of the first {@code 250} reply after it (the reply to EHLO, or to HELO when EHLO
 * was refused). Sees every byte an MX sends before {@link BoundedInputStream} bounds it, so it
 * keeps at most {@value #MAX_LINE} characters of a line and stops once it has the EHLO name, at
 * STARTTLS (the bytes after it are TLS records), or when told to. Used by the one thread that
 * reads the connection; the names are handed to the {@link SessionRecorder}.
 */
final class HeloWatcher extends FilterInputStream {
  /** More than any name (255) plus the code: the rest of a longer line is not looked at. */
  static final int MAX_LINE = 512;

  private final SessionRecorder recorder;
  private final StringBuilder line = new StringBuilder();
  private boolean firstLineOfReply = true;
  private int replies;
  private volatile boolean done;

  HeloWatcher(InputStream in, SessionRecorder recorder) {
    super(in);
    this.recorder = recorder;
  }

  /** Stops looking: the connection now carries TLS records. */
  void stop() {
    done = true;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0 && !done) {
      see(b);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    for (int i = 0; i < n && !done; i++) {
      see(b[off + i] & 0xff);
    }
    return n;
  }

  private void see(int b) {
    if (b != '\n') {
      if (line.length() < MAX_LINE) {
        line.append((char) b);
      }
      return;
    }
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      end--;
    }
    String text = line.substring(0, end);
    line.setLength(0);
    if (firstLineOfReply) {
      firstLine(text);
    }
    // A reply's last line has no '-' after its code (RFC 5321 §4.2.1).
    firstLineOfReply = text.length() < 4 || text.charAt(3) != '-';
  }

  private void firstLine(String text) {
    if (replies++ == 0) {
      if (text.startsWith("220")) {
        SessionEndpoints.heloName(text).ifPresent(recorder::greetingName);
      }
      return;
    }
    if (text.startsWith("250")) {
      SessionEndpoints.heloName(text).ifPresent(recorder::ehloName);
      done = true;
    }
  }
}
