package org.mtasts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.mtasts.internal.cache.CacheEntry;
import org.mtasts.internal.cache.TimedCache;
import org.mtasts.policy.Mode;
import org.mtasts.policy.ParsedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proactive refresh (RFC 8461 §5.1, STS-CACHE-06/07/08): a background task fetches again, whatever
 * the TXT record says, every cached policy older than the refresh interval (or half its {@code
 * max_age}) whose domain was looked up within {@link #USAGE_WINDOW}. Success extends the policy's
 * lifetime; failure keeps it and is reported. The same task prunes the store once a day.
 */
final class PolicyRefresh implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

  /** Domains not looked up for this long are no longer refreshed and age out. */
  static final Duration USAGE_WINDOW = Duration.ofDays(30);

  private final Clock clock;
  private final PolicyResolution resolution;
  private final TimedCache<CacheEntry> policies;
  private final StoreSync store;
  private final MtaStsListener listener;
  private final Duration refreshInterval;
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private ScheduledFuture<?> task;

  /**
   * @param scheduler the scheduler to run on, not shut down by {@link #close()}; null to make one
   *     daemon thread that is
   */
  PolicyRefresh(Clock clock, PolicyResolution resolution, MtaStsListener listener,
      Duration refreshInterval, ScheduledExecutorService scheduler) {
    this.clock = clock;
    this.resolution = resolution;
    this.policies = resolution.policies();
    this.store = resolution.store();
    this.listener = listener;
    this.refreshInterval = refreshInterval;
    if (scheduler != null) {
      this.scheduler = scheduler;
      this.ownsScheduler = false;
    } else {
      ScheduledThreadPoolExecutor s =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "mta-sts-refresh");
                t.setDaemon(true);
                return t;
              });
      s.setRemoveOnCancelPolicy(true);
      this.scheduler = s;
      this.ownsScheduler = true;
    }
  }

  /** Schedules the task, with a random first delay so that restarted fleets spread out. */
  void start() {
    long period = refreshCheckPeriod(refreshInterval).toMillis();
    long initialDelay = period + ThreadLocalRandom.current().nextLong(period); // jitter
    this.task =
        scheduler.scheduleWithFixedDelay(
            this::scheduledRefresh, initialDelay, period, TimeUnit.MILLISECONDS);
  }

  /** Cancels the task, and stops the scheduler if this made it. */
  @Override
  public void close() {
    if (task != null) {
      task.cancel(false);
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  /** How often the refresh task looks for due policies: 1/24 of the interval, 1 min to 1 h. */
  static Duration refreshCheckPeriod(Duration refreshInterval) {
    Duration p = refreshInterval.dividedBy(24);
    if (p.compareTo(Duration.ofMinutes(1)) < 0) {
      return Duration.ofMinutes(1);
    }
    return p.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : p;
  }

  private void scheduledRefresh() {
    try {
      refreshNow();
    } catch (RuntimeException e) {
      log.warn("MTA-STS policy refresh failed", e);
    }
    if (store.pruneDue()) {
      store.prune();
    }
  }

  /**
   * Fetches again every cached policy that is due (older than the refresh interval or half its
   * {@code max_age}, domain used within {@link #USAGE_WINDOW}), at most one refresh per domain at
   * a time. The scheduler calls this; tests call it directly with a fake clock.
   *
   * @return a stage that completes when the refreshes started by this call are done
   */
  CompletableFuture<Void> refreshNow() {
    policies.cleanUp();
    Instant now = clock.instant();
    List<CompletableFuture<?>> started = new ArrayList<>();
    for (CacheEntry entry : policies.snapshot().values()) {
      CachedPolicy p = entry.policy();
      String d = p.domain();
      if (Duration.between(p.fetchedAt(), now).compareTo(refreshAge(p)) < 0
          || Duration.between(entry.lastUsed(), now).compareTo(USAGE_WINDOW) > 0
          || !refreshing.add(d)) {
        continue;
      }
      CompletionStage<FetchedPolicy> fetched = resolution.startFetch(d);
      started.add(
          fetched
              .handle(
                  (policy, error) -> {
                    try {
                      if (error == null) {
                        refreshed(entry, policy);
                      } else {
                        refreshFailed(entry, PolicyResolution.unwrap(error));
                      }
                    } finally {
                      refreshing.remove(d);
                    }
                    return null;
                  })
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(started.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * The age at which a cached policy is due for refresh: the refresh interval, or half its {@code
   * max_age} if that is shorter, so that a policy is refreshed before it expires (STS-CACHE-06).
   */
  private Duration refreshAge(CachedPolicy p) {
    Duration half = p.policy().maxAge().dividedBy(2);
    return half.compareTo(refreshInterval) < 0 ? half : refreshInterval;
  }

  private void refreshed(CacheEntry old, FetchedPolicy fetched) {
    Instant at = clock.instant();
    CachedPolicy previous = old.policy();
    String d = previous.domain();
    ParsedPolicy parsed = fetched.parsed();
    CachedPolicy current =
        new CachedPolicy(d, previous.recordId(), parsed.policy(), at,
            at.plus(parsed.policy().maxAge()));
    CacheEntry entry =
        new CacheEntry(current, parsed.warnings(), old.lastUsed(), resolution.keptText(parsed));
    boolean[] replaced = new boolean[1];
    policies.compute(
        d,
        (k, cur) -> {
          if (cur != old) {
            return cur; // a lookup installed a newer policy meanwhile; keep it
          }
          replaced[0] = true;
          return current.policy().maxAge().isZero() ? null : entry;
        });
    if (!replaced[0]) {
      return;
    }
    if (current.policy().maxAge().isZero()) {
      store.delete(d);
    } else {
      store.save(current, parsed);
    }
    resolution.announce(previous, current);
  }

  private void refreshFailed(CacheEntry old, Throwable error) {
    CachedPolicy p = old.policy();
    LookupFailure failure = PolicyResolution.fetchFailure(p.domain(), error);
    // STS-CACHE-08: alert on failed refreshes, except for mode none.
    if (p.mode() != Mode.NONE) {
      log.warn("refresh of the MTA-STS policy of {} failed; the cached policy stays in force "
          + "until {} ({} left): {}", p.domain(), p.expiresAt(),
          TimedCache.left(p.expiresAt(), clock.instant()), failure.message());
    } else {
      log.debug("refresh of the mode-none policy of {} failed: {}", p.domain(), failure.message());
    }
    MtaStsListener.fire(listener, l -> l.fetchFailed(p.domain(), failure, Optional.of(p)));
    resolution.addressGuardStoodInTheWay(p.domain(), failure, p);
  }
}
