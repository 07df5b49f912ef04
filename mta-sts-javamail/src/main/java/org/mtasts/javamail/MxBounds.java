package org.mtasts.javamail;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The time bounds of one MX connection and its first crossed bound (issue 12, items 1 and 2),
 * shared by the plaintext socket and the TLS socket layered on it:
 *
 * <ul>
 *   <li>the domain's delivery {@link Deadline}, which shrinks every connect and read timeout;
 *   <li>the reply time: a reply must be complete within {@code mail.mtasts.replyTimeout} of its
 *       first byte, so a server that sends a byte at a time, each under the read timeout, is cut
 *       off (the {@link SmtpReplyLimiter} says where replies start and end);
 *   <li>the first failure, which is sticky: the {@link SessionRecorder} learns it, the socket is
 *       closed, and every later read throws again.
 * </ul>
 *
 * <p>Reads happen on the sending thread; {@link #fail} may also come from the deadline watchdog,
 * so the failure is published safely.
 */
final class MxBounds {
  private final String host;
  private final SessionRecorder recorder;
  private final Deadline deadline;
  private final long replyTimeoutNanos;
  private final long replyTimeoutMillis;
  private Runnable onFailure = () -> { };

  // Sending thread only.
  private boolean inReply;
  private long replyStart;

  private volatile MxLimitException failure;

  MxBounds(String host, SessionRecorder recorder, Deadline deadline, int replyTimeoutMillis) {
    this.host = Objects.requireNonNull(host, "host");
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    this.replyTimeoutMillis = replyTimeoutMillis;
    this.replyTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(replyTimeoutMillis);
  }

  /** What to do on the first failure (close the TCP socket); set once the socket exists. */
  synchronized void onFailure(Runnable action) {
    this.onFailure = Objects.requireNonNull(action, "action");
  }

  Deadline deadline() {
    return deadline;
  }

  String host() {
    return host;
  }

  /** Throws the first failure, or a new one when the deadline or the reply time has passed. */
  void check() throws MxLimitException {
    check(deadline.now());
  }

  private void check(long now) throws MxLimitException {
    MxLimitException first = failure;
    if (first != null) {
      throw new MxLimitException(first, first);
    }
    if (deadline.remainingNanos(now) <= 0) {
      throw deadlinePassed();
    }
    if (inReply && now - replyStart >= replyTimeoutNanos) {
      throw fail(MxLimitException.Limit.REPLY_TIME, host + " sent one reply for longer than "
          + replyTimeoutMillis + " ms (" + Settings.REPLY_TIMEOUT + "); it trickles");
    }
  }

  /**
   * The read timeout for the next read, {@code base} (the session's read timeout, 0 for none)
   * shrunk to the time left of the deadline and of the current reply.
   *
   * @throws MxLimitException if a bound is already crossed
   */
  int readTimeout(int base) throws MxLimitException {
    long now = deadline.now();
    check(now);
    int t = deadline.shrink(base, now);
    if (inReply) {
      long left = Math.max(1, (replyStart + replyTimeoutNanos - now + 999_999) / 1_000_000);
      t = (int) Math.min(t, left);
    }
    return t;
  }

  /** A read timed out: the typed failure if a bound of ours made it time out, else {@code e}. */
  IOException timedOut(SocketTimeoutException e) {
    try {
      check();
    } catch (MxLimitException crossed) {
      crossed.addSuppressed(e);
      return crossed;
    }
    return e;
  }

  /** An I/O failure: typed if a bound was crossed meanwhile (the watchdog closed the socket). */
  IOException failed(IOException e) {
    MxLimitException first = failure;
    return first == null || e instanceof MxLimitException ? e : new MxLimitException(first, e);
  }

  /** The reply limiter saw the first byte of a reply. */
  void replyStarted() {
    inReply = true;
    replyStart = deadline.now();
  }

  /** The reply limiter saw the end of a reply. */
  void replyEnded() {
    inReply = false;
  }

  /** The deadline passed: fails the connection (from the watchdog or a read). */
  MxLimitException deadlinePassed() {
    return fail(MxLimitException.Limit.DEADLINE, "the delivery deadline of " + deadline.millis()
        + " ms (" + Settings.DELIVERY_DEADLINE + ") passed during the session with " + host);
  }

  /**
   * Records the first crossed bound, tells the recorder, runs the failure action (closes the
   * socket) and returns the failure; later calls return the first one.
   */
  MxLimitException fail(MxLimitException.Limit limit, String message) {
    Runnable action;
    MxLimitException first;
    synchronized (this) {
      if (failure != null) {
        return failure;
      }
      first = new MxLimitException(limit, message);
      failure = first;
      action = onFailure;
    }
    recorder.limitExceeded(first);
    action.run();
    return first;
  }

  /** The first crossed bound, or null. */
  MxLimitException failure() {
    return failure;
  }
}
