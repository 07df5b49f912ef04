package org.mtasts.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.policy.Policy;

/**
 * What the Redis policy store adds to the {@link PolicyStore} contract, on a real redis-server:
 * key expiry with the policy (STS-CACHE-02, never earlier), damaged and foreign keys skipped with a
 * WARN, the key prefix, and a server that is down (fail fast, come back).
 */
class RedisPolicyStoreTest {
  static final Instant NOW = Instant.parse("2026-11-28T16:00:00Z");
  static final Instant FETCHED = NOW.minusSeconds(3600);
  static final String TEXT = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n";

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

  RedisPolicyStore store() {
    return redis.stores(Clock.fixed(NOW, ZoneOffset.UTC)).policyStore();
  }

  @Test
  void stsCache02_keyExpiresAtFetchedAtPlusMaxAge_neverEarlier() throws IOException {
    store().save(new StoredPolicy("example.com", "1", TEXT, FETCHED));
    long expected = Duration.between(NOW, FETCHED.plusSeconds(604_800)).toMillis();
    long pttl = redis.raw().pttl("mta-sts:policy:example.com");
    assertTrue(pttl <= expected && pttl > expected - 30_000,
        "TTL " + pttl + " ms, policy expires in " + expected + " ms");
  }

  @Test
  void stsCache02_futureFetchTime_keyOutlivesThePolicy() throws IOException {
    // SEC-24: a fetch time after now is kept; the key lives at least max_age from it.
    Instant future = NOW.plusSeconds(3600);
    store().save(new StoredPolicy("example.com", "1", TEXT, future));
    long pttl = redis.raw().pttl("mta-sts:policy:example.com");
    assertTrue(pttl > Duration.ofSeconds(604_800).toMillis(), "TTL " + pttl);
  }

  @Test
  void stsCache02_unparseableText_keptAsLongAsAnyPolicyCouldLive() throws IOException {
    store().save(new StoredPolicy("example.com", "1", "not a policy", FETCHED));
    long expected = Duration.between(NOW, FETCHED.plus(Policy.MAX_AGE_LIMIT)).toMillis();
    long pttl = redis.raw().pttl("mta-sts:policy:example.com");
    assertTrue(pttl <= expected && pttl > expected - 30_000, "TTL " + pttl);
    assertEquals("not a policy", store().load("example.com").orElseThrow().policyText());
  }

  @Test
  void stsCache02_anEntryExpiredWhenSaved_replacesTheDomainsEntryByNothing() throws IOException {
    RedisPolicyStore store = store();
    store.save(new StoredPolicy("example.com", "1", TEXT, FETCHED));
    String expired = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 60\n";
    store.save(new StoredPolicy("example.com", "2", expired, FETCHED));
    assertEquals(Optional.empty(), store.load("example.com"));
    assertEquals(0, redis.raw().exists("mta-sts:policy:example.com"));
  }

  @Test
  void stsCache02_expiredKeysAreGone() throws Exception {
    // The server's own expiry, in real time: a policy of max_age 1 s fetched now.
    Instant now = Instant.now();
    RedisPolicyStore store = redis.stores(Clock.systemUTC()).policyStore();
    store.save(new StoredPolicy("short.example", "1",
        "version: STSv1\nmode: enforce\nmx: mx.short.example\nmax_age: 1\n", now));
    store.save(new StoredPolicy("long.example", "1", TEXT, now));
    Await.until(Duration.ofSeconds(10), "the key of the expired policy is gone",
        () -> redis.raw().exists("mta-sts:policy:short.example") == 0);
    assertEquals(List.of("long.example"),
        store.loadAll().stream().map(StoredPolicy::domain).toList());
  }

  @Test
  void stsCache12_damagedOrForeignValues_skippedWithAWarn() throws IOException {
    RedisPolicyStore store = store();
    store.save(new StoredPolicy("good.example", "1", TEXT, FETCHED));
    redis.raw().set("mta-sts:policy:garbage.example", "\u0000\u0001 not ours");
    redis.raw().hset("mta-sts:policy:hash.example", Map.of("a", "b"));
    redis.raw().set("mta-sts:policy:other.example",
        PolicyValue.encode(new StoredPolicy("good.example", "1", TEXT, FETCHED)));
    redis.raw().set("mta-sts:policy:Upper.Example",
        PolicyValue.encode(new StoredPolicy("upper.example", "1", TEXT, FETCHED)));
    redis.raw().set("mta-sts:policy:bad-time.example",
        "mta-sts-java policy v1\ndomain: bad-time.example\nid: 1\nfetched: yesterday\n\n" + TEXT);
    try (CapturedLog log = CapturedLog.start()) {
      assertEquals(Optional.empty(), store.load("garbage.example"));
      assertEquals(Optional.empty(), store.load("hash.example"));
      assertEquals(Optional.empty(), store.load("other.example"));
      assertEquals(Optional.empty(), store.load("bad-time.example"));
      assertEquals(List.of("good.example"),
          store.loadAll().stream().map(StoredPolicy::domain).toList());
      String text = log.text();
      for (String key : List.of("garbage.example", "hash.example", "other.example",
          "Upper.Example", "bad-time.example")) {
        assertTrue(log.lines("WARN").stream().anyMatch(l -> l.contains("mta-sts:policy:" + key)),
            key + " skipped with a WARN:\n" + text);
      }
      assertFalse(text.contains("\u0000"), "nothing unprintable logged");
    }
  }

  @Test
  void deleteAllLeavesOtherKeysAlone_prefixesSeparateDeployments() throws IOException {
    RedisPolicyStore a = store();
    RedisPolicyStore b = redis.stores(s -> s.clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .keyPrefix("staging:")).policyStore();
    a.save(new StoredPolicy("example.com", "1", TEXT, FETCHED));
    b.save(new StoredPolicy("example.com", "2", TEXT, FETCHED));
    redis.raw().set("unrelated", "x");
    a.deleteAll();
    assertEquals(Optional.empty(), a.load("example.com"));
    assertEquals("2", b.load("example.com").orElseThrow().recordId());
    assertEquals("x", redis.raw().get("unrelated"));
  }

  @Test
  void keyPrefixIsValidated() {
    RedisStores.Builder b = RedisStores.builder("redis://127.0.0.1:1/0");
    for (String bad : List.of("", "a b", "x{y}:", "*", "a\nb", "x".repeat(65))) {
      assertThrows(IllegalArgumentException.class, () -> b.keyPrefix(bad), bad);
    }
    assertThrows(NullPointerException.class, () -> b.keyPrefix(null));
    assertThrows(IllegalArgumentException.class, () -> b.commandTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> b.connectTimeout(Duration.ofSeconds(-1)));
    assertThrows(NullPointerException.class, () -> RedisStores.builder(null));
  }

  @Test
  void notARedisUri_refusedWithoutQuotingThePassword() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RedisStores.builder("http://user:s3cret@host/"));
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void toStringHidesThePassword() {
    try (RedisStores s = RedisStores.builder("redis://:s3cret@127.0.0.1:1/0")
        .connectTimeout(Duration.ofMillis(200)).build()) {
      assertFalse(s.toString().contains("s3cret"), s.toString());
      assertFalse(s.policyStore().toString().contains("s3cret"));
    }
  }

  @Test
  void serverDownAtStart_buildReturns_callsFailFast_connectsWhenItIsUp() throws Exception {
    RedisServer own = RedisServer.start();
    try {
      own.kill();
      long t0 = System.nanoTime();
      RedisStores stores;
      try (CapturedLog log = CapturedLog.start()) {
        stores = RedisStores.builder(own.uri()).connectTimeout(Duration.ofMillis(500))
            .commandTimeout(Duration.ofMillis(500)).build();
        assertTrue(log.lines("WARN").stream().anyMatch(l -> l.contains("cannot connect")),
            log.text());
      }
      try (stores) {
        RedisPolicyStore store = stores.policyStore();
        assertThrows(IOException.class, () -> store.load("example.com"));
        assertThrows(IOException.class,
            () -> store.save(new StoredPolicy("example.com", "1", TEXT, Instant.now())));
        assertEquals(List.of(), store.loadAll(), "forEach visits nothing, does not throw");
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "no hang");

        own.restart();
        Await.until(Duration.ofSeconds(20), "the store connects once Redis is up", () -> {
          try {
            store.save(new StoredPolicy("example.com", "1", TEXT, Instant.now()));
            return true;
          } catch (IOException e) {
            return false;
          }
        });
        assertTrue(store.load("example.com").isPresent());
      }
    } finally {
      own.close();
    }
  }

  @Test
  void serverKilled_callsFailWithinTheTimeout_thenReconnect() throws Exception {
    RedisServer own = RedisServer.start();
    try (RedisStores stores = RedisStores.builder(own.uri())
        .commandTimeout(Duration.ofMillis(500)).build()) {
      RedisPolicyStore store = stores.policyStore();
      store.save(new StoredPolicy("example.com", "1", TEXT, Instant.now()));
      own.kill();
      long t0 = System.nanoTime();
      assertThrows(IOException.class, () -> store.load("example.com"));
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "bounded wait");
      own.restart(); // empty: the server keeps nothing on disk in the tests
      Await.until(Duration.ofSeconds(20), "Lettuce reconnects", () -> {
        try {
          return store.load("example.com").isEmpty();
        } catch (IOException e) {
          return false;
        }
      });
    } finally {
      own.close();
    }
  }

  @Test
  void tryLease_oneNodeAtATime_untilItExpires() throws Exception {
    RedisPolicyStore a = store();
    RedisPolicyStore b = store();
    assertTrue(a.tryLease("example.com", Duration.ofMillis(300)));
    assertFalse(b.tryLease("Example.COM.", Duration.ofMillis(300)));
    assertFalse(a.tryLease("example.com", Duration.ofMillis(300)), "not twice either");
    assertTrue(b.tryLease("other.example", Duration.ofSeconds(10)), "per domain");
    Await.until(Duration.ofSeconds(10), "the lease expires", () -> {
      try {
        return b.tryLease("example.com", Duration.ofSeconds(10));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertEquals(List.of(), a.loadAll(), "leases are not entries");
  }

  @Test
  void aRedisUriOpensTheseStores_throughTheStoreProvider() throws IOException {
    try (org.mtasts.StoreProvider.Stores s = org.mtasts.StoreProvider.open(redis.server.uri())) {
      assertTrue(s instanceof RedisStores, s.toString());
      s.policyStore().save(new StoredPolicy("example.com", "1", TEXT, Instant.now()));
      assertTrue(store().load("example.com").isPresent());
    }
    assertTrue(new RedisStoreProvider().accepts("rediss://h:6380/0"));
    assertTrue(new RedisStoreProvider().accepts("redis-sentinel://h:26379/0#main"));
    assertFalse(new RedisStoreProvider().accepts("jdbc:postgresql://h/db"));
  }
}
