package org.mtasts.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.DeliveryDecision;
import org.mtasts.DeliveryPlan;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.MtaStsListener;
import org.mtasts.PolicyLookup;
import org.mtasts.PolicyLookup.Source;
import org.mtasts.PolicyStore;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.tls.TlsFacts;

/**
 * Nodes of a fleet sharing one Redis (issue 15), over the testkit's loopback DNS and HTTPS: a
 * policy fetched by one node is used by the others without HTTPS (read-through on a miss of their
 * memory, STS-CACHE-12), also when DNS and HTTPS are down and after every node restarted; a Redis
 * killed mid-run holds up no lookup and no check, and is reported as {@code storeFailed}.
 */
class RedisFleetTest {
  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("example.com", d -> d.policy("enforce", "mx1.example.com")
          .mx(10, "mx1.example.com"))
      .domain("other.example", d -> d.policy("enforce", "mx.other.example")
          .mx(10, "mx.other.example"))).resetBeforeEach();

  RedisTesting redis;
  final List<MtaSts> nodes = new ArrayList<>();

  /** What a listener heard of the store. */
  static final class StoreEvents extends MtaStsListener {
    final List<String> failures = new CopyOnWriteArrayList<>();

    @Override
    public void storeFailed(String operation, Optional<String> domain, Exception error) {
      failures.add(operation + " " + domain.orElse("-"));
    }
  }

  @BeforeEach
  void connect() {
    redis = new RedisTesting(RedisServer.shared());
    redis.flush();
  }

  @AfterEach
  void close() {
    nodes.forEach(MtaSts::close);
    redis.close();
  }

  MtaSts node(PolicyStore store, MtaStsListener listener) {
    MtaSts sts = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
            .timeout(Duration.ofSeconds(2)).retries(0).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .fetchDeadline(Duration.ofSeconds(10))
        .policyStore(store)
        .listener(listener)
        .build();
    nodes.add(sts);
    return sts;
  }

  PolicyStore shared() {
    return redis.stores(java.time.Clock.systemUTC()).policyStore();
  }

  /** DNS answers SERVFAIL for the policy record and the policy host answers 503. */
  static void outage(String domain) {
    world.dns().fault("_mta-sts." + domain, TestDnsServer.Fault.SERVFAIL);
    world.domain(domain).policyDown();
  }

  @Test
  void stsCache12_aPolicyFetchedByOneNode_isUsedByAnotherWithoutHttps() {
    MtaSts a = node(shared(), MtaStsListener.NONE);
    MtaSts b = node(shared(), MtaStsListener.NONE);
    assertEquals(Source.FETCHED, a.resolve("example.com").source().orElseThrow());
    PolicyLookup atB = b.resolve("example.com");
    assertTrue(atB.isEnforced(), atB.toString());
    assertEquals(Source.CACHE, atB.source().orElseThrow(), "read through, same id confirmed");
    assertEquals(1, world.policyRequests("example.com"), "one HTTPS request for the fleet");
  }

  @Test
  void stsCache12_anotherNodeEnforcesTheSharedPolicy_withDnsAndHttpsDown() {
    MtaSts a = node(shared(), MtaStsListener.NONE);
    MtaSts b = node(shared(), MtaStsListener.NONE);
    a.resolve("example.com");
    outage("example.com");
    PolicyLookup atB = b.resolve("example.com");
    assertTrue(atB.isEnforced(), atB.toString());
    assertEquals(Source.STALE_CACHE, atB.source().orElseThrow());
    assertEquals(1, world.policyRequests("example.com"));
  }

  @Test
  void eightNodesMeetANewIdAtOnce_oneHttpsRequestForTheFleet() throws Exception {
    List<MtaSts> fleet = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      fleet.add(node(shared(), MtaStsListener.NONE));
    }
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<PolicyLookup>> lookups = new ArrayList<>();
      for (MtaSts n : fleet) {
        lookups.add(pool.submit(() -> {
          go.await();
          return n.resolve("example.com");
        }));
      }
      go.countDown();
      for (java.util.concurrent.Future<PolicyLookup> f : lookups) {
        PolicyLookup lookup = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(lookup.isEnforced(), lookup.toString());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, world.policyRequests("example.com"), "the lease holder fetched, the others "
        + "used its result");
  }

  @Test
  void stsCache12_everyNodeRestartsDuringAnOutage_policyStillEnforced() {
    MtaSts a = node(shared(), MtaStsListener.NONE);
    a.resolve("example.com");
    a.close();
    outage("example.com");
    // New processes: new connections, empty memory, loaded from Redis at start-up.
    for (int i = 0; i < 2; i++) {
      PolicyLookup lookup = node(shared(), MtaStsListener.NONE).resolve("example.com");
      assertTrue(lookup.isEnforced(), lookup.toString());
      assertEquals(Source.STALE_CACHE, lookup.source().orElseThrow());
    }
  }

  @Test
  void redisKilledMidRun_lookupsAndChecksGoOnFromMemory_storeFailedReported() throws Exception {
    RedisServer own = RedisServer.start();
    try (RedisStores sa = RedisStores.builder(own.uri()).commandTimeout(Duration.ofMillis(500))
            .build();
        RedisStores sb = RedisStores.builder(own.uri()).commandTimeout(Duration.ofMillis(500))
            .build()) {
      StoreEvents eventsA = new StoreEvents();
      StoreEvents eventsB = new StoreEvents();
      MtaSts a = node(sa.policyStore(), eventsA);
      MtaSts b = node(sb.policyStore(), eventsB);
      a.resolve("example.com");
      assertEquals(Source.CACHE, b.resolve("example.com").source().orElseThrow());

      own.kill();
      long t0 = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        DeliveryPlan plan = a.plan("example.com");
        assertTrue(plan.lookup().isEnforced());
        DeliveryDecision d = a.check(plan.lookup(), "mx1.example.com",
            TlsFacts.verified("TLSv1.3"));
        assertTrue(d.isAllowed(), d.toString());
        assertTrue(b.resolve("example.com").isEnforced());
      }
      // A miss of B's memory reads the store (fails at once), then fetches; the save fails too.
      PolicyLookup other = b.resolve("other.example");
      assertTrue(other.isEnforced(), other.toString());
      assertEquals(Source.FETCHED, other.source().orElseThrow());
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "no hang");
      assertTrue(eventsB.failures.contains("load other.example"), eventsB.failures.toString());
      assertTrue(eventsB.failures.contains("save other.example"), eventsB.failures.toString());
      assertFalse(eventsA.failures.contains("load example.com"), "cache hits never reach Redis");
    } finally {
      own.close();
    }
  }
}
