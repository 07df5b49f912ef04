package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.TestWorldExtension;

/**
 * The two listener events metrics are built on (issue 17): {@code lookupCompleted} once per
 * resolve call, cache hits included, and {@code fetchEnded} with the fetch's time by the
 * client's clock.
 */
class LookupEventsTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
              .domain("example.com", d -> d.policy("enforce", "mx1.example.com")
                  .mx(10, "mx1.example.com"))
              .domain("down.example", d -> d.policy("enforce", "mx.down.example")
                  .mx(10, "mx.down.example")))
          .resetBeforeEach();

  final MutableClock clock = new MutableClock(T0);
  final ExecutorService pool = Executors.newSingleThreadExecutor();
  final List<String> events = new CopyOnWriteArrayList<>();
  MtaSts sts;

  @AfterEach
  void close() {
    sts.close();
    pool.shutdownNow();
  }

  MtaSts client() {
    return MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
            .timeout(Duration.ofSeconds(2)).retries(0).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        // the fetch takes 3 s by the client's clock
        .executor(task -> pool.execute(() -> {
          clock.advance(Duration.ofSeconds(3));
          task.run();
        }))
        .clock(clock)
        .listener(new MtaStsListener() {
          @Override
          public void lookupCompleted(PolicyLookup lookup) {
            events.add("lookup " + lookup.domain() + " " + lookup.status() + " "
                + lookup.source().map(Enum::name).orElse("-"));
          }

          @Override
          public void fetchEnded(String domain, Duration elapsed,
              Optional<LookupFailure> failure) {
            events.add("fetchEnded " + domain + " " + elapsed + " "
                + failure.flatMap(LookupFailure::fetchFailure).map(Enum::name).orElse("ok"));
          }
        })
        .build();
  }

  @Test
  void lookupCompleted_oncePerCall_cacheHitsIncluded_fetchEnded_timedByTheClock() {
    sts = client();
    world.domain("down.example").policyDown();
    PolicyLookup first = sts.resolve("example.com");
    PolicyLookup hit = sts.resolve("example.com");
    assertSame(hit, sts.resolveAsync("example.com").toCompletableFuture().join());
    sts.resolve("down.example");
    assertEquals(List.of(
        "fetchEnded example.com PT3S ok",
        "lookup example.com VALID FETCHED",
        "lookup example.com VALID CACHE",
        "lookup example.com VALID CACHE",
        "fetchEnded down.example PT3S HTTP_STATUS",
        "lookup down.example FETCH_ERROR -"), events);
    assertEquals(PolicyLookup.Source.FETCHED, first.source().orElseThrow());
  }

  @Test
  void plan_reportsItsLookup() {
    sts = client();
    sts.plan("example.com");
    assertEquals(List.of("fetchEnded example.com PT3S ok", "lookup example.com VALID FETCHED"),
        events);
  }

  @Test
  void aThrowingListener_changesNoLookup() {
    sts = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .listener(new MtaStsListener() {
          @Override
          public void lookupCompleted(PolicyLookup lookup) {
            throw new IllegalStateException("boom");
          }
        })
        .build();
    assertEquals(PolicyLookup.Status.VALID, sts.resolve("example.com").status());
    assertEquals(PolicyLookup.Status.VALID, sts.resolve("example.com").status());
  }
}
