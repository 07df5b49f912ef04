package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.PolicyLookup.Source;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.dns.TestDnsServer;

/**
 * Issue 12 item 5: a full in-memory cache evicts unexpired policies; with a store, the next
 * lookup reads the evicted policy back instead of behaving like first contact, so an attacker who
 * then blocks DNS or HTTPS cannot turn an {@code enforce} domain into opportunistic delivery
 * (STS-CACHE-12, STS-FETCH-16, STS-DISC-14). Over the testkit's loopback DNS and HTTPS.
 *
 * <p>Rules implemented in {@link StoreSync#readThrough} after an eviction from the cache of
 * {@link PolicyResolution}, tested through the facade (issue 13 item 1).
 */
class StoreSyncEvictionTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final int DOMAINS = 6;
  static final int CACHE = 2;

  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> {
        for (int i = 0; i < DOMAINS; i++) {
          String d = "d" + i + ".example";
          w.domain(d, s -> s.policy("enforce", "mx." + d).id("E" + d.charAt(1))
              .mx(10, "mx." + d));
        }
      }).resetBeforeEach();

  final MutableClock clock = new MutableClock(T0);
  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  MtaSts client(PolicyStore store) {
    MtaSts sts = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
            .timeout(Duration.ofSeconds(2)).retries(0).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .fetchDeadline(Duration.ofSeconds(10))
        .maximumCachedPolicies(CACHE)
        .policyStore(store)
        .clock(clock)
        .build();
    clients.add(sts);
    return sts;
  }

  /** Fetches every domain into a cache too small for them, then cuts DNS and HTTPS. */
  MtaSts evictThenBlock(PolicyStore store) {
    MtaSts sts = client(store);
    for (int i = 0; i < DOMAINS; i++) {
      assertEquals(Source.FETCHED, sts.resolve("d" + i + ".example").source().orElseThrow());
    }
    assertTrue(sts.cache().policies().size() <= CACHE, "some policies were evicted");
    for (int i = 0; i < DOMAINS; i++) {
      String d = "d" + i + ".example";
      if (i % 2 == 0) {
        world.dns().fault("_mta-sts." + d, TestDnsServer.Fault.SERVFAIL);
      } else {
        world.domain(d).txt(); // the record "vanished" (forged NXDOMAIN/NODATA)
      }
      world.domain(d).policyDown();
    }
    clock.advance(Duration.ofMinutes(10)); // past the TXT answers' TTL: DNS is asked again
    return sts;
  }

  @Test
  void item05_evictedEnforcePolicies_stillEnforcedWithDnsAndHttpsBlocked_STS_CACHE_12() {
    FakePolicyStore store = new FakePolicyStore();
    MtaSts sts = evictThenBlock(store);
    for (int i = 0; i < DOMAINS; i++) {
      PolicyLookup lookup = sts.resolve("d" + i + ".example");
      assertTrue(lookup.isEnforced(), lookup.toString());
      assertEquals(Source.STALE_CACHE, lookup.source().orElseThrow(), lookup.toString());
      assertEquals(T0.plusSeconds(86400), lookup.expiresAt().orElseThrow());
    }
    assertTrue(store.loads.get() >= DOMAINS - CACHE, "evicted policies were read back");
  }

  @Test
  void item05_evictedEnforcePolicies_directoryStore_stillEnforced_STS_CACHE_12(@TempDir Path dir) {
    MtaSts sts = evictThenBlock(PolicyStore.directory(dir));
    for (int i = DOMAINS - 1; i >= 0; i--) {
      assertTrue(sts.resolve("d" + i + ".example").isEnforced(), "d" + i);
    }
  }

  @Test
  void item05_evictedPolicy_sameIdConfirmed_answeredFromTheStoreWithoutHttps_STS_CACHE_04() {
    MtaSts sts = client(new FakePolicyStore());
    for (int i = 0; i < DOMAINS; i++) {
      sts.resolve("d" + i + ".example");
    }
    clock.advance(Duration.ofMinutes(10));
    for (int i = 0; i < DOMAINS; i++) {
      PolicyLookup lookup = sts.resolve("d" + i + ".example");
      assertEquals(Source.CACHE, lookup.source().orElseThrow(), lookup.toString());
      assertEquals(1, world.policyRequests("d" + i + ".example"), "no second fetch");
    }
  }
}
