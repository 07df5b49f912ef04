package org.mtasts.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mtasts.FetchFailure;
import org.mtasts.HostResolver;
import org.mtasts.PolicyFetchException;

/**
 * The fetch's stage always completes, and within its one deadline (STS-FETCH-12, D-06, SEC-09),
 * whatever the resolver or the executor do. No network: the resolver never answers.
 */
class OkHttpPolicyFetcherRobustnessTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private ExecutorService executor;

  @AfterEach
  void releaseBlockedThreads() {
    release.countDown();
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  /** A resolver that blocks until the test ends, like DNS through a server that never answers. */
  private HostResolver hangingResolver() {
    return (host, port) -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new java.net.UnknownHostException(host + ": released");
    };
  }

  private static PolicyFetchException failure(OkHttpPolicyFetcher fetcher, long waitSeconds)
      throws Exception {
    try {
      Object unexpected = fetcher.fetch("example.com").toCompletableFuture()
          .get(waitSeconds, TimeUnit.SECONDS);
      throw new AssertionError("fetch should have failed but gave " + unexpected);
    } catch (ExecutionException e) {
      return assertInstanceOf(PolicyFetchException.class, e.getCause());
    }
  }

  @Test
  void stsFetch12_slowPolicyHostResolutionIsCutByTheOneDeadline() throws Exception {
    OkHttpPolicyFetcher fetcher =
        OkHttpPolicyFetcher.builder()
            .hostResolver(hangingResolver())
            .deadline(Duration.ofMillis(500))
            .build();
    long start = System.nanoTime();
    PolicyFetchException e = failure(fetcher, 5);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(FetchFailure.TIMEOUT, e.failure(), e.getMessage());
    assertTrue(elapsedMillis < 3_000, "deadline of 500 ms kept: " + elapsedMillis + " ms");
  }

  @Test
  void stsFetch12_timeWaitingForAFetchThreadCountsTowardsTheDeadline() throws Exception {
    executor = Executors.newSingleThreadExecutor();
    OkHttpPolicyFetcher.Builder builder =
        OkHttpPolicyFetcher.builder()
            .hostResolver(hangingResolver())
            .executor(executor)
            .deadline(Duration.ofMillis(500));
    // The only thread is busy with a first fetch; the second waits in the queue.
    builder.build().fetch("busy.example");
    long start = System.nanoTime();
    PolicyFetchException e = failure(builder.build(), 5);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(FetchFailure.TIMEOUT, e.failure(), e.getMessage());
    assertTrue(elapsedMillis < 3_000, "deadline of 500 ms kept: " + elapsedMillis + " ms");
  }

  @Test
  void anErrorThrownDuringTheFetchStillCompletesTheStage() throws Exception {
    OkHttpPolicyFetcher fetcher =
        OkHttpPolicyFetcher.builder()
            .hostResolver(
                (host, port) -> {
                  throw new NoClassDefFoundError("kotlin/jvm/internal/Intrinsics");
                })
            .deadline(Duration.ofSeconds(20))
            .build();
    PolicyFetchException e = failure(fetcher, 5);
    assertEquals(FetchFailure.IO_ERROR, e.failure());
    assertInstanceOf(NoClassDefFoundError.class, e.getCause());
  }

  @Test
  void userAgentThatCannotBeAHeaderIsRefusedByTheBuilder() {
    // Eager builder validation (conventions §4): otherwise every fetch would fail later.
    for (String bad : new String[] {"x\r\nX-Injected: 1", "tab\tok? no: \u0000", "caf\u00e9"}) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> OkHttpPolicyFetcher.builder().userAgent(bad),
              bad);
      assertTrue(e.getMessage().contains("userAgent"), e.getMessage());
    }
  }

  @Test
  void stsFetch12_aTimedOutStageDoesNotRunCallersCodeOnTheJdkTimerThread() throws Exception {
    // The JDK's one CompletableFutureDelayScheduler thread serves every orTimeout in the JVM;
    // a caller's slow continuation must not run on it.
    OkHttpPolicyFetcher fetcher =
        OkHttpPolicyFetcher.builder()
            .hostResolver(hangingResolver())
            .deadline(Duration.ofMillis(300))
            .build();
    java.util.concurrent.CompletableFuture<String> thread =
        fetcher.fetch("example.com").toCompletableFuture()
            .handle((policy, error) -> Thread.currentThread().getName());
    String name = thread.get(5, TimeUnit.SECONDS);
    assertTrue(!name.contains("CompletableFutureDelayScheduler"), name);
  }

  @Test
  void item08a_timedOutFetchesCompleteOnTheFetchersOwnBoundedThread_SEC_09() throws Exception {
    // CompletableFuture.runAsync without an executor uses the common pool, which on a machine
    // with one or two processors (parallelism 1) starts a new thread for every task: one thread
    // per timed-out fetch.
    executor = Executors.newFixedThreadPool(8);
    OkHttpPolicyFetcher fetcher =
        OkHttpPolicyFetcher.builder()
            .hostResolver(hangingResolver())
            .executor(executor)
            .deadline(Duration.ofMillis(200))
            .build();
    java.util.List<java.util.concurrent.CompletableFuture<String>> threads =
        new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      threads.add(fetcher.fetch("d" + i + ".example").toCompletableFuture()
          .handle((policy, error) -> {
            assertInstanceOf(PolicyFetchException.class, error);
            return Thread.currentThread().getName();
          }));
    }
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (java.util.concurrent.CompletableFuture<String> t : threads) {
      names.add(t.get(10, TimeUnit.SECONDS));
    }
    assertEquals(java.util.Set.of("mta-sts-fetch-timeout-1"), names,
        "all eight timeouts completed on the fetcher's one timeout thread");
  }
}
