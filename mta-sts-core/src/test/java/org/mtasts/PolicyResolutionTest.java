package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.mtasts.PolicyLookup.Source;
import org.mtasts.PolicyLookup.Status;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TxtRecord;
import org.mtasts.policy.Mode;
import org.mtasts.report.ResultType;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.dns.TestDnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cache, fetch and refresh rules of RFC 8461 §3.3 and §5.1 through the {@link MtaSts} facade,
 * against the testkit's loopback DNS and HTTPS servers, with a hand-moved clock.
 *
 * <p>Rules implemented in {@link PolicyResolution} (and in {@link PolicyRefresh} where a rule
 * spans both), tested through the facade (issue 13 item 1).
 */
class PolicyResolutionTest {
  static final String D = "example.com";
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(
              w ->
                  w.domain(D, d -> d.policy("enforce", "mx1.example.com").id("A1")
                          .mx(10, "mx1.example.com"))
                      .domain("short.example", d -> d.policy("enforce", "mx.short.example")
                          .maxAge(3600).id("S1").mx(10, "mx.short.example"))
                      .domain("zero.example", d -> d.policy("enforce", "mx.zero.example")
                          .maxAge(0).id("Z1").mx(10, "mx.zero.example"))
                      .domain("plain.example", d -> d.mx(10, "mx.plain.example")))
          .resetBeforeEach();

  final MutableClock clock = new MutableClock(T0);
  final RecordingListener events = new RecordingListener();
  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  static DnsClient dns() {
    return DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
        .timeout(Duration.ofSeconds(2)).retries(0).build();
  }

  MtaSts.Builder builder(DnsClient dns) {
    return bareBuilder(dns).listener(events);
  }

  MtaSts.Builder bareBuilder(DnsClient dns) {
    return MtaSts.builder()
        .dnsClient(dns)
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .fetchDeadline(Duration.ofSeconds(10))
        .clock(clock);
  }

  MtaSts client(MtaSts.Builder builder) {
    MtaSts client = builder.build();
    clients.add(client);
    return client;
  }

  MtaSts client() {
    return client(builder(dns()));
  }

  @Test
  void firstContact_fetchesAndAppliesPolicy_STS_CACHE_11() {
    MtaSts sts = client();
    PolicyLookup lookup = sts.resolve("Example.COM.");
    assertEquals(Status.VALID, lookup.status(), lookup.toString());
    assertEquals(Source.FETCHED, lookup.source().orElseThrow());
    assertEquals("A1", lookup.recordId().orElseThrow());
    assertEquals(Mode.ENFORCE, lookup.mode().orElseThrow());
    assertTrue(lookup.isEnforced());
    assertEquals(T0, lookup.fetchedAt().orElseThrow());
    assertEquals(T0.plusSeconds(86400), lookup.expiresAt().orElseThrow());
    assertTrue(lookup.failure().isEmpty());
    assertEquals(List.of("fetched example.com A1"), events.events());
    assertEquals(1, sts.cache().policies().size());
  }

  @Test
  void sameId_usesCacheWithoutHttps_STS_CACHE_04() {
    MtaSts sts = client();
    sts.resolve(D);
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofMinutes(5));
      PolicyLookup lookup = sts.resolve(D);
      assertEquals(Source.CACHE, lookup.source().orElseThrow());
    }
    assertEquals(1, world.policyRequests(D));
    assertEquals(11, world.txtQueries(D)); // STS-CACHE-03/D-17: the id is checked every time
  }

  @Test
  void sameId_txtAnswerReusedWithinItsTtl_sameResult_D_17() {
    MtaSts sts = client(); // the DNS client caches nothing: the facade honours the TTL itself
    sts.resolve(D);
    PolicyLookup first = sts.resolve(D);
    assertEquals(Source.CACHE, first.source().orElseThrow());
    for (int i = 0; i < 9; i++) {
      clock.advance(Duration.ofSeconds(29)); // up to T0+4:21, inside the 5-minute TTL
      assertSame(first, sts.resolve(D), "a cache hit within the TTL allocates no new result");
      assertSame(first, sts.resolveAsync(D).toCompletableFuture().getNow(null));
    }
    assertEquals(1, world.txtQueries(D));
    clock.advance(Duration.ofSeconds(39)); // T0+5:00: the answer's TTL has run out
    assertEquals(Source.CACHE, sts.resolve(D).source().orElseThrow());
    assertEquals(2, world.txtQueries(D));
    assertEquals(1, world.policyRequests(D));
  }

  @Test
  void idChangedWithinTxtTtl_seenWhenTheTtlRunsOut_D_17() {
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).id("A2");
    world.domain(D).policy("enforce", "mx2.example.com");
    clock.advance(Duration.ofSeconds(299));
    assertEquals("A1", sts.resolve(D).recordId().orElseThrow(), "a resolver would still answer A1");
    clock.advance(Duration.ofSeconds(1));
    PolicyLookup changed = sts.resolve(D);
    assertEquals(Source.FETCHED, changed.source().orElseThrow());
    assertEquals("A2", changed.recordId().orElseThrow());
  }

  @Test
  void longTxtTtl_reusedForADayAtMost_D_17() {
    world.domain(D).policy("enforce", 604800, "mx1.example.com");
    world.dns().ttl("_mta-sts." + D, "TXT", Duration.ofDays(7));
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).id("A7");
    clock.advance(Duration.ofDays(1).minusSeconds(1));
    assertEquals("A1", sts.resolve(D).recordId().orElseThrow());
    assertEquals(1, world.txtQueries(D));
    clock.advance(Duration.ofSeconds(1)); // a day after the answer: asked again despite 7 days
    PolicyLookup changed = sts.resolve(D);
    assertEquals(Source.FETCHED, changed.source().orElseThrow());
    assertEquals("A7", changed.recordId().orElseThrow());
  }

  @Test
  void txtTtlZero_idCheckedOnEveryLookup_D_17() {
    world.dns().ttl("_mta-sts." + D, "TXT", Duration.ZERO);
    MtaSts sts = client();
    for (int i = 0; i < 5; i++) {
      sts.resolve(D);
    }
    assertEquals(5, world.txtQueries(D));
    world.domain(D).id("A3");
    clock.advance(Duration.ofMinutes(1)); // SEC-14: one new-id fetch a minute
    assertEquals(Source.FETCHED, sts.resolve(D).source().orElseThrow());
  }

  @Test
  void idChanged_fetchesOnce_STS_CACHE_03_STS_DISC_13() {
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).id("A0"); // an "older-looking" id is still a new policy
    world.domain(D).policy("enforce", "mx2.example.com");
    clock.advance(Duration.ofMinutes(6)); // past the TXT answer's 5-minute TTL (D-17)
    PolicyLookup changed = sts.resolve(D);
    assertEquals(Source.FETCHED, changed.source().orElseThrow());
    assertEquals("A0", changed.recordId().orElseThrow());
    assertTrue(changed.policy().orElseThrow().allowsMx("mx2.example.com"));
    PolicyLookup again = sts.resolve(D);
    assertEquals(Source.CACHE, again.source().orElseThrow());
    assertEquals(2, world.policyRequests(D));
    assertEquals(List.of("fetched example.com A1", "changed example.com A1->A0"), events.events());
  }

  @Test
  void httpsDown_cachedPolicyAppliedUntilExpiry_thenFetchError_STS_CACHE_05_STS_FETCH_16() {
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).policyDown();
    world.domain(D).id("B2");
    clock.advance(Duration.ofHours(1));
    PolicyLookup stale = sts.resolve(D);
    assertEquals(Status.VALID, stale.status());
    assertEquals(Source.STALE_CACHE, stale.source().orElseThrow());
    assertEquals("A1", stale.recordId().orElseThrow());
    assertTrue(stale.isEnforced());
    LookupFailure failure = stale.failure().orElseThrow();
    assertEquals(ResultType.STS_POLICY_FETCH_ERROR, failure.resultType().orElseThrow());
    assertEquals(FetchFailure.HTTP_STATUS, failure.fetchFailure().orElseThrow());
    assertTrue(events.events().contains("fetchFailed example.com HTTP_STATUS A1"), events.events().toString());

    clock.advance(Duration.ofHours(23).minusSeconds(1)); // T0 + 86399 s
    assertEquals(Source.STALE_CACHE, sts.resolve(D).source().orElseThrow());
    clock.advance(Duration.ofSeconds(1)); // T0 + max_age: expired (STS-CACHE-02)
    PolicyLookup expired = sts.resolve(D);
    assertEquals(Status.FETCH_ERROR, expired.status(), expired.toString());
    assertTrue(expired.policy().isEmpty());
    assertTrue(sts.cache().policies().isEmpty());
  }

  @Test
  void expiredPolicy_sameId_httpsDown_noPolicy_EDGE_86_STS_CACHE_02() {
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).policyDown();
    clock.advance(Duration.ofDays(1));
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.FETCH_ERROR, lookup.status());
    assertFalse(lookup.isEnforced());
    assertEquals(2, world.policyRequests(D));
  }

  @Test
  void expiry_exactlyAtMaxAge_STS_CACHE_01() {
    MtaSts sts = client();
    sts.resolve("short.example");
    clock.advance(Duration.ofSeconds(3599));
    PolicyLookup before = sts.resolve("short.example");
    assertEquals(Source.CACHE, before.source().orElseThrow());
    assertEquals(1, world.policyRequests("short.example"));
    clock.advance(Duration.ofSeconds(1));
    PolicyLookup at = sts.resolve("short.example");
    assertEquals(Source.FETCHED, at.source().orElseThrow());
    assertEquals(2, world.policyRequests("short.example"));
    assertEquals(T0.plusSeconds(3600), at.fetchedAt().orElseThrow());
  }

  @Test
  void enforceWithMaxAge60_cached60Seconds_noMinimumImposed_EDGE_88() {
    MtaSts sts = client();
    world.domain(D).policy("enforce", 60, "mx1.example.com");
    assertEquals(T0.plusSeconds(60), sts.resolve(D).expiresAt().orElseThrow());
    clock.advance(Duration.ofSeconds(59));
    assertEquals(Source.CACHE, sts.resolve(D).source().orElseThrow());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Source.FETCHED, sts.resolve(D).source().orElseThrow());
    assertEquals(2, world.policyRequests(D));
  }

  @Test
  void maxAgeZero_appliedToThisLookupOnly_D_09_EDGE_31() {
    MtaSts sts = client();
    PolicyLookup first = sts.resolve("zero.example");
    assertEquals(Status.VALID, first.status());
    assertEquals(Source.FETCHED, first.source().orElseThrow());
    assertEquals(first.fetchedAt(), first.expiresAt());
    assertTrue(sts.cache().policies().isEmpty());
    PolicyLookup second = sts.resolve("zero.example");
    assertEquals(Source.FETCHED, second.source().orElseThrow());
    assertEquals(2, world.policyRequests("zero.example"));
  }

  @Test
  void failedFetch_notRetriedForSameIdWithinFiveMinutes_newIdAtOnce_STS_FETCH_14_EDGE_84() {
    MtaSts sts = client();
    world.domain(D).policyDown();
    PolicyLookup first = sts.resolve(D);
    assertEquals(Status.FETCH_ERROR, first.status());
    assertEquals(1, world.policyRequests(D));

    clock.advance(Duration.ofMinutes(1));
    PolicyLookup held = sts.resolve(D);
    assertEquals(Status.FETCH_ERROR, held.status());
    assertTrue(held.failure().orElseThrow().message().contains("not retried before"),
        held.toString());
    assertEquals(1, world.policyRequests(D));

    world.domain(D).id("B2"); // a new id may be fetched at once
    assertEquals(Status.FETCH_ERROR, sts.resolve(D).status());
    assertEquals(2, world.policyRequests(D));

    clock.advance(Duration.ofMinutes(4).plusSeconds(59)); // T0+5:59, B2 failed at T0+1:00
    sts.resolve(D);
    assertEquals(2, world.policyRequests(D));
    world.domain(D).policyUp();
    clock.advance(Duration.ofSeconds(1)); // five minutes after B2's failure
    PolicyLookup ok = sts.resolve(D);
    assertEquals(Source.FETCHED, ok.source().orElseThrow());
    assertEquals(3, world.policyRequests(D));
  }

  @Test
  void rotatingIds_atMostOneFetchPerMinute_SEC_14_EDGE_87() {
    MtaSts sts = client();
    world.domain(D).policyDown();
    for (int i = 0; i < 18; i++) { // three minutes, a new id every 10 s
      world.domain(D).rotateId();
      sts.resolve(D);
      clock.advance(Duration.ofSeconds(10));
    }
    assertEquals(3, world.policyRequests(D));
  }

  @Test
  void dnsServfail_cachedPolicyApplied_STS_DISC_16() {
    MtaSts sts = client();
    sts.resolve(D);
    world.dns().fault("_mta-sts." + D, TestDnsServer.Fault.SERVFAIL);
    clock.advance(Duration.ofHours(1));
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.VALID, lookup.status());
    assertEquals(Source.STALE_CACHE, lookup.source().orElseThrow());
    assertTrue(lookup.isEnforced());
    assertInstanceOf(DnsException.class, lookup.failure().orElseThrow().cause().orElseThrow());
    assertEquals(1, world.policyRequests(D));
  }

  @Test
  void dnsServfail_cachedPolicyExpired_dnsError_STS_CACHE_02() {
    MtaSts sts = client();
    sts.resolve(D);
    world.dns().fault("_mta-sts." + D, TestDnsServer.Fault.SERVFAIL);
    clock.advance(Duration.ofDays(1));
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.DNS_ERROR, lookup.status());
    assertFalse(lookup.isEnforced());
  }

  @Test
  void onePlanOneSnapshot_laterChangesDoNotAlterALookup_STS_APPLY_09() {
    MtaSts sts = client();
    PolicyLookup snapshot = sts.resolve(D);
    world.domain(D).id("N2");
    world.domain(D).policy("none");
    clock.advance(Duration.ofMinutes(6)); // past the TXT TTL (D-17)
    assertEquals(Mode.NONE, sts.resolve(D).mode().orElseThrow());
    assertTrue(snapshot.isEnforced());
    assertEquals(DeliveryPlan.Status.NO_MATCHING_MX,
        MtaSts.plan(snapshot, List.of("mx9.example.com")).status());
  }

  @Test
  void dnsServfail_nothingCached_proceedsWithoutPolicyByDefault_D_01() {
    MtaSts sts = client();
    world.dns().fault("_mta-sts." + D, TestDnsServer.Fault.SERVFAIL);
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.DNS_ERROR, lookup.status());
    assertFalse(lookup.shouldDefer());
    assertFalse(lookup.isEnforced());
    assertEquals(ResultType.STS_POLICY_FETCH_ERROR,
        lookup.failure().orElseThrow().resultType().orElseThrow());
    assertEquals(0, world.policyRequests(D));
  }

  @Test
  void dnsServfail_nothingCached_defersWhenConfigured_D_01_STS_DISC_16() {
    MtaSts sts = client(builder(dns()).deferOnDnsFailure(true));
    world.dns().fault("_mta-sts." + D, TestDnsServer.Fault.SERVFAIL);
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.DNS_ERROR, lookup.status());
    assertTrue(lookup.shouldDefer());
  }

  @Test
  void recordRemovedWhileCached_cachedPolicyApplied_eventOnce_STS_DISC_14_EDGE_85() {
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).txt();
    clock.advance(Duration.ofHours(1));
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Source.STALE_CACHE, lookup.source().orElseThrow());
    assertTrue(lookup.isEnforced());
    sts.resolve(D);
    assertEquals(List.of("vanished example.com NO_RECORD A1"), events.events("vanished"));
    clock.advance(Duration.ofHours(12)); // EDGE-85: refresh still fetches and extends the lifetime
    sts.cache().refreshNow().join();
    assertEquals(T0.plus(Duration.ofHours(13)), sts.cache().policies().get(0).fetchedAt());
  }

  @Test
  void multipleRecordsWhileCached_cachedPolicyApplied_STS_DISC_14() {
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).txt("v=STSv1; id=X1", "v=STSv1; id=X2");
    clock.advance(Duration.ofHours(1));
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Source.STALE_CACHE, lookup.source().orElseThrow());
    assertEquals(List.of("vanished example.com MULTIPLE_RECORDS A1"), events.events("vanished"));
  }

  @Test
  void invalidRecord_nothingCached_invalid_STS_DISC_06() {
    MtaSts sts = client();
    world.domain(D).txt("v=STSv1; id=not valid!");
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.INVALID, lookup.status());
    assertEquals(0, world.policyRequests(D));
  }

  @Test
  void noRecord_noPolicy_rememberedWithinDnsTtl_STS_DISC_15() {
    MtaSts sts = client();
    PolicyLookup lookup = sts.resolve("plain.example");
    assertEquals(Status.NO_POLICY, lookup.status());
    assertTrue(lookup.failure().isEmpty());
    sts.resolve("plain.example");
    assertEquals(1, world.txtQueries("plain.example"));
    clock.advance(Duration.ofMinutes(5));
    sts.resolve("plain.example");
    assertEquals(2, world.txtQueries("plain.example"));
  }

  @Test
  void invalidPolicyBody_nothingCached_invalid_STS_FETCH_15() {
    MtaSts sts = client();
    world.domain(D).policyText("version: STSv1\nmode: sometimes\n");
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.INVALID, lookup.status());
    assertEquals(ResultType.STS_POLICY_INVALID,
        lookup.failure().orElseThrow().resultType().orElseThrow());
  }

  @Test
  void modeNone_cachedAndNotEnforced_STS_CACHE_09() {
    MtaSts sts = client();
    world.domain(D).policy("none");
    PolicyLookup lookup = sts.resolve(D);
    assertEquals(Status.VALID, lookup.status());
    assertEquals(Mode.NONE, lookup.mode().orElseThrow());
    assertFalse(lookup.isEnforced());
    assertEquals(Source.CACHE, sts.resolve(D).source().orElseThrow());
    world.domain(D).id("E2");
    world.domain(D).policy("enforce", "mx1.example.com");
    clock.advance(Duration.ofMinutes(6)); // past the TXT TTL (D-17)
    assertTrue(sts.resolve(D).isEnforced()); // the domain may re-enable
  }

  @Test
  void removalWorkflow_newIdWithModeNone_stopsEnforcingAtOnce_modeLowered_STS_CACHE_10() {
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).id("N2");
    world.domain(D).policy("none", 86400);
    clock.advance(Duration.ofMinutes(6)); // past the TXT TTL (D-17)
    PolicyLookup lookup = sts.resolve(D);
    assertFalse(lookup.isEnforced());
    assertEquals(Mode.NONE, lookup.mode().orElseThrow());
    assertEquals(List.of("lowered example.com enforce->none"), events.events("lowered"));
  }

  @Test
  void forgedNewId_fetchFails_cachedEnforceStays_SEC_07() {
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).id("FORGED");
    world.domain(D).policyDropsConnections();
    clock.advance(Duration.ofMinutes(6)); // past the TXT TTL (D-17)
    PolicyLookup lookup = sts.resolve(D);
    assertTrue(lookup.isEnforced());
    assertEquals("A1", lookup.recordId().orElseThrow());
    assertEquals(Source.STALE_CACHE, lookup.source().orElseThrow());
  }

  @Test
  void proactiveRefresh_happensOnce_extendsLifetime_STS_CACHE_06_STS_CACHE_07() {
    MtaSts sts = client();
    sts.resolve(D);
    clock.advance(Duration.ofHours(11));
    sts.cache().refreshNow().join();
    assertEquals(1, world.policyRequests(D)); // not due: max_age is 1 day, due at half of it
    clock.advance(Duration.ofHours(2)); // no lookups in between: refresh is independent of traffic
    sts.cache().refreshNow().join();
    sts.cache().refreshNow().join();
    assertEquals(2, world.policyRequests(D));
    CachedPolicy cached = sts.cache().policies().get(0);
    assertEquals(T0.plus(Duration.ofHours(13)), cached.fetchedAt());
    assertEquals(T0.plus(Duration.ofHours(13)).plusSeconds(86400), cached.expiresAt());
    assertEquals(List.of("refreshed example.com A1"), events.events("refreshed"));
  }

  @Test
  void proactiveRefresh_whileHttpsBlocked_keepsPolicyAndReports_SEC_02_STS_CACHE_08() {
    MtaSts sts = client(builder(dns()).refreshInterval(Duration.ofHours(6)));
    sts.resolve(D);
    world.domain(D).policyDown();
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofHours(6));
      sts.cache().refreshNow().join();
    }
    assertEquals(3, events.events("fetchFailed").size());
    assertEquals(Source.CACHE, sts.resolve(D).source().orElseThrow());
    world.domain(D).policyUp();
    clock.advance(Duration.ofHours(5)); // T0 + 23 h
    sts.cache().refreshNow().join();
    assertEquals(T0.plus(Duration.ofHours(23)), sts.cache().policies().get(0).fetchedAt());
    clock.advance(Duration.ofHours(2)); // past the original expiry: still enforced
    assertTrue(sts.resolve(D).isEnforced());
  }

  @Test
  void proactiveRefresh_skipsDomainsUnusedFor30Days() {
    MtaSts sts = client(builder(dns()));
    world.domain(D).policy("enforce", 40L * 86400, "mx1.example.com");
    sts.resolve(D);
    clock.advance(Duration.ofDays(31));
    sts.cache().refreshNow().join();
    assertEquals(1, world.policyRequests(D));
  }

  @Test
  void concurrentLookups_shareOneTxtQueryAndOneFetch_SEC_14() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    DnsClient real = dns();
    DnsClient gated = new DnsClient() {
      @Override
      public CompletionStage<DnsAnswer<TxtRecord>> txt(String name) {
        return real.txt(name).thenCombine(gate, (answer, x) -> answer);
      }

      @Override
      public CompletionStage<DnsAnswer<MxRecord>> mx(String name) {
        return real.mx(name);
      }

      @Override
      public CompletionStage<DnsAnswer<java.net.InetAddress>> addresses(String name) {
        return real.addresses(name);
      }
    };
    MtaSts sts = client(builder(gated));
    List<CompletableFuture<PolicyLookup>> lookups = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      lookups.add(sts.resolveAsync(i % 2 == 0 ? D : "EXAMPLE.com.").toCompletableFuture());
    }
    gate.complete(null);
    for (CompletableFuture<PolicyLookup> f : lookups) {
      assertTrue(f.get(30, TimeUnit.SECONDS).isEnforced());
    }
    assertEquals(1, world.txtQueries(D));
    assertEquals(1, world.policyRequests(D));
  }

  @Test
  void invalidate_removesPolicyAndForcesFetch_SEC_12() {
    FakePolicyStore store = new FakePolicyStore();
    MtaSts sts = client(builder(dns()).policyStore(store));
    sts.resolve(D);
    assertEquals(1, store.entries().size());
    sts.cache().invalidate("EXAMPLE.COM");
    assertTrue(sts.cache().policies().isEmpty());
    assertTrue(store.entries().isEmpty());
    assertEquals(List.of("invalidated example.com A1"), events.events("invalidated"));
    assertEquals(Source.FETCHED, sts.resolve(D).source().orElseThrow());
    assertEquals(2, world.policyRequests(D));
    sts.resolve("short.example");
    sts.cache().invalidateAll();
    assertTrue(sts.cache().policies().isEmpty());
    assertTrue(store.entries().isEmpty());
    assertEquals(3, events.events("invalidated").size());
  }

  @Test
  void restartWithStore_policyAppliedWithDnsAndHttpsDown_STS_CACHE_12() {
    FakePolicyStore store = new FakePolicyStore();
    client(builder(dns()).policyStore(store)).resolve(D);
    StoredPolicy saved = store.entries().get(D);
    assertEquals("A1", saved.recordId());
    assertEquals(T0, saved.fetchedAt());

    world.dns().fault("_mta-sts." + D, TestDnsServer.Fault.SERVFAIL);
    world.domain(D).policyDown();
    clock.advance(Duration.ofHours(2));
    MtaSts restarted = client(builder(dns()).policyStore(store));
    assertEquals(1, restarted.cache().policies().size());
    PolicyLookup lookup = restarted.resolve(D);
    assertTrue(lookup.isEnforced(), lookup.toString());
    assertEquals(Source.STALE_CACHE, lookup.source().orElseThrow());
    assertEquals(T0.plusSeconds(86400), lookup.expiresAt().orElseThrow());
  }

  @Test
  void restartWithDirectoryStore_policyAppliedWithDnsAndHttpsDown_STS_CACHE_12(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    client(builder(dns()).policyStore(PolicyStore.directory(dir))).resolve(D);

    world.dns().fault("_mta-sts." + D, TestDnsServer.Fault.SERVFAIL);
    world.domain(D).policyDown();
    clock.advance(Duration.ofHours(2));
    MtaSts restarted = client(builder(dns()).policyStore(PolicyStore.directory(dir)));
    PolicyLookup lookup = restarted.resolve(D);
    assertTrue(lookup.isEnforced(), lookup.toString());
    assertEquals(Source.STALE_CACHE, lookup.source().orElseThrow());
    assertEquals("A1", lookup.recordId().orElseThrow());
    assertEquals(T0.plusSeconds(86400), lookup.expiresAt().orElseThrow());
  }

  @Test
  void failingStore_neverFailsLookups_eventsReported() {
    FakePolicyStore store = new FakePolicyStore().failing(true);
    MtaSts sts = client(builder(dns()).policyStore(store));
    assertTrue(sts.resolve(D).isEnforced());
    sts.cache().invalidate(D);
    assertEquals(
        // load -: the walk at start-up; load example.com: the read after the cache miss
        List.of("storeFailed load -", "storeFailed load example.com",
            "storeFailed save example.com", "storeFailed delete example.com"),
        events.events("storeFailed"));
  }

  @Test
  void throwingListener_doesNotChangeLookups() {
    MtaStsListener bad = new MtaStsListener() {
      @Override
      public void policyFetched(CachedPolicy policy) {
        throw new IllegalStateException("listener bug");
      }
    };
    MtaSts sts = client(bareBuilder(dns()).listener(bad.plus(events)));
    assertTrue(sts.resolve(D).isEnforced());
    assertEquals(List.of("fetched example.com A1"), events.events("fetched"));
  }

  @Test
  void listener_seesExpiry() {
    MtaSts sts = client();
    sts.resolve("short.example");
    clock.advance(Duration.ofHours(2));
    sts.cache().policies();
    assertEquals(List.of("expired short.example S1"), events.events("expired"));
  }

  @Test
  void resolve_badDomain_failsBeforeIo() {
    MtaSts sts = client();
    org.junit.jupiter.api.Assertions.assertThrows(
        org.mtasts.policy.InvalidDomainException.class, () -> sts.resolveAsync("exa mple.com"));
    assertEquals(0, world.dns().queries().size());
  }

  @Test
  void item04_hostileRedirect_failureAndLogsArePrintable_SEC_20() {
    MtaSts sts = client();
    sts.resolve(D);
    world.domain(D).id("A2");
    world.domain(D).respond(org.mtasts.testkit.https.PolicyResponse.builder().status(301)
        .rawHeaderLine("Location: https://x.example/\r\u001b[2J\nX: \u001b[31m").build());
    clock.advance(Duration.ofMinutes(6));
    PolicyLookup lookup;
    String log;
    try (CapturedLog captured = CapturedLog.start()) {
      lookup = sts.resolve(D); // the cached policy stays; the failure is logged at WARN
      log = captured.text();
    }
    assertEquals(Source.STALE_CACHE, lookup.source().orElseThrow(), lookup.toString());
    String message = lookup.failure().orElseThrow().message();
    assertTrue(message.contains("redirecting to https://x.example/\\u000d\\u001b[2J"), message);
    assertTrue(message.chars().allMatch(c -> c >= 0x20 && c != 0x7f), message);
    assertTrue(log.contains("redirecting to https://x.example/\\u000d\\u001b[2J"), log);
    assertFalse(log.contains("\u001b") || log.contains("\r"), log);
  }
}
