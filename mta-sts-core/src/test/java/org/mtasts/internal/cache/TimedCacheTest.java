package org.mtasts.internal.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mtasts.MutableClock;
import org.junit.jupiter.api.Test;

/** Per-entry expiry on the injected clock (STS-CACHE-01/02). */
class TimedCacheTest {
  record Value(String name, Instant expiresAt) {}

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  final List<Value> expired = new ArrayList<>();
  final TimedCache<Value> cache = new TimedCache<>(clock, 2, Value::expiresAt, expired::add);

  @Test
  void entryLivesUntilItsOwnExpiry_STS_CACHE_01() {
    Value v = new Value("a", T0.plusSeconds(60));
    cache.put("a", v);
    clock.advance(Duration.ofSeconds(59));
    assertEquals(v, cache.get("a"));
    clock.advance(Duration.ofSeconds(1));
    assertNull(cache.get("a")); // never returned at or after its expiry (STS-CACHE-02)
    cache.cleanUp();
    assertEquals(List.of(v), expired);
  }

  @Test
  void alreadyExpiredValue_notStored() {
    cache.put("a", new Value("a", T0));
    assertNull(cache.getEvenIfExpired("a"));
  }

  @Test
  void bounded() {
    for (int i = 0; i < 50; i++) {
      cache.put("k" + i, new Value("k" + i, T0.plusSeconds(600)));
    }
    cache.cleanUp();
    assertEquals(true, cache.snapshot().size() <= 2);
  }
}
