package org.mtasts.testkit.https;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The body of a {@link PolicyResponse}: fixed bytes, or generated text of a given size or without
 * end (filler lines after a start, produced as they are read, so a gigabyte costs no memory).
 */
abstract class ResponseBody {
  /** The length in bytes, or -1 if endless. */
  abstract long length();

  /** A fresh stream of the body bytes. */
  abstract InputStream open();

  final boolean endless() {
    return length() < 0;
  }

  static ResponseBody bytes(byte[] bytes) {
    return new ResponseBody() {
      @Override
      long length() {
        return bytes.length;
      }

      @Override
      InputStream open() {
        return new ByteArrayInputStream(bytes);
      }

      @Override
      public String toString() {
        return bytes.length + " bytes";
      }
    };
  }

  private static final byte[] FILLER_LINE = fillerLine(64);

  static ResponseBody padded(byte[] start, long size) {
    long rest = size - start.length;
    if (rest < 0 || (rest > 0 && rest < 4)) {
      throw new IllegalArgumentException(
          "size "
              + size
              + " leaves no room for filler after "
              + start.length
              + " bytes of start");
    }
    // Full 64-byte lines, then one last line of 4 to 128 bytes.
    long fullLines = rest <= 128 ? 0 : (rest - 65) / 64;
    int last = (int) (rest - fullLines * 64);
    byte[] lastLine = last == 0 ? new byte[0] : fillerLine(last);
    return new ResponseBody() {
      @Override
      long length() {
        return size;
      }

      @Override
      InputStream open() {
        return new FillerStream(start, fullLines, lastLine);
      }

      @Override
      public String toString() {
        return size + " bytes (padded)";
      }
    };
  }

  static ResponseBody endless(byte[] start) {
    return new ResponseBody() {
      @Override
      long length() {
        return -1;
      }

      @Override
      InputStream open() {
        return new FillerStream(start, -1, new byte[0]);
      }

      @Override
      public String toString() {
        return "endless";
      }
    };
  }

  /** {@code "filler: xxx\n"} of exactly {@code length} bytes (at least 4). */
  static byte[] fillerLine(int length) {
    String prefix = length >= 10 ? "filler: " : "f:";
    StringBuilder line = new StringBuilder(prefix);
    while (line.length() < length - 1) {
      line.append('x');
    }
    return line.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Start bytes, then {@code fullLines} filler lines (or endless if negative), then last. */
  private static final class FillerStream extends InputStream {
    private final byte[] start;
    private final byte[] lastLine;
    private long linesLeft;
    private byte[] current;
    private int position;
    private int segment; // 0 start, 1 full lines, 2 last line, 3 done

    FillerStream(byte[] start, long fullLines, byte[] lastLine) {
      this.start = start;
      this.linesLeft = fullLines;
      this.lastLine = lastLine;
      this.current = start;
    }

    private boolean advance() {
      while (position == current.length) {
        if (segment == 0) {
          segment = 1;
        }
        if (segment == 1) {
          if (linesLeft != 0) {
            if (linesLeft > 0) {
              linesLeft--;
            }
            current = FILLER_LINE;
            position = 0;
            return true;
          }
          segment = 2;
          current = lastLine;
          position = 0;
          continue;
        }
        segment = 3;
        return false;
      }
      return true;
    }

    @Override
    public int read() {
      if (!advance()) {
        return -1;
      }
      return current[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      int n = 0;
      while (n < len && advance()) {
        int take = Math.min(len - n, current.length - position);
        System.arraycopy(current, position, b, off + n, take);
        position += take;
        n += take;
      }
      return n == 0 ? -1 : n;
    }

    @Override
    public String toString() {
      return "FillerStream{start=" + start.length + "}";
    }
  }
}
