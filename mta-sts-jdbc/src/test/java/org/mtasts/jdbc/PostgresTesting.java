package org.mtasts.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A test's view of a real PostgreSQL: a fresh database per test, pools on it (each a "node",
 * closed at the end of the test), and plain SQL behind the stores' back.
 */
final class PostgresTesting implements AutoCloseable {
  private static int databases;

  final PostgresServer server;
  final String database;
  private final List<HikariDataSource> pools = new ArrayList<>();

  PostgresTesting(PostgresServer server) {
    this.server = server;
    synchronized (PostgresTesting.class) {
      database = "t" + (++databases);
    }
    sql(server.jdbcUrl(), "CREATE DATABASE " + database);
  }

  private static void sql(String url, String statement) {
    try (Connection c = java.sql.DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new AssertionError(statement, e);
    }
  }

  /** Runs plain SQL in the test's database. */
  void sql(String statement) {
    sql(server.jdbcUrl(database), statement);
  }

  /** A pool on the test's database, with the short connection timeout the README asks for. */
  HikariDataSource pool() {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(server.jdbcUrl(database));
    c.setConnectionTimeout(1_000);
    c.setValidationTimeout(500);
    c.setInitializationFailTimeout(-1); // start even if the database is down
    c.setMaximumPoolSize(8);
    c.setMinimumIdle(0);
    HikariDataSource ds = new HikariDataSource(c);
    pools.add(ds);
    return ds;
  }

  /** Stores as one node builds them. */
  JdbcStores stores(Clock clock) {
    return stores(b -> b.clock(clock));
  }

  JdbcStores stores(Consumer<JdbcStores.Builder> settings) {
    JdbcStores.Builder b = JdbcStores.builder(pool());
    settings.accept(b);
    return b.build();
  }

  @Override
  public void close() {
    pools.forEach(HikariDataSource::close);
    pools.clear();
  }
}
