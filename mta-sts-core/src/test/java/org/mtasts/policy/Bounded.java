package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.function.Executable;

/**
 * Runs a check on a watchdog thread and fails when it does not finish in time, so that a parser
 * stuck in a loop fails the property instead of hanging the build. One daemon thread is reused
 * for every try (a new thread per try would make the property tests slow); after a timeout it is
 * replaced, since the stuck one cannot be stopped. When jqwik shrinks a hanging input every
 * attempt would hang again, so after {@value #MAX_TIMEOUTS} timeouts the remaining checks fail
 * at once: the run stays short and the first failure report shows the original input.
 */
public final class Bounded {

  /** After this many timeouts every further check fails at once (see the class comment). */
  private static final int MAX_TIMEOUTS = 3;

  private static ExecutorService executor = newExecutor();
  private static int timeouts;

  private Bounded() {}

  private static ExecutorService newExecutor() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "bounded-check");
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Runs {@code check}, rethrowing what it throws, and fails after {@code limit}.
   *
   * @param limit how long the check may take
   * @param check the check
   */
  public static synchronized void run(Duration limit, Executable check) {
    if (timeouts >= MAX_TIMEOUTS) {
      fail("not run: " + timeouts + " earlier checks did not finish (endless loop?)");
    }
    Future<?> f =
        executor.submit(
            () -> {
              try {
                check.execute();
              } catch (Throwable t) {
                throw new CheckFailed(t);
              }
              return null;
            });
    try {
      f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      executor.shutdownNow();
      executor = newExecutor();
      timeouts++;
      fail("did not finish within " + limit + " (endless loop?)");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CheckFailed) {
        cause = cause.getCause();
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new AssertionError(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(Throwable cause) {
      super(cause);
    }
  }
}
