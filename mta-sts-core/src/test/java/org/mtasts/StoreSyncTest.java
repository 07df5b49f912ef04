package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 *
 * <p>Rules implemented in {@link StoreSync}, tested through the facade (issue 13 item 1).
 */
class StoreSyncTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String ENFORCE =
      "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n";

  final MutableClock clock = new MutableClock(NOW);
  final RecordingListener events = new RecordingListener();

  MtaSts client(PolicyStore store) {
    return builder(store).build();
  }

  MtaSts.Builder builder(PolicyStore store) {
    return MtaSts.builder()
        .dnsClient(FakeDns.servfail())
        .policyFetcher(domain -> CompletableFuture.failedFuture(
            new PolicyFetchException(domain, FetchFailure.CONNECT_FAILED, "down", null)))
        .clock(clock)
        .policyStore(store)
        .listener(events);
  }

  static StoredPolicy stored(String domain, Instant fetchedAt) {
    return new StoredPolicy(domain, "A1", ENFORCE, fetchedAt);
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
          sts.cache().policies().stream().map(CachedPolicy::domain).toList());
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
      assertTrue(sts.cache().policies().isEmpty());
    }
  }

  @Test
  void futureFetchTime_clampedToNow_SEC_24() {
    FakePolicyStore store = new FakePolicyStore();
    store.put(new StoredPolicy("example.com", "A1", ENFORCE, NOW.plus(Duration.ofDays(365))));
    try (MtaSts sts = client(store)) {
      CachedPolicy p = sts.cache().policies().get(0);
      assertEquals(NOW, p.fetchedAt());
      assertEquals(NOW.plusSeconds(86400), p.expiresAt());
      assertEquals(Mode.ENFORCE, p.mode());
    }
  }

  @Test
  void failingStoreLoad_clientStillBuilt() {
    try (MtaSts sts = client(new FakePolicyStore().failing(true))) {
      assertTrue(sts.cache().policies().isEmpty());
      assertEquals(List.of("storeFailed load -"), events.events("storeFailed"));
      assertEquals(PolicyLookup.Status.DNS_ERROR, sts.resolve("example.com").status());
    }
  }

  // ---- issue 12 item 5: nothing stored is lost to a small cache --------------------------------

  @Test
  void item05_restartWithASmallCache_everyStoredPolicyHonoured_STS_CACHE_12() {
    FakePolicyStore store = new FakePolicyStore();
    for (int i = 0; i < 7; i++) {
      store.put(stored("d" + i + ".example", NOW.minus(Duration.ofHours(i))));
    }
    try (MtaSts sts = builder(store).maximumCachedPolicies(3).build()) {
      assertEquals(3, sts.cache().policies().size(), "start-up loads what the cache holds");
      assertEquals(0, store.loads.get(), "and reads nothing one by one");
      for (int i = 0; i < 7; i++) {
        PolicyLookup lookup = sts.resolve("d" + i + ".example");
        assertTrue(lookup.isEnforced(), lookup.toString()); // DNS and HTTPS are down
        assertEquals(PolicyLookup.Source.STALE_CACHE, lookup.source().orElseThrow());
        assertEquals(NOW.minus(Duration.ofHours(i)), lookup.fetchedAt().orElseThrow());
      }
      assertTrue(sts.cache().policies().size() <= 3 + 1, "the cache stays bounded");
    }
  }

  @Test
  void item05_restartWithASmallCache_directoryStore_everyStoredPolicyHonoured_STS_CACHE_12(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    PolicyStore files = PolicyStore.directory(dir);
    for (int i = 0; i < 5; i++) {
      files.save(stored("d" + i + ".example", NOW.minus(Duration.ofHours(1))));
    }
    try (MtaSts sts = builder(PolicyStore.directory(dir)).maximumCachedPolicies(1).build()) {
      for (int i = 4; i >= 0; i--) {
        assertTrue(sts.resolve("d" + i + ".example").isEnforced(), "d" + i);
      }
    }
  }

  @Test
  void item05_storeReadFails_lookupGoesOnAsWithoutPolicy_reported() {
    FakePolicyStore store = new FakePolicyStore();
    try (MtaSts sts = client(store)) {
      store.failing(true);
      assertEquals(PolicyLookup.Status.DNS_ERROR, sts.resolve("example.com").status());
      assertEquals(List.of("storeFailed load example.com"), events.events("storeFailed"));
    }
  }

  // ---- issue 12 item 6: expired entries are removed; start-up memory is bounded -----------------

  @Test
  void item06_startUp_removesExpiredEntries_keepsLiveOnes_STS_CACHE_02() {
    FakePolicyStore store = new FakePolicyStore();
    store.put(stored("old.example", NOW.minus(Duration.ofDays(1))));  // expired right now
    store.put(stored("older.example", NOW.minus(Duration.ofDays(40))));
    store.put(stored("live.example", NOW.minus(Duration.ofHours(1))));
    try (MtaSts sts = client(store)) {
      assertEquals(java.util.Set.of("live.example"), store.entries().keySet());
      assertEquals(List.of("live.example"),
          sts.cache().policies().stream().map(CachedPolicy::domain).toList());
    }
  }

  @Test
  void item06_daily_removesEntriesThatExpiredSince_andKeepsNewerOnes() throws Exception {
    FakePolicyStore store = new FakePolicyStore();
    store.put(stored("a.example", NOW.minus(Duration.ofHours(23))));
    store.put(new StoredPolicy("b.example", "B1", ENFORCE.replace("86400", "604800"),
        NOW.minus(Duration.ofHours(1))));
    java.util.concurrent.atomic.AtomicReference<Runnable> task =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.ScheduledThreadPoolExecutor scheduler =
        new java.util.concurrent.ScheduledThreadPoolExecutor(1) {
          @Override
          public java.util.concurrent.ScheduledFuture<?> scheduleWithFixedDelay(Runnable r,
              long initialDelay, long delay, java.util.concurrent.TimeUnit unit) {
            task.set(r); // run by hand below
            return super.schedule(() -> { }, 1, java.util.concurrent.TimeUnit.DAYS);
          }
        };
    try (MtaSts sts = builder(store).scheduler(scheduler).build()) {
      clock.advance(Duration.ofHours(2)); // a.example has expired
      task.get().run();
      assertEquals(2, store.entries().size(), "not yet: once a day");
      clock.advance(Duration.ofHours(22));
      task.get().run();
      assertEquals(java.util.Set.of("b.example"), store.entries().keySet());
      clock.advance(Duration.ofDays(6));
      assertEquals(1, sts.cache().pruneStore());
      assertTrue(store.entries().isEmpty());
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void item06_pruneRemovesOnlyTheEntryItSawExpired_notANewerSave() throws Exception {
    FakePolicyStore store = new FakePolicyStore();
    StoredPolicy old = stored("a.example", NOW.minus(Duration.ofDays(2)));
    store.put(old);
    StoredPolicy newer = stored("a.example", NOW);
    PolicyStore racing = new PolicyStore() {
      @Override
      public java.util.Optional<StoredPolicy> load(String domain) throws java.io.IOException {
        return store.load(domain);
      }

      @Override
      public void forEach(java.util.function.Consumer<? super StoredPolicy> action) {
        store.forEach(s -> {
          store.put(newer); // another process saves a fresh policy while the walk runs
          action.accept(s);
        });
      }

      @Override
      public void save(StoredPolicy policy) throws java.io.IOException {
        store.save(policy);
      }

      @Override
      public void delete(String domain) {
        throw new AssertionError("an unconditional delete would drop the newer save");
      }

      @Override
      public void deleteAll() throws java.io.IOException {
        store.deleteAll();
      }
    };
    try (MtaSts sts = client(racing)) {
      assertEquals(newer, store.entries().get("a.example"));
      assertEquals(0, sts.cache().pruneStore());
    }
  }

  @Test
  void item06_startUp_keepsNoMoreThanTheCacheHolds_SEC_15() {
    FakePolicyStore store = new FakePolicyStore();
    for (int i = 0; i < 1000; i++) {
      store.put(stored("d" + i + ".example", NOW.minus(Duration.ofMinutes(i))));
    }
    try (MtaSts sts = builder(store).maximumCachedPolicies(10).build()) {
      assertEquals(10, sts.cache().policies().size());
      assertEquals(1000, store.entries().size(), "the rest stay in the store");
      assertTrue(sts.resolve("d999.example").isEnforced());
    }
  }

  // ---- issue 12 item 8d: the clock behind at start-up (SEC-24) --------------------------------

  @Test
  void item08d_clockBehindAtStartUp_thenSetRight_entryKeepsItsRealExpiry_SEC_24() {
    // Stored an hour before the real now; the clock starts a year behind, then NTP sets it right.
    Instant realNow = NOW.plus(Duration.ofDays(365));
    FakePolicyStore store = new FakePolicyStore();
    store.put(stored("example.com", realNow.minus(Duration.ofHours(1))));
    try (MtaSts sts = client(store)) {
      assertTrue(sts.resolve("example.com").isEnforced(), "applied while the clock is behind");
      clock.advance(Duration.ofDays(365)); // the clock is right again
      PolicyLookup lookup = sts.resolve("example.com");
      assertTrue(lookup.isEnforced(), "not dropped: its real max_age has 23 h left " + lookup);
      assertEquals(realNow.plus(Duration.ofHours(23)), lookup.expiresAt().orElseThrow());
      clock.advance(Duration.ofHours(23));
      assertFalse(sts.resolve("example.com").isEnforced(), "expired at its real expiry");
    }
  }

  @Test
  void item08d_clockBehindAtStartUp_freshForAtMostMaxAge_evenWhenReadAgain_SEC_24() {
    FakePolicyStore store = new FakePolicyStore();
    StoredPolicy future = stored("example.com", NOW.plus(Duration.ofDays(365)));
    store.put(future);
    try (MtaSts sts = builder(store).maximumCachedPolicies(1).build()) {
      assertTrue(sts.resolve("example.com").isEnforced());
      clock.advance(Duration.ofHours(12));
      sts.resolve("other.example"); // fills the one-entry cache
      sts.cache().invalidate("other.example");
      assertTrue(sts.resolve("example.com").isEnforced(), "still within max_age from start-up");
      clock.advance(Duration.ofHours(12));
      // Its max_age, counted from when it was first read, is used up: reading it again from the
      // store must not start it anew (it would be fresh for ever while the clock is behind).
      PolicyLookup lookup = sts.resolve("example.com");
      assertFalse(lookup.isEnforced(), lookup.toString());
      assertEquals(future, store.entries().get("example.com"), "but not dropped from the store");
      assertEquals(0, sts.cache().pruneStore(), "nor removed as expired: its own time is not yet over");
    }
  }

  @Test
  void item08d_clockBehindAtStartUp_futureEntryNotRemovedAtStartUp_SEC_24() {
    FakePolicyStore store = new FakePolicyStore();
    store.put(stored("example.com", NOW.plus(Duration.ofDays(3))));
    try (MtaSts sts = client(store)) {
      assertEquals(1, store.entries().size());
      assertEquals(NOW.plusSeconds(86400), sts.cache().policies().get(0).expiresAt());
    }
  }
}
