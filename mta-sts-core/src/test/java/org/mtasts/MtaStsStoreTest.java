package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.mtasts.policy.Mode;
import org.junit.jupiter.api.Test;

/**
 * Loading the persistent store (SEC-24, SEC-25, STS-CACHE-12), with an in-memory store and a
 * fetcher and DNS that never answer, so only the store can provide a policy.
 */
class MtaStsStoreTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String ENFORCE =
      "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n";

  final MutableClock clock = new MutableClock(NOW);
  final RecordingListener events = new RecordingListener();

  MtaSts client(PolicyStore store) {
    return MtaSts.builder()
        .dnsClient(FakeDns.servfail())
        .policyFetcher(domain -> CompletableFuture.failedFuture(
            new PolicyFetchException(domain, FetchFailure.CONNECT_FAILED, "down", null)))
        .clock(clock)
        .policyStore(store)
        .listener(events)
        .build();
  }

  @Test
  void storedPolicy_appliedWhenDnsAndHttpsFail_STS_CACHE_12() {
    FakePolicyStore store = new FakePolicyStore();
    store.put(new StoredPolicy("example.com", "A1", ENFORCE, NOW.minus(Duration.ofHours(1))));
    try (MtaSts sts = client(store)) {
      PolicyLookup lookup = sts.resolve("example.com");
      assertTrue(lookup.isEnforced(), lookup.toString());
      assertEquals(PolicyLookup.Source.STALE_CACHE, lookup.source().orElseThrow());
      assertEquals(NOW.plus(Duration.ofHours(23)), lookup.expiresAt().orElseThrow());
    }
  }

  @Test
  void corruptStoredPolicy_skippedWithEvent_SEC_25() {
    FakePolicyStore store = new FakePolicyStore();
    store.put(new StoredPolicy("bad.example", "A1", "version: STSv1\nmode: enf", NOW));
    store.put(new StoredPolicy("example.com", "A1", ENFORCE, NOW));
    try (MtaSts sts = client(store)) {
      assertEquals(List.of("example.com"),
          sts.cachedPolicies().stream().map(CachedPolicy::domain).toList());
      // A bad record id cannot even be built: StoredPolicy refuses it (PolicyStoreTest).
      assertEquals(List.of("storeFailed load bad.example"), events.events("storeFailed"));
      assertEquals(PolicyLookup.Status.DNS_ERROR, sts.resolve("bad.example").status());
    }
  }

  @Test
  void expiredStoredPolicy_notLoaded_STS_CACHE_02() {
    FakePolicyStore store = new FakePolicyStore();
    store.put(new StoredPolicy("example.com", "A1", ENFORCE, NOW.minus(Duration.ofDays(1))));
    try (MtaSts sts = client(store)) {
      assertTrue(sts.cachedPolicies().isEmpty());
    }
  }

  @Test
  void futureFetchTime_clampedToNow_SEC_24() {
    FakePolicyStore store = new FakePolicyStore();
    store.put(new StoredPolicy("example.com", "A1", ENFORCE, NOW.plus(Duration.ofDays(365))));
    try (MtaSts sts = client(store)) {
      CachedPolicy p = sts.cachedPolicies().get(0);
      assertEquals(NOW, p.fetchedAt());
      assertEquals(NOW.plusSeconds(86400), p.expiresAt());
      assertEquals(Mode.ENFORCE, p.mode());
    }
  }

  @Test
  void failingStoreLoad_clientStillBuilt() {
    try (MtaSts sts = client(new FakePolicyStore().failing(true))) {
      assertTrue(sts.cachedPolicies().isEmpty());
      assertEquals(List.of("storeFailed load -"), events.events("storeFailed"));
      assertEquals(PolicyLookup.Status.DNS_ERROR, sts.resolve("example.com").status());
    }
  }
}
