package org.mtasts.javamail;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The deadline of one domain's delivery (issue 12, item 2): one point in time that bounds all its
 * MX hosts and all their addresses (connects, TLS handshakes, reads and writes), from {@code
 * mail.mtasts.deliveryDeadline}. Time comes from an injected ticker ({@code System::nanoTime} in
 * production). Thread-safe (immutable).
 */
final class Deadline {
  /**
   * Closes sockets whose deadline passed while a write blocks (a write has no timeout in Java).
   * One daemon thread for the whole JVM, made on first use; cancelled watches are removed at once.
   */
  private static final class Watchdog {
    static final ScheduledThreadPoolExecutor EXECUTOR = make();

    private static ScheduledThreadPoolExecutor make() {
      ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "mta-sts-delivery-deadline");
        t.setDaemon(true);
        return t;
      });
      executor.setRemoveOnCancelPolicy(true);
      return executor;
    }
  }

  private final LongSupplier ticker;
  private final long budgetMillis;
  private final long end;

  private Deadline(LongSupplier ticker, long budgetMillis) {
    this.ticker = ticker;
    this.budgetMillis = budgetMillis;
    this.end = ticker.getAsLong() + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
  }

  /** A deadline {@code millis} from now on {@code ticker}. */
  static Deadline after(long millis, LongSupplier ticker) {
    if (millis <= 0) {
      throw new IllegalArgumentException("deadline must be positive: " + millis + " ms");
    }
    return new Deadline(ticker, millis);
  }

  /** The ticker's current value. */
  long now() {
    return ticker.getAsLong();
  }

  /** The whole budget, in milliseconds. */
  long millis() {
    return budgetMillis;
  }

  /** Nanoseconds left at {@code now}; zero or less once passed. */
  long remainingNanos(long now) {
    return end - now;
  }

  /** Whether the deadline has passed. */
  boolean passed() {
    return remainingNanos(now()) <= 0;
  }

  /**
   * {@code timeoutMillis} shrunk to the time left, for a connect or read timeout: at least 1 (0
   * means "no timeout" to a socket), and {@code timeoutMillis} 0 ("none") becomes the time left.
   */
  int shrink(int timeoutMillis, long now) {
    long left = Math.max(1, (remainingNanos(now) + 999_999) / 1_000_000);
    long t = timeoutMillis <= 0 ? left : Math.min(timeoutMillis, left);
    return (int) Math.min(Integer.MAX_VALUE, t);
  }

  /**
   * Runs {@code action} once the deadline has passed (on the watchdog thread), unless the returned
   * handle is cancelled first.
   */
  Future<?> watch(Runnable action) {
    long delay = Math.max(0, remainingNanos(now()));
    return Watchdog.EXECUTOR.schedule(action, delay, TimeUnit.NANOSECONDS);
  }

  @Override
  public String toString() {
    return "Deadline{" + budgetMillis + " ms, " + remainingNanos(now()) / 1_000_000 + " ms left}";
  }
}
