package org.mtasts.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.policy.Policy;

/**
 * What the JDBC policy store adds to the {@link PolicyStore} contract, on a real PostgreSQL: the
 * expiry column and its pruning (STS-CACHE-02, never earlier), the schema and its version table,
 * damaged rows skipped with a WARN, text PostgreSQL cannot hold as is, and a database that is
 * down (fail fast, come back).
 */
class JdbcPolicyStoreTest {
  static final Instant NOW = Instant.parse("2026-11-28T16:00:00Z");
  static final Instant FETCHED = NOW.minusSeconds(3600);
  static final String TEXT = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n";

  PostgresTesting db;

  @BeforeEach
  void connect() {
    db = new PostgresTesting(PostgresServer.shared());
  }

  @AfterEach
  void close() {
    db.close();
  }

  JdbcPolicyStore store(Instant now) {
    return db.stores(Clock.fixed(now, ZoneOffset.UTC)).policyStore();
  }

  long query(String sql) {
    try (Connection c = java.sql.DriverManager.getConnection(db.server.jdbcUrl(db.database));
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new AssertionError(sql, e);
    }
  }

  @Test
  void stsCache02_expiryColumnIsFetchedAtPlusMaxAge_roundedUp() throws IOException {
    store(NOW).save(new StoredPolicy("example.com", "1", TEXT, FETCHED.plusNanos(1)));
    assertEquals(FETCHED.getEpochSecond() + 1 + 604_800,
        query("SELECT expires_at FROM mta_sts_policy WHERE domain = 'example.com'"));
    store(NOW).save(new StoredPolicy("broken.example", "1", "not a policy", FETCHED));
    assertEquals(FETCHED.plus(Policy.MAX_AGE_LIMIT).getEpochSecond(),
        query("SELECT expires_at FROM mta_sts_policy WHERE domain = 'broken.example'"),
        "unparseable: the longest any policy may live");
  }

  @Test
  void stsCache02_expiredRowsArePrunedByTheWalk_neverEarlier() throws IOException {
    Instant expiry = FETCHED.plusSeconds(604_800);
    store(NOW).save(new StoredPolicy("example.com", "1", TEXT, FETCHED));
    store(NOW).save(new StoredPolicy("later.example", "1", TEXT, FETCHED.plusSeconds(1)));
    assertEquals(2, store(expiry.minusMillis(1)).loadAll().size(), "a millisecond before");
    assertEquals(List.of("later.example"), store(expiry).loadAll().stream()
        .map(StoredPolicy::domain).toList(), "at its expiry the row is gone");
    assertEquals(1, query("SELECT count(*) FROM mta_sts_policy"));
    assertEquals(1, store(expiry.plusSeconds(1)).pruneExpired());
    assertEquals(0, query("SELECT count(*) FROM mta_sts_policy"));
  }

  @Test
  void schema_createdWithAVersionTable_startingAgainChangesNothing() throws IOException {
    JdbcStores first = db.stores(Clock.systemUTC());
    assertEquals(Schema.VERSION, query("SELECT version FROM mta_sts_schema WHERE id = 1"));
    first.policyStore().save(new StoredPolicy("example.com", "1", TEXT, Instant.now()));
    JdbcStores second = db.stores(Clock.systemUTC());
    second.migrate();
    assertEquals(1, query("SELECT count(*) FROM mta_sts_schema"));
    assertTrue(second.policyStore().load("example.com").isPresent());
  }

  @Test
  void schema_nodesStartingTogetherMigrateOnce() throws Exception {
    List<JdbcStores> nodes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      nodes.add(JdbcStores.builder(db.pool()).build());
    }
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (JdbcStores n : nodes) {
        jobs.add(pool.submit(() -> {
          go.await();
          n.migrate();
          n.policyStore().save(new StoredPolicy("example.com", "1", TEXT, Instant.now()));
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : jobs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(Schema.VERSION, query("SELECT version FROM mta_sts_schema WHERE id = 1"));
  }

  @Test
  void schema_aNewerVersionIsRefused_notChanged() {
    db.sql("CREATE TABLE mta_sts_schema (id INTEGER NOT NULL PRIMARY KEY, version INTEGER)");
    db.sql("INSERT INTO mta_sts_schema VALUES (1, 99)");
    JdbcStores stores = JdbcStores.builder(db.pool()).build();
    IOException e = assertThrows(IOException.class, stores::migrate);
    assertTrue(e.getMessage().contains("99"), e.getMessage());
    assertThrows(IOException.class, () -> stores.policyStore().load("example.com"));
    assertEquals(99, query("SELECT version FROM mta_sts_schema"));
  }

  @Test
  void tablePrefixSeparatesDeployments() throws IOException {
    JdbcPolicyStore a = store(NOW);
    JdbcPolicyStore b = db.stores(s -> s.tablePrefix("staging_")
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))).policyStore();
    a.save(new StoredPolicy("example.com", "1", TEXT, FETCHED));
    b.save(new StoredPolicy("example.com", "2", TEXT, FETCHED));
    a.deleteAll();
    assertEquals(Optional.empty(), a.load("example.com"));
    assertEquals("2", b.load("example.com").orElseThrow().recordId());
    for (String bad : List.of("", "Upper", "1abc", "a-b", "a b", "x".repeat(32))) {
      assertThrows(IllegalArgumentException.class,
          () -> JdbcStores.builder(db.pool()).tablePrefix(bad), bad);
    }
  }

  @Test
  void stsCache12_textPostgresCannotHoldAsIs_survives() throws IOException {
    JdbcPolicyStore store = store(NOW);
    String odd = TEXT + "x-nul: a\u0000b\nx-backslash: \\0 \\\\ \\\n";
    StoredPolicy p = new StoredPolicy("example.com", "1", odd, FETCHED);
    store.save(p);
    assertEquals(Optional.of(p), store(NOW).load("example.com"));
    assertTrue(store.remove(p));
  }

  @Test
  void stsCache12_damagedRows_skippedWithAWarn() throws IOException {
    JdbcPolicyStore store = store(NOW);
    store.save(new StoredPolicy("good.example", "1", TEXT, FETCHED));
    long expires = FETCHED.getEpochSecond() + 604_800;
    db.sql("INSERT INTO mta_sts_policy VALUES ('Upper.Example', '1', 'x', 0, 0, " + expires + ")");
    db.sql("INSERT INTO mta_sts_policy VALUES ('bad-id.example', 'a-b', 'x', 0, 0, " + expires
        + ")");
    db.sql("INSERT INTO mta_sts_policy VALUES ('bad-text.example', '1', 'a\\q', 0, 0, " + expires
        + ")");
    db.sql("INSERT INTO mta_sts_policy VALUES ('bad-nano.example', '1', 'x', 0, -5, " + expires
        + ")");
    try (CapturedLog log = CapturedLog.start()) {
      assertEquals(Optional.empty(), store.load("bad-id.example"));
      assertEquals(List.of("good.example"),
          store.loadAll().stream().map(StoredPolicy::domain).toList());
      for (String d : List.of("Upper.Example", "bad-id.example", "bad-text.example",
          "bad-nano.example")) {
        assertTrue(log.lines("WARN").stream().anyMatch(l -> l.contains(d)),
            d + " skipped with a WARN:\n" + log.text());
      }
    }
  }

  @Test
  void databaseDownAtStart_buildReturns_callsFailFast_worksWhenItIsUp() throws Exception {
    PostgresServer own = PostgresServer.start();
    try {
      own.kill();
      HikariDataSource ds = poolOn(own);
      JdbcStores stores;
      try (CapturedLog log = CapturedLog.start()) {
        stores = JdbcStores.builder(ds).build();
        assertTrue(log.lines("WARN").stream().anyMatch(l -> l.contains("not checked")),
            log.text());
      }
      JdbcPolicyStore store = stores.policyStore();
      long t0 = System.nanoTime();
      assertThrows(IOException.class, () -> store.load("example.com"));
      assertEquals(List.of(), store.loadAll(), "forEach visits nothing, does not throw");
      long failFast = System.nanoTime();
      assertThrows(IOException.class, () -> store.load("example.com"));
      assertTrue(System.nanoTime() - failFast < Duration.ofMillis(500).toNanos(),
          "right after a failure: no second wait");
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "no hang");

      own.restart();
      Await.until(Duration.ofSeconds(30), "the store works once the database is up", () -> {
        try {
          store.save(new StoredPolicy("example.com", "1", TEXT, Instant.now()));
          return true;
        } catch (IOException e) {
          return false;
        }
      });
      assertTrue(store.load("example.com").isPresent(), "the tables were created on first use");
      ds.close();
    } finally {
      own.close();
    }
  }

  static HikariDataSource poolOn(PostgresServer server) {
    com.zaxxer.hikari.HikariConfig c = new com.zaxxer.hikari.HikariConfig();
    c.setJdbcUrl(server.jdbcUrl());
    c.setConnectionTimeout(1_000);
    c.setValidationTimeout(500);
    c.setInitializationFailTimeout(-1);
    c.setMaximumPoolSize(4);
    c.setMinimumIdle(0);
    return new HikariDataSource(c);
  }

  @Test
  void databaseRestarted_storeGoesOnWithItsData() throws Exception {
    PostgresServer own = PostgresServer.start();
    try (HikariDataSource ds = poolOn(own)) {
      JdbcPolicyStore store = JdbcStores.builder(ds).build().policyStore();
      StoredPolicy p = new StoredPolicy("example.com", "1", TEXT, Instant.now());
      store.save(p);
      own.kill();
      long t0 = System.nanoTime();
      assertThrows(IOException.class, () -> store.load("example.com"));
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "bounded wait");
      own.restart();
      Await.until(Duration.ofSeconds(30), "the pool reconnects", () -> {
        try {
          return store.load("example.com").equals(Optional.of(p));
        } catch (IOException e) {
          return false;
        }
      });
      assertFalse(store.loadAll().isEmpty());
    } finally {
      own.close();
    }
  }

  @Test
  void tryLease_oneNodeAtATime_untilItExpires_expiredLeasesPruned() throws IOException {
    JdbcPolicyStore a = store(NOW);
    JdbcPolicyStore b = store(NOW.plusSeconds(9));
    assertTrue(a.tryLease("example.com", Duration.ofSeconds(10)));
    assertFalse(b.tryLease("Example.COM.", Duration.ofSeconds(10)));
    assertTrue(b.tryLease("other.example", Duration.ofSeconds(10)), "per domain");
    assertTrue(store(NOW.plusSeconds(10)).tryLease("example.com", Duration.ofSeconds(10)),
        "expired");
    assertEquals(List.of(), a.loadAll(), "leases are not entries");
    assertEquals(2, query("SELECT count(*) FROM mta_sts_lease"));
    store(NOW.plusSeconds(60)).pruneExpired();
    assertEquals(0, query("SELECT count(*) FROM mta_sts_lease"));
  }

  @Test
  void schema_version1IsMigratedTo2_dataKept() throws IOException {
    Schema v1 = new Schema("mta_sts_");
    db.sql("CREATE TABLE mta_sts_schema (id INTEGER NOT NULL PRIMARY KEY, version INTEGER)");
    db.sql("INSERT INTO mta_sts_schema VALUES (1, 1)");
    for (String sql : v1.migration(1)) {
      db.sql(sql);
    }
    db.sql("INSERT INTO mta_sts_policy VALUES ('example.com', '1', 'x', 5, 0, 9999999999)");
    JdbcStores stores = JdbcStores.builder(db.pool()).build();
    assertEquals(2, query("SELECT version FROM mta_sts_schema"));
    assertEquals(0, query("SELECT count(*) FROM mta_sts_lease"));
    assertEquals("x", stores.policyStore().load("example.com").orElseThrow().policyText());
  }

  @Test
  void aJdbcUrlOpensTheseStores_throughTheStoreProvider() throws IOException {
    try (org.mtasts.StoreProvider.Stores s =
        org.mtasts.StoreProvider.open(db.server.jdbcUrl(db.database))) {
      assertTrue(s instanceof JdbcStores, s.toString());
      s.policyStore().save(new StoredPolicy("example.com", "1", TEXT, Instant.now()));
      assertTrue(store(NOW).load("example.com").isPresent());
      assertEquals(Schema.VERSION, query("SELECT version FROM mta_sts_schema"));
    }
    assertFalse(new JdbcStoreProvider().accepts("redis://h"));
  }
}
