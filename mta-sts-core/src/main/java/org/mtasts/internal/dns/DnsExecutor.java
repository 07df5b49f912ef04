package org.mtasts.internal.dns;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default executor for lookup continuations: a few daemon threads shared by every client,
 * which time out when idle. The work on it is short (parsing a response, completing a future), so
 * a small fixed bound serves any number of lookups in flight.
 */
final class DnsExecutor {
  private DnsExecutor() {}

  private static final class Holder {
    static final Executor SHARED = create(Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  static Executor shared() {
    return Holder.SHARED;
  }

  private static Executor create(int threads) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "mta-sts-dns-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
