package org.mtasts.internal.fetch;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread pools for blocking I/O. */
public final class FetchExecutors {
  private FetchExecutors() {}

  /**
   * A pool of at most {@code threads} daemon threads that time out when idle, with an unbounded
   * queue: work beyond the bound waits rather than failing.
   */
  public static Executor bounded(int threads) {
    return bounded(threads, "mta-sts-fetch-");
  }

  /**
   * Like {@link #bounded(int)}, with threads named {@code namePrefix} and a number. No thread
   * exists until the first task, and idle threads end after 30 seconds.
   */
  public static Executor bounded(int threads, String namePrefix) {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory =
        runnable -> {
          Thread thread = new Thread(runnable, namePrefix + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
