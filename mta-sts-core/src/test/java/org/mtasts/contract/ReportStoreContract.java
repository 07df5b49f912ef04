package org.mtasts.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportClaim;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionResult;

/**
 * What every {@link ReportStore} must do, as tests: subclass it for an implementation and say how
 * to make a store ({@link #newStore(int, int)}) and, for a store that many processes share, a
 * second handle on the same data ({@link #sameStore(ReportStore)}).
 *
 * <p>It ships in {@code mta-sts-core}'s test jar ({@code <type>test-jar</type>}, test scope), so
 * the shared stores of other modules (Redis, SQL) run the same contract; in a package of its own
 * because the tests of a named module cannot see test classes in a package of core. Time is passed to the
 * store's methods, never read from a clock, so lease expiry is tested without waiting.
 */
public abstract class ReportStoreContract {

  /** A day well in the past, so no store treats it specially. */
  protected static final LocalDate DAY = LocalDate.of(2026, 11, 30);

  /** Noon of {@link #DAY}. */
  protected static final Instant NOON = DAY.atTime(12, 0).toInstant(ZoneOffset.UTC);

  protected static final Duration LEASE = Duration.ofMinutes(10);

  protected static final ReportPolicy STS = ReportPolicy.sts("example.net",
      List.of("version: STSv1", "mode: testing", "mx: mx1.example.net", "max_age: 86400"),
      List.of("mx1.example.net"));

  protected static final ReportPolicy NONE = ReportPolicy.noPolicyFound("example.net");

  protected static final ReportDay EXAMPLE_NET = new ReportDay("example.net", DAY);

  /**
   * Makes an empty store with the given bounds.
   *
   * @param maxPolicies distinct policies kept per report day
   * @param maxDetails distinct failure details kept per policy and day
   * @return a new, empty store
   * @throws Exception if it cannot be made
   */
  protected abstract ReportStore newStore(int maxPolicies, int maxDetails) throws Exception;

  /**
   * Returns another handle on the data of {@code store}, as a second process would open it; a
   * store private to one instance returns {@code store} itself.
   *
   * @param store a store made by {@link #newStore}
   * @return a store sharing its data
   * @throws Exception if it cannot be made
   */
  protected ReportStore sameStore(ReportStore store) throws Exception {
    return store;
  }

  /**
   * How many sessions the concurrency test adds in all; a store that writes to disk on each add
   * may lower it.
   *
   * @return the number of adds
   */
  protected int concurrentAdds() {
    return 4_000;
  }

  /** A store with generous bounds. */
  protected ReportStore newStore() throws Exception {
    return newStore(64, 1_000);
  }

  protected static FailureDetail expired(String ip) {
    return new FailureDetail(ResultType.CERTIFICATE_EXPIRED, "192.0.2.1", "mx1.example.net",
        "mx1.example.net", ip, null, null);
  }

  protected static SessionResult success(Instant at) {
    return SessionResult.success(at, STS);
  }

  protected static PolicyTally tally(ReportStore store, ReportDay day, ReportPolicy policy)
      throws IOException {
    for (PolicyTally t : store.tallies(day)) {
      if (t.policy().equals(policy)) {
        return t;
      }
    }
    throw new AssertionError("no tally of " + policy + " in " + store.tallies(day));
  }

  @Test
  @DisplayName("TLSRPT-DATA-02, TLSRPT-DATA-04: successes and failures are counted per policy;"
      + " a session with two failures counts once, and once in each detail")
  void add_countsPerPolicyAndDetail_TLSRPT_DATA_04() throws Exception {
    ReportStore store = newStore();
    FailureDetail fetch = FailureDetail.of(ResultType.STS_POLICY_FETCH_ERROR, "http-500");
    store.add(success(NOON));
    store.add(success(NOON.plusSeconds(1)));
    store.add(SessionResult.failure(NOON, STS, expired("192.0.2.7")));
    store.add(SessionResult.failure(NOON, STS, expired("192.0.2.7"), fetch));
    store.add(SessionResult.success(NOON, NONE));
    assertEquals(List.of(EXAMPLE_NET), store.days());
    assertEquals(new PolicyTally(STS, 2, 2, Map.of(expired("192.0.2.7"), 2L, fetch, 1L)),
        tally(store, EXAMPLE_NET, STS));
    assertEquals(new PolicyTally(NONE, 1, 0, Map.of()), tally(store, EXAMPLE_NET, NONE));
    assertEquals(2, store.tallies(EXAMPLE_NET).size());
  }

  @Test
  @DisplayName("TLSRPT-TIME-01: 23:59:59Z and 00:00:00Z the next day are different report days")
  void add_bucketsByUtcDay_TLSRPT_TIME_01() throws Exception {
    ReportStore store = newStore();
    Instant midnight = DAY.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    store.add(success(midnight.minusSeconds(1)));
    store.add(success(midnight));
    store.add(SessionResult.success(midnight, ReportPolicy.noPolicyFound("a.example")));
    ReportDay next = new ReportDay("example.net", DAY.plusDays(1));
    assertEquals(List.of(EXAMPLE_NET, new ReportDay("a.example", DAY.plusDays(1)), next),
        store.days(), "oldest first, then by domain");
    assertEquals(1, tally(store, EXAMPLE_NET, STS).successfulSessions());
    assertEquals(1, tally(store, next, STS).successfulSessions());
  }

  @Test
  @DisplayName("a day without counts has no tallies and cannot be claimed")
  void unknownDay_empty() throws Exception {
    ReportStore store = newStore();
    assertEquals(List.of(), store.days());
    assertEquals(List.of(), store.tallies(EXAMPLE_NET));
    assertEquals(Optional.empty(), store.claim(EXAMPLE_NET, NOON, LEASE));
  }

  @Test
  @Timeout(120)
  @DisplayName("concurrent adds from many threads (and handles) are never lost")
  void add_concurrent_atomic() throws Exception {
    ReportStore first = newStore();
    ReportStore second = sameStore(first);
    int threads = 4;
    int perThread = concurrentAdds() / threads;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        ReportStore store = t % 2 == 0 ? first : second;
        int id = t;
        futures.add(pool.submit((Callable<Void>) () -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            if (i % 2 == 0) {
              store.add(success(NOON));
            } else {
              store.add(SessionResult.failure(NOON, STS, expired("192.0.2." + (id % 2))));
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(100, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int successes = threads * ((perThread + 1) / 2);
    int failures = threads * (perThread / 2);
    assertEquals(new PolicyTally(STS, successes, failures,
            Map.of(expired("192.0.2.0"), (long) failures / 2, expired("192.0.2.1"),
                (long) failures / 2)),
        tally(first, EXAMPLE_NET, STS));
  }

  @Test
  @DisplayName("bounded: past the bound on distinct failure details, session counts stay exact"
      + " and known details still count")
  void bound_details() throws Exception {
    ReportStore store = newStore(2, 3);
    for (int i = 0; i < 10; i++) {
      store.add(SessionResult.failure(NOON, STS, expired("192.0.2." + i)));
    }
    store.add(SessionResult.failure(NOON, STS, expired("192.0.2.0")));
    PolicyTally t = tally(store, EXAMPLE_NET, STS);
    assertEquals(11, t.failedSessions());
    assertEquals(3, t.failureDetails().size());
    assertEquals(2L, t.failureDetails().get(expired("192.0.2.0")));
  }

  @Test
  @DisplayName("bounded: past the bound on distinct policies per day, new policies are not kept")
  void bound_policies() throws Exception {
    ReportStore store = newStore(2, 3);
    for (int i = 0; i < 5; i++) {
      store.add(SessionResult.success(NOON, ReportPolicy.sts("example.net",
          List.of("version: STSv1", "id: " + i), List.of())));
    }
    store.add(success(NOON));
    assertEquals(2, store.tallies(EXAMPLE_NET).size());
    store.add(SessionResult.success(NOON, ReportPolicy.sts("example.net",
        List.of("version: STSv1", "id: 0"), List.of())));
    assertEquals(3, store.tallies(EXAMPLE_NET).stream()
        .mapToLong(PolicyTally::successfulSessions).sum(), "id: 0 twice, id: 1 once");
    store.add(SessionResult.success(NOON, ReportPolicy.noPolicyFound("other.example")));
    assertEquals(1, store.tallies(new ReportDay("other.example", DAY)).size(),
        "the bound is per report day and domain");
  }

  @Test
  @DisplayName("one sender per report: an unexpired claim excludes every other claim")
  void claim_exclusive() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    ReportClaim claim = store.claim(EXAMPLE_NET, NOON, LEASE).orElseThrow();
    assertEquals(EXAMPLE_NET, claim.day());
    assertEquals(0, claim.attempt());
    assertEquals(NOON, claim.firstAttempt());
    assertEquals(NOON.plus(LEASE), claim.expiresAt());
    assertEquals(Optional.empty(), store.claim(EXAMPLE_NET, NOON, LEASE));
    assertEquals(Optional.empty(), sameStore(store).claim(EXAMPLE_NET,
        NOON.plus(LEASE).minusMillis(1), LEASE));
  }

  @Test
  @Timeout(120)
  @DisplayName("one sender per report: of many concurrent claims exactly one wins")
  void claim_concurrent_oneWins() throws Exception {
    ReportStore first = newStore();
    ReportStore second = sameStore(first);
    first.add(success(NOON));
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Optional<ReportClaim>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        ReportStore store = t % 2 == 0 ? first : second;
        futures.add(pool.submit(() -> {
          start.await();
          return store.claim(EXAMPLE_NET, NOON, LEASE);
        }));
      }
      start.countDown();
      int won = 0;
      for (Future<Optional<ReportClaim>> f : futures) {
        won += f.get(100, TimeUnit.SECONDS).isPresent() ? 1 : 0;
      }
      assertEquals(1, won);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("an expired claim can be taken over; the old holder can then neither complete nor"
      + " release")
  void claim_expires() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    ReportClaim old = store.claim(EXAMPLE_NET, NOON, LEASE).orElseThrow();
    Instant later = old.expiresAt();
    ReportClaim taken = sameStore(store).claim(EXAMPLE_NET, later, LEASE).orElseThrow();
    assertNotEquals(old.token(), taken.token());
    assertEquals(NOON, taken.firstAttempt(), "the first attempt is remembered");
    store.complete(old);
    store.release(old, later.plus(Duration.ofDays(1)));
    assertEquals(List.of(EXAMPLE_NET), store.days(), "the stale holder did not complete it");
    assertEquals(Optional.empty(), store.claim(EXAMPLE_NET, later.plusSeconds(1), LEASE),
        "the stale holder did not release the new claim");
    store.complete(taken);
    assertEquals(List.of(), store.days());
  }

  @Test
  @DisplayName("TLSRPT-DEL-09: release counts the attempt and holds the day until notBefore; the"
      + " first attempt is kept")
  void release_notBefore_attempts_TLSRPT_DEL_09() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    ReportClaim first = store.claim(EXAMPLE_NET, NOON, LEASE).orElseThrow();
    Instant retry = NOON.plus(Duration.ofMinutes(30));
    store.release(first, retry);
    assertEquals(List.of(EXAMPLE_NET), store.days(), "released, not completed");
    assertEquals(Optional.empty(), store.claim(EXAMPLE_NET, retry.minusMillis(1), LEASE));
    ReportClaim second = sameStore(store).claim(EXAMPLE_NET, retry, LEASE).orElseThrow();
    assertEquals(1, second.attempt());
    assertEquals(NOON, second.firstAttempt());
    store.release(second, retry.plus(Duration.ofHours(1)));
    ReportClaim third = store.claim(EXAMPLE_NET, retry.plus(Duration.ofHours(2)), LEASE)
        .orElseThrow();
    assertEquals(2, third.attempt());
    assertEquals(NOON, third.firstAttempt());
    assertEquals(1, tally(store, EXAMPLE_NET, STS).successfulSessions(), "counts untouched");
  }

  @Test
  @DisplayName("complete ends the day: not offered again, its counts gone, late results dropped")
  void complete_dropsLateResults() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    store.add(SessionResult.success(NOON, ReportPolicy.noPolicyFound("other.example")));
    ReportClaim claim = store.claim(EXAMPLE_NET, NOON, LEASE).orElseThrow();
    store.add(success(NOON.plusSeconds(5)));
    assertEquals(2, tally(store, EXAMPLE_NET, STS).successfulSessions(),
        "a claim does not stop counting");
    store.complete(claim);
    assertEquals(List.of(new ReportDay("other.example", DAY)), store.days());
    assertEquals(List.of(), store.tallies(EXAMPLE_NET));
    store.add(success(NOON.plusSeconds(10)));
    sameStore(store).add(SessionResult.failure(NOON, STS, expired("192.0.2.9")));
    assertEquals(List.of(), store.tallies(EXAMPLE_NET), "late results are dropped");
    assertEquals(Optional.empty(), store.claim(EXAMPLE_NET, NOON.plus(Duration.ofDays(2)),
        LEASE));
    assertEquals(List.of(new ReportDay("other.example", DAY)), store.days());
    store.add(success(NOON.plus(Duration.ofDays(1))));
    assertEquals(1, store.tallies(new ReportDay("example.net", DAY.plusDays(1))).size(),
        "the next day counts as usual");
  }

  @Test
  @DisplayName("prune deletes the days before a date: counts, claims and completed days")
  void prune() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON.minus(Duration.ofDays(2))));
    store.add(success(NOON.minus(Duration.ofDays(1))));
    store.add(success(NOON));
    ReportDay twoBefore = new ReportDay("example.net", DAY.minusDays(2));
    ReportClaim claim = store.claim(twoBefore, NOON, LEASE).orElseThrow();
    store.complete(claim);
    store.claim(new ReportDay("example.net", DAY.minusDays(1)), NOON, LEASE).orElseThrow();
    assertEquals(2, store.prune(DAY));
    assertEquals(List.of(EXAMPLE_NET), store.days());
    assertEquals(0, store.prune(DAY));
    assertTrue(store.claim(EXAMPLE_NET, NOON, LEASE).isPresent(), "the kept day is untouched");
    assertEquals(1, store.prune(DAY.plusDays(1)));
    assertEquals(List.of(), store.days());
  }
}
