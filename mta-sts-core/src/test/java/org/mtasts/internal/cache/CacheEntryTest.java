package org.mtasts.internal.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtasts.CachedPolicy;
import org.mtasts.policy.Policy;

/** The per-domain state behind the cache-hit fast path (issue 8). */
class CacheEntryTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static CacheEntry entry() throws Exception {
    Policy policy =
        Policy.parse("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 3600\n");
    return new CacheEntry(
        new CachedPolicy("example.com", "A1", policy, T0, T0.plusSeconds(3600)), List.of(), T0);
  }

  @Test
  void touch_movesLastUseForwardOnly_andSaysWhenASecondBegins() throws Exception {
    CacheEntry e = entry();
    long t0 = T0.toEpochMilli();
    assertFalse(e.touch(t0), "same millisecond as the creation");
    assertFalse(e.touch(t0 + 999), "same second");
    assertTrue(e.touch(t0 + 1000), "a new second");
    assertFalse(e.touch(t0 + 1500));
    assertFalse(e.touch(t0 + 10), "time never moves back");
    assertEquals(T0.plusMillis(1500), e.lastUsed());
  }

  @Test
  void answersAlone_onlyWithinTheTxtTtlAndThePolicyLifetime_D_17() throws Exception {
    CacheEntry e = entry();
    long t0 = T0.toEpochMilli();
    assertFalse(e.answersAlone(t0), "no TXT answer confirmed the id yet");
    e.txtConfirmedUntil(t0 + 300_000);
    assertTrue(e.answersAlone(t0 + 299_999));
    assertFalse(e.answersAlone(t0 + 300_000), "the TXT answer's TTL has run out");
    e.txtConfirmedUntil(t0 + 100_000);
    assertTrue(e.answersAlone(t0 + 200_000), "a shorter TTL never shortens a longer one");
    e.txtConfirmedUntil(t0 + 7_200_000);
    assertFalse(e.answersAlone(t0 + 3_600_000), "STS-CACHE-02: the policy has expired");
  }
}
