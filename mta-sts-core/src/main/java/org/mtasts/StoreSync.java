package org.mtasts;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mtasts.internal.cache.CacheEntry;
import org.mtasts.internal.cache.Throttle;
import org.mtasts.internal.cache.TimedCache;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicyRecord;
import org.mtasts.policy.PolicySyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the in-memory cache and the {@link PolicyStore} in step (issue 12 items 5 and 6): the
 * start-up load, the read-through after a miss, saving and deleting, the daily pruning of expired
 * entries, and the clock-behind clamp (SEC-24). Stored entries are parsed again as if fetched
 * (SEC-25). Store failures are logged and reported to the listener, never thrown.
 */
final class StoreSync {
  private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

  /** How often the store is walked to remove expired entries (issue 12 item 6). */
  static final Duration STORE_PRUNE_INTERVAL = Duration.ofDays(1);

  private final Clock clock;
  private final PolicyStore store;
  private final MtaStsListener listener;
  private final long maximumCachedPolicies;
  private final TimedCache<CacheEntry> policies;
  /** Whether entries read from the store keep their text, for TLS-RPT. */
  private final boolean keepPolicyText;
  /** Stored entries fetched "in the future", and when this client first clamped each (SEC-24). */
  private final TimedCache<Clamp> clamps;
  private final Throttle storeReadFailures;
  private volatile long lastPruneMillis;

  /**
   * A stored entry whose fetch time lay ahead of the clock, and when it was first read: its
   * {@code max_age} counts from then on every later read, so that reading it again (after an
   * eviction) does not start its lifetime anew while the clock is behind (SEC-24). Kept until the
   * entry's own expiry, {@code storedFetchedAt + max_age}.
   */
  private record Clamp(Instant storedFetchedAt, Instant clampedAt, Instant storedExpiresAt) {}

  StoreSync(Clock clock, PolicyStore store, MtaStsListener listener, long maximumCachedPolicies,
      TimedCache<CacheEntry> policies, boolean keepPolicyText) {
    this.clock = clock;
    this.store = store;
    this.listener = listener;
    this.maximumCachedPolicies = maximumCachedPolicies;
    this.policies = policies;
    this.keepPolicyText = keepPolicyText;
    this.clamps = new TimedCache<>(clock, maximumCachedPolicies, Clamp::storedExpiresAt, null);
    this.storeReadFailures = new Throttle(clock, Duration.ofMinutes(1), 1_000);
    this.lastPruneMillis = clock.millis();
  }

  /** Whether a store keeps policies beyond the in-memory cache. */
  boolean keepsPolicies() {
    return store != PolicyStore.none();
  }

  /**
   * Walks the store once at start-up (issue 12 items 5 and 6): fills the cache with up to {@code
   * maximumCachedPolicies} unexpired entries, removes the expired ones, and leaves the rest in
   * the store for {@link #readThrough} to find. Holds one stored entry at a time beyond the cache.
   */
  void load() {
    Instant now = clock.instant();
    long[] counts = new long[4]; // loaded, left in the store, removed as expired, clamped
    try {
      store.forEach(s -> {
        if (s.fetchedAt().isAfter(now)) {
          counts[3]++;
        }
        CacheEntry entry = fromStore(s, now);
        if (entry == null) {
          if (isExpired(s, now)) {
            counts[2]++;
          }
          return;
        }
        if (counts[0] >= maximumCachedPolicies) {
          counts[1]++; // bounded memory: read through when looked up
          return;
        }
        String d = entry.policy().domain();
        Instant fetchedAt = entry.policy().fetchedAt();
        policies.compute(
            d,
            (k, cur) ->
                cur == null || cur.policy().fetchedAt().isBefore(fetchedAt) ? entry : cur);
        counts[0]++;
      });
    } catch (RuntimeException e) {
      storeFailed("load", null, e);
    }
    if (counts[3] > 0) {
      log.warn("{} stored MTA-STS policies were fetched at a time after now ({}): the clock may "
          + "be behind; their max_age counts from now (SEC-24)", counts[3], now);
    }
    log.debug("MTA-STS policy store: {} policies loaded, {} left in the store (cache full), {} "
        + "expired ones removed", counts[0], counts[1], counts[2]);
  }

  /**
   * Reads the stored policy of {@code d} into the cache after a miss (issue 12 item 5).
   *
   * @return the live entry now cached, or null when the store has none
   */
  CacheEntry readThrough(String d) {
    Optional<StoredPolicy> stored;
    try {
      stored = store.load(d);
    } catch (IOException | RuntimeException e) {
      // The lookup goes on as if nothing were stored; one line a minute, however many misses.
      long suppressed = storeReadFailures.pass("load");
      if (suppressed >= 0) {
        log.warn("MTA-STS policy store read for {} failed{}: {}", d,
            suppressed > 0 ? " (and " + suppressed + " more in the last minute)" : "", e.toString());
      }
      MtaStsListener.fire(listener, l -> l.storeFailed("load", Optional.of(d), e));
      return null;
    }
    if (stored == null || stored.isEmpty() || !stored.get().domain().equals(d)) {
      return null;
    }
    Instant now = clock.instant();
    CacheEntry entry = fromStore(stored.get(), now);
    if (entry == null) {
      return null;
    }
    Instant fetchedAt = entry.policy().fetchedAt();
    CacheEntry cached = policies.compute(
        d,
        (k, cur) -> cur == null || !cur.policy().isValidAt(now)
            || cur.policy().fetchedAt().isBefore(fetchedAt) ? entry : cur);
    return cached != null && cached.policy().isValidAt(clock.instant()) ? cached : null;
  }

  /**
   * Validates a stored entry as if it had just been fetched (SEC-25) and makes it a cache entry;
   * null if it is invalid (reported), expired (then removed from the store, issue 12 item 6), or
   * its clamped lifetime is used up (SEC-24: then it stays stored until its own expiry).
   */
  private CacheEntry fromStore(StoredPolicy s, Instant now) {
    String d;
    ParsedPolicy parsed;
    try {
      d = DomainNames.normalize(s.domain());
      PolicyRecord.of(s.recordId()); // validates the id
      parsed = Policy.parseDetailed(s.policyText()); // SEC-25: same parser
    } catch (PolicySyntaxException | IllegalArgumentException e) {
      log.warn("ignoring the stored MTA-STS policy of {}: {}", s.domain(), e.getMessage());
      storeFailed("load", s.domain(), e);
      return null;
    }
    if (isExpired(s, parsed.policy(), now)) {
      removeFromStore(s); // STS-CACHE-02: never applied again
      return null;
    }
    Duration maxAge = parsed.policy().maxAge();
    Instant fetchedAt = s.fetchedAt();
    if (fetchedAt.isAfter(now)) {
      fetchedAt = clampedFetchTime(d, s, maxAge, now);
    }
    CachedPolicy p =
        new CachedPolicy(d, s.recordId(), parsed.policy(), fetchedAt, fetchedAt.plus(maxAge));
    // The stored text is the policy as served, line by line (save below): TLS-RPT's lines.
    return p.isValidAt(now)
        ? new CacheEntry(p, parsed.warnings(), now, keepPolicyText ? s.policyText() : null)
        : null;
  }

  /**
   * SEC-24: a fetch time after now cannot be true, so the policy's {@code max_age} counts from
   * the first time this client read the entry: never longer than {@code max_age} by this clock,
   * and not started anew when the entry is read again after an eviction. The store keeps the
   * entry as it is: when the clock is set right, the entry's own time counts again.
   */
  private Instant clampedFetchTime(String d, StoredPolicy s, Duration maxAge, Instant now) {
    Clamp known = clamps.get(d);
    if (known != null && known.storedFetchedAt().equals(s.fetchedAt())) {
      return known.clampedAt();
    }
    clamps.put(d, new Clamp(s.fetchedAt(), now, plus(s.fetchedAt(), maxAge)));
    log.debug("the stored MTA-STS policy of {} was fetched at {}, after now ({}); its max_age "
        + "counts from now (SEC-24)", d, s.fetchedAt(), now);
    return now;
  }

  /** Whether a stored entry has expired by its own fetch time (unparseable: no). */
  private static boolean isExpired(StoredPolicy s, Instant now) {
    try {
      return isExpired(s, Policy.parse(s.policyText()), now);
    } catch (PolicySyntaxException | IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isExpired(StoredPolicy s, Policy policy, Instant now) {
    return !now.isBefore(plus(s.fetchedAt(), policy.maxAge()));
  }

  /** {@code t + d}, saturating: a damaged store may hold any instant. */
  private static Instant plus(Instant t, Duration d) {
    return Instant.MAX.minus(d).isBefore(t) ? Instant.MAX : t.plus(d);
  }

  /** Whether the daily walk that removes expired entries is due. */
  boolean pruneDue() {
    return clock.millis() - lastPruneMillis >= STORE_PRUNE_INTERVAL.toMillis();
  }

  /**
   * Walks the store and removes the entries that have expired by their own fetch time (issue 12
   * item 6). Entries fetched "in the future" are kept (SEC-24), as are entries this client cannot
   * parse (reported when read). The refresh task calls this once a day; tests call it directly.
   *
   * @return how many entries were removed
   */
  long prune() {
    Instant now = clock.instant();
    lastPruneMillis = now.toEpochMilli();
    long[] removed = {0};
    try {
      store.forEach(s -> {
        if (isExpired(s, now) && removeFromStore(s)) {
          removed[0]++;
        }
      });
    } catch (RuntimeException e) {
      storeFailed("prune", null, e);
    }
    if (removed[0] > 0) {
      log.debug("MTA-STS policy store: removed {} expired policies", removed[0]);
    }
    return removed[0];
  }

  private boolean removeFromStore(StoredPolicy s) {
    try {
      return store.remove(s);
    } catch (IOException | RuntimeException e) {
      storeFailed("remove", s.domain(), e);
      return false;
    }
  }

  /** How long a node's lease on fetching a domain holds. */
  static final Duration FETCH_LEASE = Duration.ofSeconds(10);

  /** How often, and how many times, a node without the lease looks for the shared result. */
  static final Duration SHARED_POLL = Duration.ofMillis(50);

  static final int SHARED_POLLS = 60;

  /**
   * Issue 15: asks a shared store whether this node should fetch {@code d} now; a store that
   * fails says yes (the lease is an optimisation, never a gate).
   */
  boolean lease(String d) {
    try {
      return store.tryLease(d, FETCH_LEASE);
    } catch (IOException | RuntimeException e) {
      storeFailed("lease", d, e);
      return true;
    }
  }

  /**
   * Waits, without holding a thread, for the entry of {@code d} with record id {@code id} that the
   * node holding the lease is fetching (issue 15); completes with it, in the cache, or with null
   * after {@link #SHARED_POLLS} polls (about three seconds) or on a store failure, and the caller
   * then fetches itself.
   */
  CompletableFuture<CacheEntry> awaitShared(String d, String id) {
    CompletableFuture<CacheEntry> result = new CompletableFuture<>();
    poll(d, id, SHARED_POLLS, result);
    return result;
  }

  // Each poll runs on the common pool after a delay; the store bounds its own wait (load()'s
  // contract), so no thread is held for long.
  private void poll(String d, String id, int left, CompletableFuture<CacheEntry> result) {
    CompletableFuture.runAsync(() -> {
      try {
        Optional<StoredPolicy> stored = store.load(d);
        if (stored != null && stored.isPresent() && stored.get().recordId().equals(id)
            && stored.get().domain().equals(d)) {
          CacheEntry entry = fromStore(stored.get(), clock.instant());
          if (entry != null) {
            policies.put(d, entry);
          }
          result.complete(entry);
        } else if (left <= 1) {
          result.complete(null);
        } else {
          poll(d, id, left - 1, result);
        }
      } catch (IOException | RuntimeException e) {
        storeFailed("load", d, e);
        result.complete(null);
      }
    }, CompletableFuture.delayedExecutor(SHARED_POLL.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Saves a policy after a successful fetch (its text as fetched, line by line). */
  void save(CachedPolicy p, ParsedPolicy parsed) {
    try {
      store.save(new StoredPolicy(p.domain(), p.recordId(), text(parsed), p.fetchedAt()));
    } catch (IOException | RuntimeException e) {
      storeFailed("save", p.domain(), e);
    }
  }

  /** Deletes the stored policy of {@code d} and forgets its clamp. */
  void delete(String d) {
    try {
      store.delete(d);
    } catch (IOException | RuntimeException e) {
      storeFailed("delete", d, e);
    }
  }

  /** Forgets the clock-behind clamp of {@code d} (SEC-12 invalidation). */
  void forgetClamp(String d) {
    clamps.remove(d);
  }

  /** Deletes every stored policy and forgets every clamp. */
  void deleteAll() {
    clamps.clear();
    try {
      store.deleteAll();
    } catch (IOException | RuntimeException e) {
      storeFailed("deleteAll", null, e);
    }
  }

  private void storeFailed(String operation, String domain, Exception e) {
    log.warn("MTA-STS policy store {} failed{}: {}", operation,
        domain == null ? "" : " for " + domain, e.toString());
    MtaStsListener.fire(listener, l -> l.storeFailed(operation, Optional.ofNullable(domain), e));
  }

  /** The text saved for a fetched policy: its lines as served, each ended by LF. */
  static String text(ParsedPolicy parsed) {
    return String.join("\n", parsed.lines()) + "\n";
  }
}
