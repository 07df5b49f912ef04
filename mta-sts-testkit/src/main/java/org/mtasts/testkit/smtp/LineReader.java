package org.mtasts.testkit.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads LF-terminated lines (a preceding CR is dropped) from a stream with its own buffer, so the
 * buffered bytes are known and can be discarded at STARTTLS. One thread at a time.
 */
final class LineReader {
  /** A line without its terminator; {@code truncated} when it was longer than the limit. */
  static final class Line {
    final byte[] bytes;
    final boolean truncated;

    Line(byte[] bytes, boolean truncated) {
      this.bytes = bytes;
      this.truncated = truncated;
    }
  }

  private final InputStream in;
  private final byte[] buffer = new byte[8192];
  private int position;
  private int limit;

  LineReader(InputStream in) {
    this.in = in;
  }

  /**
   * Reads the next line, keeping at most {@code maxLength} bytes of it (the rest is read and
   * dropped). Returns null at end of stream, including a final line without LF.
   */
  Line readLine(int maxLength) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    boolean truncated = false;
    while (true) {
      if (position == limit && !fill()) {
        return null;
      }
      int start = position;
      int end = start;
      while (end < limit && buffer[end] != '\n') {
        end++;
      }
      int room = maxLength + 1 - line.size(); // + 1 for a CR that may be dropped below
      int take = Math.min(end - start, Math.max(room, 0));
      line.write(buffer, start, take);
      if (take < end - start) {
        truncated = true;
      }
      if (end < limit) {
        position = end + 1;
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
          length--;
        }
        if (length > maxLength) {
          truncated = true;
          length = maxLength;
        }
        if (length != bytes.length) {
          byte[] trimmed = new byte[length];
          System.arraycopy(bytes, 0, trimmed, 0, length);
          bytes = trimmed;
        }
        return new Line(bytes, truncated);
      }
      position = limit;
    }
  }

  /** Drops whatever is buffered and not yet returned; returns how many bytes that was. */
  int discardBuffered() {
    int discarded = limit - position;
    position = limit;
    return discarded;
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }
}
