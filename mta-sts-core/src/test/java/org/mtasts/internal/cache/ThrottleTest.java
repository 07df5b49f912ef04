package org.mtasts.internal.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.mtasts.MutableClock;

/** One occurrence per key and period passes; the rest are counted (issue 12 items 3 and 11). */
class ThrottleTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void oncePerKeyAndPeriod_withTheCountHeldBack() {
    Throttle t = new Throttle(clock, Duration.ofMinutes(1), 100);
    assertEquals(0, t.pass("a"));
    assertEquals(-1, t.pass("a"));
    assertEquals(0, t.pass("b"), "keys are independent");
    clock.advance(Duration.ofSeconds(59));
    assertEquals(-1, t.pass("a"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(2, t.pass("a"), "two held back in the last period");
    assertEquals(-1, t.pass("a"));
    clock.advance(Duration.ofMinutes(5));
    assertEquals(1, t.pass("a"));
  }

  @Test
  void clockGoingBack_startsANewPeriod() {
    Throttle t = new Throttle(clock, Duration.ofDays(1), 100);
    assertEquals(0, t.pass("a"));
    clock.advance(Duration.ofHours(-1));
    assertEquals(0, t.pass("a"));
  }

  @Test
  void boundedKeys_andEagerValidation() {
    Throttle t = new Throttle(clock, Duration.ofDays(1), 2);
    for (int i = 0; i < 1000; i++) {
      t.pass("k" + i); // never grows beyond its bound; an evicted key merely passes again
    }
    assertThrows(IllegalArgumentException.class, () -> new Throttle(clock, Duration.ZERO, 1));
    assertThrows(IllegalArgumentException.class, () -> new Throttle(clock, Duration.ofDays(1), 0));
  }
}
