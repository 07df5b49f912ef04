package org.mtasts.internal.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.mtasts.LookupFailure;
import org.mtasts.MutableClock;
import org.mtasts.report.ResultType;
import org.junit.jupiter.api.Test;

/** The fetch back-off (STS-FETCH-14) and the per-domain ceiling (SEC-14). */
class FetchGateTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  final FetchGate gate =
      new FetchGate(clock, 100, Duration.ofMinutes(5), Duration.ofMinutes(1));
  final LookupFailure failure =
      new LookupFailure(ResultType.STS_POLICY_FETCH_ERROR, "HTTP 503", null);

  Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  @Test
  void firstFetch_allowed() {
    assertNull(gate.tryAcquire("a.example", "A", T0));
  }

  @Test
  void failedId_blockedForFiveMinutes_STS_FETCH_14() {
    assertNull(gate.tryAcquire("a.example", "A", T0));
    gate.failed("a.example", "A", T0, failure);
    FetchGate.Blocked b = gate.tryAcquire("a.example", "A", at(299));
    assertNotNull(b);
    assertEquals(at(300), b.until());
    assertEquals(failure, b.lastFailure());
    assertNull(gate.tryAcquire("a.example", "A", at(300)));
  }

  @Test
  void newId_waitsForTheDomainInterval_SEC_14() {
    assertNull(gate.tryAcquire("a.example", "A", T0));
    assertNotNull(gate.tryAcquire("a.example", "B", at(59)));
    assertNull(gate.tryAcquire("a.example", "B", at(60)));
    assertNotNull(gate.tryAcquire("a.example", "C", at(119)));
  }

  @Test
  void sameId_afterSuccess_notHeldBack_D_09() {
    assertNull(gate.tryAcquire("a.example", "A", T0));
    assertNull(gate.tryAcquire("a.example", "A", at(1)));
  }

  @Test
  void domainsAreIndependent_andClearForgets() {
    assertNull(gate.tryAcquire("a.example", "A", T0));
    gate.failed("a.example", "A", T0, failure);
    assertNull(gate.tryAcquire("b.example", "A", T0));
    gate.clear("a.example");
    assertNull(gate.tryAcquire("a.example", "A", at(1)));
  }
}
