package org.mtasts.jdbc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stores' way to the database: a connection from the application's {@link DataSource} per
 * call, a query timeout on every statement, SQL failures turned into {@link IOException}, a retry
 * of transactions that the database aborted to break a deadlock, the schema checked before first
 * use, and fail-fast while the database is unreachable.
 *
 * <p>Why fail fast: the pool's connection timeout bounds one call, but while the database is
 * down every lookup that missed the cache would wait that long again. After a connection failure,
 * calls fail at once for {@link #DOWN_PAUSE}; then one is let through to try again.
 */
final class Jdbc {
  private static final Logger log = LoggerFactory.getLogger(JdbcStores.class);

  /** How long calls fail at once after the database could not be reached. */
  static final Duration DOWN_PAUSE = Duration.ofSeconds(1);

  /** Attempts of a transaction that the database aborted (deadlock, serialisation). */
  private static final int ATTEMPTS = 3;

  interface Work<T> {
    T run(Connection c) throws SQLException, IOException;
  }

  private final DataSource dataSource;
  private final int queryTimeoutSeconds;
  private final Clock clock;
  private final Schema schema;
  private volatile long downUntilMillis = Long.MIN_VALUE;
  private volatile boolean schemaReady;

  Jdbc(DataSource dataSource, Duration queryTimeout, Clock clock, Schema schema) {
    this.dataSource = dataSource;
    // JDBC counts whole seconds; round up so that the timeout is never shorter than asked.
    this.queryTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
        queryTimeout.getSeconds() + (queryTimeout.getNano() > 0 ? 1 : 0)));
    this.clock = clock;
    this.schema = schema;
  }

  Clock clock() {
    return clock;
  }

  Schema schema() {
    return schema;
  }

  /** Prepares a statement with the query timeout. */
  PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    s.setQueryTimeout(queryTimeoutSeconds);
    return s;
  }

  /** Runs {@code work} on a connection in auto-commit mode. */
  <T> T call(String what, Work<T> work) throws IOException {
    return run(what, false, work);
  }

  /** Runs {@code work} in one transaction, again if the database aborted it to end a deadlock. */
  <T> T transaction(String what, Work<T> work) throws IOException {
    return run(what, true, work);
  }

  private <T> T run(String what, boolean transaction, Work<T> work) throws IOException {
    long now = clock.millis();
    if (now < downUntilMillis) {
      throw new IOException("MTA-STS store: the database was unreachable moments ago; " + what
          + " not tried (next try in " + (downUntilMillis - now) + " ms)");
    }
    if (!schemaReady) {
      ensureSchema();
    }
    for (int attempt = 1; ; attempt++) {
      try (Connection c = connect()) {
        if (!transaction) {
          if (!c.getAutoCommit()) {
            c.setAutoCommit(true);
          }
          return work.run(c);
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | IOException | RuntimeException e) {
          rollback(c);
          throw e;
        } finally {
          restore(c, auto);
        }
      } catch (SQLException e) {
        if (transaction && attempt < ATTEMPTS && isRetryable(e)) {
          log.debug("MTA-STS store: {} aborted by the database ({}); trying again", what,
              e.getSQLState());
          continue;
        }
        throw failure(what, e);
      }
    }
  }

  private Connection connect() throws SQLException {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      downUntilMillis = clock.millis() + DOWN_PAUSE.toMillis();
      throw e;
    }
  }

  private IOException failure(String what, SQLException e) {
    if (isConnectionFailure(e)) {
      downUntilMillis = clock.millis() + DOWN_PAUSE.toMillis();
    }
    return new IOException("MTA-STS store: " + what + " failed: " + e.getMessage()
        + " (SQLState " + e.getSQLState() + ")", e);
  }

  /** Connection exceptions: SQLState class 08, and the JDBC types for them. */
  static boolean isConnectionFailure(SQLException e) {
    String state = e.getSQLState();
    return e instanceof SQLTransientConnectionException || e instanceof SQLRecoverableException
        || (state != null && state.startsWith("08"));
  }

  /** Serialisation failure (40001) and deadlock (PostgreSQL 40P01): the transaction may rerun. */
  private static boolean isRetryable(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.equals("40001") || state.equals("40P01"));
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("rollback failed", e);
    }
  }

  private static void restore(Connection c, boolean auto) {
    try {
      c.setAutoCommit(auto);
    } catch (SQLException e) {
      log.debug("could not restore auto-commit", e);
    }
  }

  /** Creates or migrates the schema, once; a failure is thrown and tried again on the next call. */
  synchronized void ensureSchema() throws IOException {
    if (schemaReady) {
      return;
    }
    try (Connection c = connect()) {
      schema.migrate(c, this);
      schemaReady = true;
    } catch (SQLException e) {
      throw failure("creating or migrating the schema", e);
    }
  }

  /** Escapes what a text column may not hold (PostgreSQL refuses NUL): {@code \} and NUL. */
  static String text(String s) {
    if (s.indexOf('\\') < 0 && s.indexOf('\0') < 0) {
      return s;
    }
    return s.replace("\\", "\\\\").replace("\0", "\\0");
  }

  /**
   * Undoes {@link #text}.
   *
   * @throws IllegalArgumentException if {@code s} holds a {@code \} that {@link #text} did not
   *     write
   */
  static String untext(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (++i >= s.length()) {
        throw new IllegalArgumentException("damaged text: a lone backslash at the end");
      }
      char e = s.charAt(i);
      if (e == '\\') {
        b.append('\\');
      } else if (e == '0') {
        b.append('\0');
      } else {
        throw new IllegalArgumentException("damaged text: unknown escape at " + (i - 1));
      }
    }
    return b.toString();
  }
}
