package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.PolicyLookup.Source;
import org.mtasts.PolicyLookup.Status;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.TestWorldExtension;

/**
 * Issue 13 item 3: the HTTPS policy fetcher is a public seam with its own builder, {@link
 * MtaSts.Builder} has no setting that can be silently ignored, and {@link MtaSts#newBuilder()}
 * makes variants that share the DNS client, the fetcher and its threads. Real DNS and HTTPS from
 * the testkit.
 */
class FetchSettingsTest {
  static final String D = "example.com";
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(
              w -> w.domain(D, d -> d.policy("enforce", "mx1.example.com").id("A1")
                      .mx(10, "mx1.example.com"))
                  .domain("other.example", d -> d.policy("testing", "mx.other.example")
                      .id("O1").mx(10, "mx.other.example")))
          .resetBeforeEach();

  final MutableClock clock = new MutableClock(T0);
  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  static DnsClient dns() {
    return DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
        .timeout(Duration.ofSeconds(2)).retries(0).build();
  }

  static HostResolver hosts() {
    return HostResolver.overriding(world.hostMap(), HostResolver.none());
  }

  MtaSts client(MtaSts.Builder b) {
    MtaSts sts = b.build();
    closing.add(sts);
    return sts;
  }

  /** Counts the tasks it runs on a real pool. */
  AtomicInteger counting(List<java.util.concurrent.Executor> out) {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    closing.add(pool::shutdownNow);
    AtomicInteger runs = new AtomicInteger();
    out.add(task -> {
      runs.incrementAndGet();
      pool.execute(task);
    });
    return runs;
  }

  @Test
  void item03_httpsFetcher_publicBuilder_fetchesOverRealHttps_STS_FETCH_03() {
    PolicyFetcher fetcher = PolicyFetcher.https()
        .hostResolver(hosts())
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .deadline(Duration.ofSeconds(10))
        .build();
    MtaSts sts = client(MtaSts.builder().dnsClient(dns()).policyFetcher(fetcher).clock(clock));
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.VALID, lookup.status(), lookup.toString());
    assertEquals(Source.FETCHED, lookup.source().orElseThrow());
  }

  @Test
  void item03_httpsFetcher_withoutTrustForTheTestCa_refusesTheHost_STS_FETCH_03() {
    PolicyFetcher fetcher = PolicyFetcher.https()
        .hostResolver(hosts())
        .allowPrivateAddresses(true)
        .build();
    MtaSts sts = client(MtaSts.builder().dnsClient(dns()).policyFetcher(fetcher).clock(clock));
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.FETCH_ERROR, lookup.status(), lookup.toString());
  }

  @Test
  void item03_httpsFetcher_addressGuardOnByDefault_D_33() {
    PolicyFetcher fetcher = PolicyFetcher.https()
        .hostResolver(hosts())
        .trustManager(world.trustManager())
        .build();
    MtaSts sts = client(MtaSts.builder().dnsClient(dns()).policyFetcher(fetcher).clock(clock));
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(FetchFailure.ADDRESS_REFUSED,
        lookup.failure().orElseThrow().fetchFailure().orElseThrow(), lookup.toString());
  }

  @Test
  void item03_httpsBuilder_validatesEagerly_andEachSettingOnce() {
    List<Consumer<PolicyFetcher.HttpsBuilder>> setters = List.of(
        b -> b.hostResolver(HostResolver.none()),
        b -> b.trustManager(world.trustManager()),
        b -> b.allowPrivateAddresses(false),
        b -> b.deadline(Duration.ofSeconds(5)),
        b -> b.executor(Runnable::run));
    for (Consumer<PolicyFetcher.HttpsBuilder> setter : setters) {
      PolicyFetcher.HttpsBuilder b = PolicyFetcher.https();
      setter.accept(b);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> setter.accept(b));
      assertTrue(e.getMessage().contains("already set"), e.getMessage());
    }
    PolicyFetcher.HttpsBuilder b = PolicyFetcher.https();
    assertThrows(NullPointerException.class, () -> b.hostResolver(null));
    assertThrows(NullPointerException.class, () -> b.trustManager(null));
    assertThrows(NullPointerException.class, () -> b.deadline(null));
    assertThrows(NullPointerException.class, () -> b.executor(null));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.deadline(Duration.ZERO));
    assertTrue(e.getMessage().contains("deadline") && e.getMessage().contains("PT0S"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.deadline(Duration.ofMinutes(11)));
    b.hostResolver(HostResolver.none()); // a rejected null did not count as set
  }

  @Test
  void item03_policyFetcherWithAFetchSetting_failsAtBuild_namingTheSetting() {
    List<Consumer<MtaSts.Builder>> fetchSettings = List.of(
        b -> b.hostResolver(HostResolver.none()),
        b -> b.trustManager(world.trustManager()),
        b -> b.allowPrivateAddresses(true),
        b -> b.fetchDeadline(Duration.ofSeconds(5)),
        b -> b.executor(Runnable::run));
    List<String> names = List.of("hostResolver", "trustManager", "allowPrivateAddresses",
        "fetchDeadline", "executor");
    for (int i = 0; i < fetchSettings.size(); i++) {
      MtaSts.Builder b = MtaSts.builder().dnsClient(FakeDns.servfail())
          .policyFetcher(d -> new CompletableFuture<>());
      fetchSettings.get(i).accept(b);
      IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
      assertTrue(e.getMessage().contains(names.get(i))
          && e.getMessage().contains("PolicyFetcher.https()"), e.getMessage());
    }
  }

  @Test
  void item03_newBuilder_sharesFetcherAndItsThreads_andKeepsTheOtherSettings() {
    List<java.util.concurrent.Executor> executor = new ArrayList<>();
    AtomicInteger runs = counting(executor);
    RecordingListener events = new RecordingListener();
    MtaSts first = client(MtaSts.builder()
        .dnsClient(dns())
        .hostResolver(hosts())
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .executor(executor.get(0))
        .listener(events)
        .clock(clock));
    assertEquals(Status.VALID, first.resolve(D).status());
    int afterFirst = runs.get();
    assertTrue(afterFirst > 0, "the fetch ran on the given executor");

    // Nothing changed: the same fetcher, the same threads, the same listener and clock.
    MtaSts same = client(first.newBuilder().maximumCachedPolicies(10));
    assertSame(clock, same.clock());
    PolicyLookup other = same.resolve("other.example");
    assertEquals(Status.VALID, other.status(), other.toString());
    assertTrue(runs.get() > afterFirst, "the variant fetched on the shared executor");
    assertTrue(events.events().contains("fetched other.example O1"), events.events().toString());

    // A changed fetch setting makes a new HTTPS fetcher with the others kept (trust, resolver,
    // address guard, executor).
    int beforeThird = runs.get();
    MtaSts changed = client(first.newBuilder().fetchDeadline(Duration.ofSeconds(20)));
    assertEquals(Status.VALID, changed.resolve(D).status());
    assertTrue(runs.get() > beforeThird, "the new fetcher runs on the shared executor");
    assertEquals(List.of(D), changed.cache().policies().stream().map(CachedPolicy::domain).toList(),
        "each client has its own cache");
  }

  @Test
  void item03_newBuilder_presetsMayBeSetOnceMore_thenOnlyOnce() {
    MtaSts first = client(MtaSts.builder().dnsClient(FakeDns.servfail())
        .policyFetcher(d -> new CompletableFuture<>()).maximumCachedPolicies(5).clock(clock));
    MtaSts.Builder b = first.newBuilder().maximumCachedPolicies(7);
    assertThrows(IllegalStateException.class, () -> b.maximumCachedPolicies(8));
    client(b);
    // The first client has its own fetcher: a fetch setting on its variant could not apply.
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> first.newBuilder().trustManager(world.trustManager()).build());
    assertTrue(e.getMessage().contains("trustManager"), e.getMessage());
    // Replacing the fetcher itself is fine.
    client(first.newBuilder().policyFetcher(d -> new CompletableFuture<>()));
  }

  @Test
  void item03_newBuilder_newClock_reachesTheVariant_andTheVariantStillFetches() {
    MtaSts first = client(MtaSts.builder()
        .hostResolver(hosts())
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .dnsClient(dns())
        .clock(clock));
    MutableClock later = new MutableClock(T0.plusSeconds(3600));
    MtaSts second = client(first.newBuilder().clock(later));
    assertSame(later, second.clock());
    PolicyLookup lookup = second.resolve(D);
    assertEquals(Status.VALID, lookup.status(), lookup.toString());
    assertEquals(T0.plusSeconds(3600), lookup.fetchedAt().orElseThrow());
  }

  @Test
  void item03_clockGivenOnce_isTheClientsClock_andTheSystemClockOtherwise() {
    assertSame(clock, client(MtaSts.builder().dnsClient(FakeDns.servfail())
        .policyFetcher(d -> new CompletableFuture<>()).clock(clock)).clock());
    assertEquals(java.time.Clock.systemUTC(), client(MtaSts.builder()
        .dnsClient(FakeDns.servfail()).policyFetcher(d -> new CompletableFuture<>())).clock());
  }
}
