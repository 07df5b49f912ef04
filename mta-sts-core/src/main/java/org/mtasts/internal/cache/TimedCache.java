package org.mtasts.internal.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A bounded Caffeine cache whose values each carry their own expiry instant, with time read from a
 * {@link Clock} (so tests move a fake clock instead of sleeping). A value is never returned at or
 * after its expiry instant, whether or not Caffeine has evicted it yet. Thread-safe.
 *
 * @param <V> the value type
 */
public final class TimedCache<V> {
  private final Clock clock;
  private final Function<V, Instant> expiresAt;
  private final Cache<String, V> cache;

  /**
   * Creates a cache.
   *
   * @param clock the time source
   * @param maximumSize the most entries kept
   * @param expiresAt when a value expires
   * @param onExpired called with each value Caffeine drops because it expired (may be late)
   */
  public TimedCache(Clock clock, long maximumSize, Function<V, Instant> expiresAt,
      Consumer<V> onExpired) {
    this(clock, maximumSize, expiresAt, onExpired, null);
  }

  /**
   * Creates a cache that also reports values evicted because it was full.
   *
   * @param clock the time source
   * @param maximumSize the most entries kept
   * @param expiresAt when a value expires
   * @param onExpired called with each value Caffeine drops because it expired (may be late)
   * @param onEvicted called with each value Caffeine drops because the cache was full, expired
   *     or not; null for none
   */
  public TimedCache(Clock clock, long maximumSize, Function<V, Instant> expiresAt,
      Consumer<V> onExpired, Consumer<V> onEvicted) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    Ticker ticker = () -> nanos(clock.instant());
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .ticker(ticker)
            .executor(Runnable::run)
            .expireAfter(
                new Expiry<String, V>() {
                  @Override
                  public long expireAfterCreate(String key, V value, long currentTime) {
                    return remaining(value, currentTime);
                  }

                  @Override
                  public long expireAfterUpdate(
                      String key, V value, long currentTime, long currentDuration) {
                    return remaining(value, currentTime);
                  }

                  @Override
                  public long expireAfterRead(
                      String key, V value, long currentTime, long currentDuration) {
                    return currentDuration;
                  }
                })
            .removalListener(
                (String key, V value, RemovalCause cause) -> {
                  if (cause == RemovalCause.EXPIRED && value != null && onExpired != null) {
                    onExpired.accept(value);
                  } else if (cause == RemovalCause.SIZE && value != null && onEvicted != null) {
                    onEvicted.accept(value);
                  }
                })
            .build();
  }

  private long remaining(V value, long currentTime) {
    long left = nanos(expiresAt.apply(value)) - currentTime;
    return Math.max(0, left);
  }

  private static long nanos(Instant t) {
    // Saturates far outside the range tests and real clocks use (years 1678..2262).
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      return t.getEpochSecond() < 0 ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
    }
  }

  /** Returns the value of {@code key} if it has not expired at the clock's current instant. */
  public V get(String key) {
    V v = cache.getIfPresent(key);
    if (v != null && !clock.instant().isBefore(expiresAt.apply(v))) {
      return null;
    }
    return v;
  }

  /**
   * Returns the value of {@code key}, or null, without recording the access for the eviction
   * policy: a read that writes nothing shared, so that threads reading one hot key do not contend.
   * Callers check the value's expiry themselves and record an access now and then with {@link
   * #getEvenIfExpired}.
   */
  public V peek(String key) {
    return cache.policy().getIfPresentQuietly(key);
  }

  /** Returns the value of {@code key} even if expired but not yet dropped. */
  public V getEvenIfExpired(String key) {
    return cache.getIfPresent(key);
  }

  /** Stores {@code value}; a value already expired is not stored. */
  public void put(String key, V value) {
    if (clock.instant().isBefore(expiresAt.apply(value))) {
      cache.put(key, value);
    } else {
      cache.invalidate(key);
    }
  }

  /** Computes a new value atomically; returning null removes the entry. */
  public V compute(String key, BiFunction<String, V, V> remapping) {
    return cache.asMap().compute(key, remapping);
  }

  /** Removes and returns the value of {@code key}, expired or not. */
  public V remove(String key) {
    return cache.asMap().remove(key);
  }

  /** Removes the value of {@code key} if it is {@code value}. */
  public boolean remove(String key, V value) {
    return cache.asMap().remove(key, value);
  }

  /** A snapshot of the live entries. */
  public Map<String, V> snapshot() {
    cache.cleanUp();
    Instant now = clock.instant();
    Map<String, V> out = new java.util.LinkedHashMap<>();
    cache.asMap().forEach((k, v) -> {
      if (now.isBefore(expiresAt.apply(v))) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** The approximate number of entries, expired ones not yet dropped included. */
  public long estimatedSize() {
    return cache.estimatedSize();
  }

  /** Removes everything. */
  public void clear() {
    cache.invalidateAll();
  }

  /** Runs pending maintenance, such as dropping expired entries (and reporting them). */
  public void cleanUp() {
    cache.cleanUp();
  }

  /** Returns the lifetime left at {@code now}, zero if expired. */
  public static Duration left(Instant expiresAt, Instant now) {
    return now.isBefore(expiresAt) ? Duration.between(now, expiresAt) : Duration.ZERO;
  }
}
