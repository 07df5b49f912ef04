package org.mtasts.internal.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Lets one occurrence of each key through per period and counts the others, so that a log line
 * about a domain is written once a minute or once a day instead of once per message. Keys are
 * kept in a bounded map: when it is full, some key forgets its period and may pass again early,
 * which costs one extra line, never a lost first one. Time comes from the injected clock.
 * Thread-safe.
 */
public final class Throttle {
  private final Clock clock;
  private final long periodMillis;
  private final Cache<String, Window> windows;

  /** When the current period of a key began, and how many occurrences it held back since. */
  private static final class Window {
    final long startMillis;
    long suppressed; // guarded by the map's compute

    Window(long startMillis) {
      this.startMillis = startMillis;
    }
  }

  /**
   * Creates a throttle.
   *
   * @param clock the time source
   * @param period how long after letting a key through its further occurrences are held back
   * @param maximumKeys the most keys remembered
   */
  public Throttle(Clock clock, Duration period, long maximumKeys) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.periodMillis = Objects.requireNonNull(period, "period").toMillis();
    if (periodMillis <= 0 || maximumKeys < 1) {
      throw new IllegalArgumentException("period and maximumKeys must be positive");
    }
    this.windows =
        Caffeine.newBuilder().maximumSize(maximumKeys).executor(Runnable::run).build();
  }

  /**
   * Notes one occurrence of {@code key}.
   *
   * @return -1 if it is held back; otherwise it passes, and the result is how many occurrences
   *     of the key were held back since the last one that passed (0 the first time)
   */
  public long pass(String key) {
    long now = clock.millis();
    long[] result = {-1};
    windows.asMap().compute(key, (k, w) -> {
      // A clock that went back also starts a new period: better one line too many than none.
      if (w == null || now - w.startMillis >= periodMillis || now < w.startMillis) {
        result[0] = w == null ? 0 : w.suppressed;
        return new Window(now);
      }
      w.suppressed++;
      return w;
    });
    return result[0];
  }
}
