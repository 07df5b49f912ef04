package org.mtasts.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Clock;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportClaim;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionResult;

/**
 * The Redis report store on a real redis-server, several {@link RedisStores} playing the nodes of
 * a fleet: counts add up exactly across nodes (TLSRPT-DATA-02, TLSRPT-DATA-04), exactly one node
 * claims a day's report, only the claim's holder completes or releases it, bounds, pruning.
 */
class RedisReportStoreTest {
  static final Instant NOW = Instant.parse("2026-11-28T16:00:00Z");
  static final LocalDate DAY = LocalDate.of(2026, 11, 28);
  static final ReportPolicy POLICY = ReportPolicy.sts("example.com",
      List.of("version: STSv1", "mode: enforce", "mx: mx.example.com", "max_age: 86400"),
      List.of("mx.example.com"));
  static final FailureDetail EXPIRED = new FailureDetail(ResultType.CERTIFICATE_EXPIRED,
      "192.0.2.1", "mx.example.com", "mx \u0007 \"quoted\"", "198.51.100.7", null, null);
  static final FailureDetail STARTTLS =
      new FailureDetail(ResultType.STARTTLS_NOT_SUPPORTED, null, "mx.example.com", null, null,
          "no STARTTLS", null);

  RedisTesting redis;

  @BeforeEach
  void connect() {
    redis = new RedisTesting(RedisServer.shared());
    redis.flush();
  }

  @AfterEach
  void close() {
    redis.close();
  }

  ReportStore node() {
    return redis.stores(Clock.fixed(NOW, ZoneOffset.UTC)).reportStore();
  }

  static ReportDay day() {
    return new ReportDay("example.com", DAY);
  }

  @Test
  void tlsrptData02_04_countsOf4NodesX1000Sessions_addUpExactly() throws Exception {
    List<ReportStore> nodes = List.of(node(), node(), node(), node());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (ReportStore n : nodes) {
        jobs.add(pool.submit((Callable<Void>) () -> {
          for (int i = 0; i < 1000; i++) {
            Instant at = NOW.plusMillis(i);
            n.add(switch (i % 4) {
              case 0, 1 -> SessionResult.success(at, POLICY);
              case 2 -> SessionResult.failure(at, POLICY, EXPIRED);
              default -> SessionResult.failure(at, POLICY, EXPIRED, STARTTLS);
            });
          }
          return null;
        }));
      }
      for (Future<?> f : jobs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of(day()), nodes.get(0).days());
    List<PolicyTally> tallies = nodes.get(3).tallies(day());
    assertEquals(1, tallies.size());
    PolicyTally t = tallies.get(0);
    assertEquals(POLICY, t.policy());
    assertEquals(2000, t.successfulSessions());
    assertEquals(2000, t.failedSessions());
    assertEquals(Map.of(EXPIRED, 2000L, STARTTLS, 1000L), t.failureDetails());
  }

  @Test
  void oneClaimWinsARaceOf8Nodes() throws Exception {
    node().add(SessionResult.success(NOW, POLICY));
    List<ReportStore> nodes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      nodes.add(node());
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Optional<ReportClaim>>> claims = new ArrayList<>();
      for (ReportStore n : nodes) {
        claims.add(pool.submit(() -> {
          go.await();
          return n.claim(day(), NOW, Duration.ofMinutes(10));
        }));
      }
      go.countDown();
      int won = 0;
      for (Future<Optional<ReportClaim>> f : claims) {
        won += f.get(60, TimeUnit.SECONDS).isPresent() ? 1 : 0;
      }
      assertEquals(1, won);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void claimLifecycle_tokenChecked_retryAfterRelease_completedNeverAgain() throws IOException {
    ReportStore a = node();
    ReportStore b = node();
    assertEquals(Optional.empty(), a.claim(day(), NOW, Duration.ofMinutes(5)), "no counts");
    a.add(SessionResult.success(NOW, POLICY));
    ReportClaim first = a.claim(day(), NOW, Duration.ofMinutes(5)).orElseThrow();
    assertEquals(0, first.attempt());
    assertEquals(NOW, first.firstAttempt());
    assertEquals(NOW.plus(Duration.ofMinutes(5)), first.expiresAt());
    assertEquals(Optional.empty(), b.claim(day(), NOW.plusSeconds(299), Duration.ofMinutes(5)));

    // The holder died: its claim lapses, another node claims; the old token is powerless.
    ReportClaim second = b.claim(day(), NOW.plusSeconds(300), Duration.ofMinutes(5)).orElseThrow();
    assertEquals(NOW, second.firstAttempt(), "the first attempt is remembered");
    a.complete(first);
    a.release(first, NOW.plusSeconds(3600));
    assertEquals(1, b.tallies(day()).size(), "a stale token neither completes nor releases");
    assertEquals(Optional.empty(), a.claim(day(), NOW.plusSeconds(301), Duration.ofMinutes(5)));

    b.release(second, NOW.plusSeconds(1800));
    assertEquals(Optional.empty(), a.claim(day(), NOW.plusSeconds(1799), Duration.ofMinutes(5)),
        "not before the given instant");
    ReportClaim third = a.claim(day(), NOW.plusSeconds(1800), Duration.ofMinutes(5)).orElseThrow();
    assertEquals(1, third.attempt());

    a.complete(third);
    assertEquals(List.of(), b.days());
    assertEquals(List.of(), b.tallies(day()));
    assertEquals(Optional.empty(), b.claim(day(), NOW.plusSeconds(7200), Duration.ofMinutes(5)));
    b.add(SessionResult.success(NOW, POLICY)); // a late result for a sent report
    assertEquals(List.of(), a.days(), "dropped");
    assertEquals(Optional.empty(), a.claim(day(), NOW.plusSeconds(7200), Duration.ofMinutes(5)));
  }

  @Test
  void daysAreOldestFirst_talliesPerPolicy_pruneForgetsOldDays() throws IOException {
    ReportStore s = node();
    ReportPolicy none = ReportPolicy.noPolicyFound("other.example");
    s.add(SessionResult.success(NOW, POLICY));
    s.add(SessionResult.success(NOW.minus(Duration.ofDays(2)), POLICY));
    s.add(SessionResult.failure(NOW.minus(Duration.ofDays(1)), none,
        FailureDetail.of(ResultType.STS_POLICY_FETCH_ERROR, "timeout")));
    ReportPolicy changed = ReportPolicy.sts("example.com", List.of("version: STSv1",
        "mode: testing", "mx: mx.example.com", "max_age: 86400"), List.of("mx.example.com"));
    s.add(SessionResult.success(NOW, changed));
    assertEquals(List.of(new ReportDay("example.com", DAY.minusDays(2)),
        new ReportDay("other.example", DAY.minusDays(1)), day()), s.days());
    assertEquals(2, s.tallies(day()).size());

    ReportClaim c = s.claim(new ReportDay("example.com", DAY.minusDays(2)), NOW,
        Duration.ofMinutes(5)).orElseThrow();
    s.complete(c);
    assertEquals(2, s.prune(DAY), "two days before DAY: one sent, one not");
    assertEquals(List.of(day()), s.days());
    // The memory of the sent day is gone with it: a (very) late result counts again.
    s.add(SessionResult.success(NOW.minus(Duration.ofDays(2)), POLICY));
    assertEquals(2, s.days().size());
  }

  @Test
  void boundsKeepSessionCountsExact_oneWarnPerDayAcrossNodes() throws IOException {
    RedisStores small = redis.stores(b -> b.clock(Clock.fixed(NOW, ZoneOffset.UTC)));
    RedisReportStore a = new RedisReportStore(small.link(), "mta-sts:", Duration.ofDays(7),
        2, 2);
    RedisReportStore b = new RedisReportStore(small.link(), "mta-sts:", Duration.ofDays(7),
        2, 2);
    try (CapturedLog log = CapturedLog.start()) {
      for (int i = 0; i < 5; i++) {
        (i % 2 == 0 ? a : b).add(SessionResult.failure(NOW, POLICY,
            FailureDetail.of(ResultType.VALIDATION_FAILURE, "reason " + i)));
      }
      for (int i = 0; i < 3; i++) {
        a.add(SessionResult.success(NOW, ReportPolicy.noPolicyFound("example.com")));
        a.add(SessionResult.success(NOW, ReportPolicy.sts("example.com", List.of("v" + i),
            List.of())));
      }
      assertEquals(1, log.lines("WARN").size(), log.text());
    }
    List<PolicyTally> tallies = a.tallies(day());
    assertEquals(2, tallies.size(), "two policies kept");
    PolicyTally t = tallies.stream().filter(x -> x.policy().equals(POLICY)).findFirst()
        .orElseThrow();
    assertEquals(5, t.failedSessions(), "session counts exact");
    assertEquals(2, t.failureDetails().size(), "two details kept");
  }

  @Test
  void damagedFieldsAreSkippedWithAWarn_theRestIsReported() throws IOException {
    ReportStore s = node();
    s.add(SessionResult.failure(NOW, POLICY, EXPIRED));
    String counts = "mta-sts:report:{example.com|2026-11-28}:counts";
    redis.raw().hset(counts, "p:0123", "garbage");
    String detailKey = redis.raw().hkeys(counts).stream().filter(k -> k.startsWith("d:"))
        .findFirst().orElseThrow();
    redis.raw().hset(counts, detailKey, "D1-");
    redis.raw().set("mta-sts:report:{not a day}:counts", "x");
    try (CapturedLog log = CapturedLog.start()) {
      List<PolicyTally> tallies = s.tallies(day());
      assertEquals(1, tallies.size());
      assertEquals(1, tallies.get(0).failedSessions());
      assertEquals(Map.of(), tallies.get(0).failureDetails());
      assertEquals(List.of(day()), s.days());
      assertTrue(log.lines("WARN").size() >= 3, log.text());
    }
  }

  @Test
  void textFromTheNetworkSurvivesTheStore() throws IOException {
    ReportStore s = node();
    FailureDetail odd = new FailureDetail(ResultType.VALIDATION_FAILURE, null, null,
        "12:x-3:abc\n\u00e9\u2713-", null, "-", null);
    s.add(SessionResult.failure(NOW, POLICY, odd));
    assertEquals(Map.of(odd, 1L), s.tallies(day()).get(0).failureDetails());
    assertFalse(s.days().isEmpty());
  }

  @Test
  void serverDown_everyCallFailsWithAnIoException() throws Exception {
    RedisServer own = RedisServer.start();
    try (RedisStores stores = RedisStores.builder(own.uri())
        .commandTimeout(Duration.ofMillis(500)).build()) {
      ReportStore s = stores.reportStore();
      s.add(SessionResult.success(NOW, POLICY));
      own.kill();
      for (Callable<?> call : List.<Callable<?>>of(
          () -> { s.add(SessionResult.success(NOW, POLICY)); return null; },
          s::days, () -> s.tallies(day()), () -> s.claim(day(), NOW, Duration.ofMinutes(1)),
          () -> s.prune(DAY))) {
        try {
          call.call();
          throw new AssertionError("no failure");
        } catch (IOException expected) {
          // the contract: only IOException
        }
      }
    } finally {
      own.close();
    }
  }
}
