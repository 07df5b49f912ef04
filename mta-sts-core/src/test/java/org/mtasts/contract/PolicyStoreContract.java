package org.mtasts.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.policy.InvalidDomainException;

/**
 * What every {@link PolicyStore} must do, as its Javadoc says: the behaviour tests that the file
 * store and the shared stores (Redis, JDBC) all run. A subclass gives a fresh, empty store and a
 * second instance on the same storage (a restart, or another node of a fleet).
 *
 * <p>Entries are fetched at {@link #FETCHED}; a store that expires entries by a clock must read
 * {@link #NOW} from it, when every entry here is unexpired.
 */
public abstract class PolicyStoreContract {

  /** When the contract's entries were fetched. */
  public static final Instant FETCHED = Instant.parse("2026-11-28T15:02:07.123456789Z");

  /** The time a store that reads a clock must see: an hour after {@link #FETCHED}. */
  public static final Instant NOW = Instant.parse("2026-11-28T16:02:07Z");

  /** A policy with CR LF line ends and a UTF-8 extension value, kept byte for byte. */
  public static final String TEXT = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
      + "mx: *.b\u00fccher.example\r\nmax_age: 604800\r\nx-note: caf\u00e9 \u2713\r\n";

  /** Another policy, for replacements. */
  public static final String TEXT2 =
      "version: STSv1\nmode: testing\nmx: *.example.net\nmax_age: 86400\n";

  /**
   * A fresh store on empty storage; called once per test.
   *
   * @return the store
   * @throws Exception if it cannot be made
   */
  protected abstract PolicyStore newStore() throws Exception;

  /**
   * Another instance on the storage of the last {@link #newStore()}: what a restarted process or
   * another node sees.
   *
   * @return the store
   * @throws Exception if it cannot be made
   */
  protected abstract PolicyStore reopen() throws Exception;

  /**
   * Writes something under {@code domain}'s entry that is not an entry (garbage, a truncated or
   * foreign value); false if the store cannot be damaged from outside.
   *
   * @param domain the normalised domain
   * @return whether the entry was damaged
   * @throws Exception if writing fails
   */
  protected boolean damage(String domain) throws Exception {
    return false;
  }

  protected static StoredPolicy entry(String domain, String id) {
    return new StoredPolicy(domain, id, TEXT, FETCHED);
  }

  private static Map<String, StoredPolicy> byDomain(List<StoredPolicy> entries) {
    Map<String, StoredPolicy> m = new HashMap<>();
    for (StoredPolicy e : entries) {
      assertTrue(m.put(e.domain(), e) == null, "visited once: " + e.domain());
    }
    return m;
  }

  @Test
  void stsCache12_savedEntryLoadsVerbatim_alsoInAnotherInstance() throws Exception {
    PolicyStore store = newStore();
    StoredPolicy saved = entry("example.com", "20160831085700Z");
    store.save(saved);
    for (PolicyStore s : List.of(store, reopen())) {
      StoredPolicy back = s.load("example.com").orElseThrow();
      assertEquals(saved, back);
      assertEquals(TEXT, back.policyText(), "CR LF and UTF-8 kept (SEC-25)");
      assertEquals(FETCHED, back.fetchedAt(), "nanoseconds kept");
      assertEquals(List.of(saved), s.loadAll());
    }
  }

  @Test
  void stsCache12_missingDomainIsEmpty() throws Exception {
    PolicyStore store = newStore();
    assertEquals(Optional.empty(), store.load("never-saved.example"));
    assertEquals(List.of(), store.loadAll());
  }

  @Test
  void stsCache12_domainIsNormalisedOnEveryCall() throws Exception {
    PolicyStore store = newStore();
    store.save(new StoredPolicy("B\u00fccher.Example.", "1", TEXT, FETCHED));
    assertEquals("xn--bcher-kva.example",
        store.load("XN--BCHER-KVA.example.").orElseThrow().domain());
    assertTrue(store.load("b\u00fccher.example").isPresent());
    store.delete("B\u00dcCHER.example");
    assertEquals(Optional.empty(), store.load("xn--bcher-kva.example"));
  }

  @Test
  void stsCache12_saveReplacesTheDomainsEntry() throws Exception {
    PolicyStore store = newStore();
    store.save(entry("example.com", "1"));
    StoredPolicy newer = new StoredPolicy("example.com", "2", TEXT2, FETCHED.plusSeconds(60));
    store.save(newer);
    assertEquals(Optional.of(newer), reopen().load("example.com"));
    assertEquals(List.of(newer), reopen().loadAll());
  }

  @Test
  void stsCache12_severalDomains_eachVisitedOnce() throws Exception {
    PolicyStore store = newStore();
    Map<String, StoredPolicy> saved = new HashMap<>();
    for (int i = 0; i < 250; i++) {
      StoredPolicy e = entry("d" + i + ".example", "id" + i);
      store.save(e);
      saved.put(e.domain(), e);
    }
    assertEquals(saved, byDomain(reopen().loadAll()));
  }

  @Test
  void deleteRemovesOnlyThatDomain_absentIsNoOp() throws Exception {
    PolicyStore store = newStore();
    store.save(entry("a.example", "1"));
    store.save(entry("b.example", "2"));
    store.delete("A.Example.");
    store.delete("a.example");
    store.delete("never-saved.example");
    assertEquals(List.of(entry("b.example", "2")), reopen().loadAll());
  }

  @Test
  void deleteAllRemovesEveryEntry() throws Exception {
    PolicyStore store = newStore();
    for (int i = 0; i < 30; i++) {
      store.save(entry("d" + i + ".example", "1"));
    }
    store.deleteAll();
    assertEquals(List.of(), reopen().loadAll());
    store.deleteAll(); // nothing left: no error
  }

  @Test
  void item06_removeDeletesOnlyTheSameEntry_aNewerSaveSurvives() throws Exception {
    PolicyStore store = newStore();
    StoredPolicy old = entry("example.com", "1");
    assertFalse(store.remove(old), "nothing stored");
    store.save(old);
    StoredPolicy newer = new StoredPolicy("example.com", "2", TEXT2, FETCHED.plusSeconds(1));
    reopen().save(newer); // another node saved a newer policy meanwhile
    assertFalse(store.remove(old));
    assertEquals(Optional.of(newer), store.load("example.com"));
    assertFalse(store.remove(new StoredPolicy("example.com", "2", TEXT2, FETCHED)),
        "another fetch time is another entry");
    assertTrue(store.remove(newer));
    assertEquals(Optional.empty(), store.load("example.com"));
  }

  @Test
  void item06_forEachLetsTheActionDelete_anExceptionEndsTheWalk() throws Exception {
    PolicyStore store = newStore();
    for (int i = 0; i < 10; i++) {
      store.save(entry("d" + i + ".example", "1"));
    }
    List<String> seen = new ArrayList<>();
    store.forEach(e -> {
      seen.add(e.domain());
      try {
        assertTrue(store.remove(e));
      } catch (IOException x) {
        throw new AssertionError(x);
      }
    });
    assertEquals(10, seen.size());
    assertEquals(List.of(), store.loadAll());

    store.save(entry("a.example", "1"));
    store.save(entry("b.example", "1"));
    IllegalStateException stop = new IllegalStateException("stop");
    int[] calls = {0};
    assertSame(stop, assertThrows(IllegalStateException.class, () -> store.forEach(e -> {
      calls[0]++;
      throw stop;
    })));
    assertEquals(1, calls[0], "the walk ended at the first exception");
  }

  @Test
  void sec24_aFetchTimeInTheFutureIsKeptAsSaved() throws Exception {
    PolicyStore store = newStore();
    Instant future = NOW.plusSeconds(86_400 * 30);
    store.save(new StoredPolicy("example.com", "1", TEXT, future));
    assertEquals(future, reopen().load("example.com").orElseThrow().fetchedAt());
  }

  @Test
  void stsCache12_largestPolicyTextRoundTrips() throws Exception {
    PolicyStore store = newStore();
    StringBuilder text = new StringBuilder(TEXT);
    while (text.length() < StoredPolicy.MAX_POLICY_TEXT_BYTES - 40) {
      text.append("mx: mx").append(text.length()).append(".example.com\n");
    }
    StoredPolicy big = new StoredPolicy("example.com", "1", text.toString(), FETCHED);
    store.save(big);
    assertEquals(Optional.of(big), reopen().load("example.com"));
  }

  @Test
  void stsCache12_damagedEntryIsSkipped_othersStillLoad() throws Exception {
    PolicyStore store = newStore();
    store.save(entry("good.example", "1"));
    store.save(entry("bad.example", "1"));
    if (!damage("bad.example")) {
      return; // this store cannot be damaged from outside; its own tests cover its format
    }
    assertEquals(Optional.empty(), store.load("bad.example"));
    assertEquals(List.of(entry("good.example", "1")), reopen().loadAll());
    store.save(entry("bad.example", "2")); // a save repairs it
    assertEquals("2", store.load("bad.example").orElseThrow().recordId());
  }

  @Test
  void nullAndInvalidArgumentsAreRefused() throws Exception {
    PolicyStore store = newStore();
    assertThrows(NullPointerException.class, () -> store.load(null));
    assertThrows(NullPointerException.class, () -> store.save(null));
    assertThrows(NullPointerException.class, () -> store.delete(null));
    assertThrows(NullPointerException.class, () -> store.remove(null));
    assertThrows(NullPointerException.class, () -> store.forEach(null));
    assertThrows(InvalidDomainException.class, () -> store.load("../etc"));
    assertThrows(InvalidDomainException.class, () -> store.delete("a b.example"));
  }

  @Test
  void stsCache12_concurrentSavesOf100DomainsFrom8Threads_allLoad() throws Exception {
    PolicyStore store = newStore();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        jobs.add(pool.submit(() -> {
          for (int i = 0; i < 100; i++) {
            store.save(new StoredPolicy("d" + i + ".example", "t" + thread, TEXT, FETCHED));
          }
          return null;
        }));
      }
      for (Future<?> f : jobs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    Map<String, StoredPolicy> loaded = byDomain(reopen().loadAll());
    assertEquals(100, loaded.size());
    loaded.values().forEach(e -> assertEquals(TEXT, e.policyText()));
  }

  @Test
  void stsCache12_readersNeverSeeAPartialEntryWhileTheDomainIsRewritten() throws Exception {
    PolicyStore writer = newStore();
    PolicyStore reader = reopen();
    StoredPolicy a = entry("example.com", "A");
    StoredPolicy b = new StoredPolicy("example.com", "B", TEXT2, FETCHED.plusSeconds(5));
    writer.save(a);
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentHashMap<String, String> odd = new ConcurrentHashMap<>();
    CountDownLatch started = new CountDownLatch(1);
    Thread read = new Thread(() -> {
      started.countDown();
      while (!stop.get()) {
        try {
          Optional<StoredPolicy> got = reader.load("example.com");
          if (got.isEmpty() || !(got.get().equals(a) || got.get().equals(b))) {
            odd.put("load", got.map(Object::toString).orElse("nothing"));
          }
        } catch (IOException e) {
          odd.put("error", e.toString());
        }
      }
    });
    read.start();
    try {
      started.await();
      for (int i = 0; i < 300; i++) {
        writer.save(i % 2 == 0 ? b : a);
      }
    } finally {
      stop.set(true);
      read.join(TimeUnit.SECONDS.toMillis(30));
    }
    if (!odd.isEmpty()) {
      fail("a reader saw " + odd);
    }
  }
}
