package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.PolicyLookup.Source;
import org.mtasts.PolicyLookup.Status;
import org.mtasts.dns.DnsClient;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.Mode;
import org.mtasts.testkit.TestWorldExtension;

/**
 * What operators do to the cache, through {@link MtaSts#cache()} (issue 17 item 3): {@link
 * PolicyCache#refresh} fetches now and never weakens, {@link PolicyCache#warmUp} resolves a list
 * of domains ahead of sending with bounded parallelism. Against the testkit's loopback DNS and HTTPS, with a hand-moved clock.
 */
class CacheAdministrationTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
              .domain("a.example", d -> d.policy("enforce", "mx.a.example").id("A1")
                  .mx(10, "mx.a.example"))
              .domain("b.example", d -> d.policy("testing", "mx.b.example")
                  .mx(10, "mx.b.example"))
              .domain("c.example", d -> d.policy("enforce", "mx.c.example")
                  .mx(10, "mx.c.example"))
              .domain("plain.example", d -> d.mx(10, "mx.plain.example")))
          .resetBeforeEach();

  final MutableClock clock = new MutableClock(T0);
  final RecordingListener events = new RecordingListener();
  final ExecutorService pool = Executors.newFixedThreadPool(4);
  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger mostRunning = new AtomicInteger();
  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
    pool.shutdownNow();
  }

  MtaSts client() {
    return client(task -> pool.execute(() -> {
      mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        task.run();
      } finally {
        running.decrementAndGet();
      }
    }));
  }

  MtaSts client(java.util.concurrent.Executor fetchExecutor) {
    MtaSts sts = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
            .timeout(Duration.ofSeconds(2)).retries(0).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .executor(fetchExecutor)
        .clock(clock)
        .listener(events)
        .build();
    clients.add(sts);
    return sts;
  }

  @Test
  void refresh_fetchesAgainThoughTheIdIsUnchanged() {
    MtaSts sts = client();
    sts.resolve("a.example");
    world.domain("a.example").policy("enforce", "mx.a.example", "mx2.a.example"); // same id
    assertEquals(Source.CACHE, sts.resolve("a.example").source().orElseThrow());

    PolicyLookup refreshed = sts.cache().refresh("A.Example.");
    assertEquals(Source.FETCHED, refreshed.source().orElseThrow());
    assertEquals(2, refreshed.policy().orElseThrow().mxPatterns().size());
    assertEquals(2, world.policyRequests("a.example"));
    assertEquals(List.of("fetched a.example A1", "changed a.example A1->A1"), events.events());
    assertEquals(Source.CACHE, sts.resolve("a.example").source().orElseThrow());
  }

  @Test
  void refresh_whenThePolicyHostFails_keepsTheCachedPolicy_STS_CACHE_05() {
    MtaSts sts = client();
    sts.resolve("a.example");
    world.domain("a.example").policyDown();
    PolicyLookup refreshed = sts.cache().refresh("a.example");
    assertEquals(Status.VALID, refreshed.status());
    assertEquals(Source.STALE_CACHE, refreshed.source().orElseThrow());
    assertEquals(Mode.ENFORCE, refreshed.mode().orElseThrow());
    assertEquals(1, sts.cache().policies().size());
  }

  @Test
  void refresh_whenTheRecordIsGone_keepsTheCachedPolicy_STS_DISC_14() {
    MtaSts sts = client();
    sts.resolve("a.example");
    world.domain("a.example").txt();
    PolicyLookup refreshed = sts.cache().refresh("a.example");
    assertEquals(Source.STALE_CACHE, refreshed.source().orElseThrow());
    assertTrue(refreshed.isEnforced());
  }

  @Test
  void refresh_forgetsTheFetchBackoff_STS_FETCH_14() {
    MtaSts sts = client();
    world.domain("a.example").policyDown();
    assertEquals(Status.FETCH_ERROR, sts.resolve("a.example").status());
    world.domain("a.example").policyUp();
    clock.advance(Duration.ofMinutes(1));
    // a lookup still waits out the five-minute back-off for the failed id...
    assertEquals(Status.FETCH_ERROR, sts.resolve("a.example").status());
    assertEquals(1, world.policyRequests("a.example"));
    // ...an operator's refresh does not
    assertEquals(Source.FETCHED, sts.cache().refresh("a.example").source().orElseThrow());
    assertEquals(2, world.policyRequests("a.example"));
  }

  @Test
  void refresh_ofADomainWithoutPolicy_isALookup() {
    MtaSts sts = client();
    assertEquals(Status.NO_POLICY, sts.cache().refresh("plain.example").status());
    assertThrows(InvalidDomainException.class, () -> sts.cache().refresh("not a domain"));
  }

  @Test
  void warmUp_resolvesEachDomainOnce_inOrder_andTheFirstMessageFindsItCached() {
    MtaSts sts = client();
    Map<String, PolicyLookup> warmed =
        sts.cache().warmUp(List.of("c.example", "A.example", "plain.example", "a.example.",
            "b.example"), 2);
    assertEquals(List.of("c.example", "a.example", "plain.example", "b.example"),
        List.copyOf(warmed.keySet()));
    assertEquals(Status.NO_POLICY, warmed.get("plain.example").status());
    assertEquals(Mode.TESTING, warmed.get("b.example").mode().orElseThrow());
    assertEquals(1, world.policyRequests("a.example"));
    assertEquals(3, sts.cache().policies().size());
    assertEquals(Source.CACHE, sts.resolve("c.example").source().orElseThrow());
    assertTrue(mostRunning.get() <= 2, "at most 2 fetches at once: " + mostRunning);
  }

  @Test
  void warmUp_parallelismOne_fetchesOneAtATime() throws Exception {
    // The fetches run on the test thread, one queued task at a time: with parallelism 1 the next
    // fetch can only be queued once the previous lookup completed inside run(). (Counting tasks
    // in a pool raced: a lookup completes inside its task, so the next one may start before the
    // finished task's counter goes down.)
    java.util.concurrent.BlockingQueue<Runnable> queued =
        new java.util.concurrent.LinkedBlockingQueue<>();
    MtaSts sts = client(queued::add);
    java.util.concurrent.CompletableFuture<Map<String, PolicyLookup>> done =
        sts.cache().warmUpAsync(List.of("a.example", "b.example", "c.example"), 1).toCompletableFuture();
    int fetches = 0;
    while (!done.isDone()) {
      Runnable fetch = queued.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      if (fetch == null) {
        continue; // a DNS lookup is still on its way
      }
      assertTrue(queued.isEmpty(), "a second fetch queued while one was pending");
      fetch.run();
      fetches++;
    }
    assertEquals(3, fetches);
    assertEquals(3, done.get().size());
    assertEquals(3, sts.cache().policies().size());
    // a second warm-up answers from the cache
    Map<String, PolicyLookup> again = sts.cache().warmUp(List.of("a.example", "b.example"), 1);
    assertTrue(again.values().stream().allMatch(l -> l.source().orElseThrow() == Source.CACHE));
  }

  @Test
  void warmUp_checksEveryNameFirst_andItsParallelism() {
    MtaSts sts = client();
    assertThrows(InvalidDomainException.class,
        () -> sts.cache().warmUp(List.of("a.example", "bad name"), 4));
    assertEquals(0, world.policyRequests("a.example"), "nothing looked up");
    assertThrows(IllegalArgumentException.class, () -> sts.cache().warmUp(List.of("a.example"), 0));
    assertThrows(IllegalArgumentException.class, () -> sts.cache().warmUp(List.of("a.example"), 257));
    assertEquals(Map.of(), sts.cache().warmUp(List.of(), 4));
  }
}
