package org.mtasts.javamail;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * The input of an MX connection as Angus Mail and the TLS layer read it: every read is bounded in
 * time by the connection's {@link MxBounds}, and while the stream carries SMTP replies (the
 * plaintext socket before STARTTLS, the TLS socket after it) every byte goes through a {@link
 * SmtpReplyLimiter} before it is handed on. A crossed bound throws {@link MxLimitException} and
 * closes the connection; nothing past the limit is returned.
 *
 * <p>Used by one thread at a time (Angus's sending thread).
 */
final class BoundedInputStream extends FilterInputStream {
  /** Sets the socket's read timeout before each read; null when the layer below does it. */
  interface ReadTimeouts {
    void beforeRead(MxBounds bounds) throws IOException;
  }

  private final MxBounds bounds;
  private final ReadTimeouts timeouts;
  private SmtpReplyLimiter limiter;

  /**
   * @param in the socket's stream
   * @param bounds the connection's bounds
   * @param timeouts sets the read timeout of the TCP socket before each read, or null
   * @param limiter the reply limiter for SMTP text, or null for bytes that are not SMTP replies
   */
  BoundedInputStream(InputStream in, MxBounds bounds, ReadTimeouts timeouts,
      SmtpReplyLimiter limiter) {
    super(Objects.requireNonNull(in, "in"));
    this.bounds = Objects.requireNonNull(bounds, "bounds");
    this.timeouts = timeouts;
    this.limiter = limiter;
  }

  /**
   * From now on the bytes are TLS records, not SMTP replies (STARTTLS): only the time bounds
   * apply here; the TLS socket's own stream limits the replies inside TLS.
   */
  void carryTls() {
    limiter = null;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n;
    do {
      n = read(one, 0, 1);
    } while (n == 0);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    bounds.check();
    int n;
    try {
      if (timeouts != null) {
        timeouts.beforeRead(bounds);
      }
      n = in.read(b, off, len);
    } catch (SocketTimeoutException e) {
      throw bounds.timedOut(e);
    } catch (IOException e) {
      throw bounds.failed(e);
    }
    SmtpReplyLimiter l = limiter;
    if (l != null) {
      for (int i = off; i < off + n; i++) {
        switch (l.feed(b[i])) {
          case REPLY_STARTED -> bounds.replyStarted();
          case REPLY_ENDED -> bounds.replyEnded();
          case LINE_TOO_LONG -> throw bounds.fail(MxLimitException.Limit.LINE,
              bounds.host() + " sent a reply line longer than " + l.maxLine()
                  + " bytes (RFC 5321 4.5.3.1.5 allows 512)");
          case REPLY_TOO_LONG -> throw bounds.fail(MxLimitException.Limit.REPLY,
              bounds.host() + " sent a reply longer than " + l.maxReply() + " bytes");
          default -> { }
        }
      }
    }
    return n;
  }

  /** Reads and drops: skipped bytes count against the limits like any other. */
  @Override
  public long skip(long n) throws IOException {
    byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
    long skipped = 0;
    while (skipped < n) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {
    // not supported: a reset would feed bytes to the limiter twice
  }

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }
}
