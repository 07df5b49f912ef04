package org.mtasts.jdbc;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.mtasts.StoreProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA-STS stores in an SQL database, over a {@link DataSource} the application gives (a
 * pool such as HikariCP): a {@link JdbcPolicyStore} for {@link
 * org.mtasts.MtaSts.Builder#policyStore} and a {@link JdbcReportStore} for the TLS-RPT counts.
 *
 * <pre>{@code
 * HikariConfig pool = new HikariConfig();
 * pool.setJdbcUrl("jdbc:postgresql://db.internal/mail");
 * pool.setConnectionTimeout(1_000);        // a store outage must not hold up mail
 * JdbcStores db = JdbcStores.builder(new HikariDataSource(pool)).build();
 * MtaSts sts = MtaSts.builder().policyStore(db.policyStore()).build();
 * }</pre>
 *
 * <p>The tables ({@code mta_sts_*} by default) are created, or migrated, on first use; a version
 * table records their version, and nodes starting together migrate once. Tested on PostgreSQL;
 * the statements use PostgreSQL's {@code INSERT … ON CONFLICT} upsert.
 *
 * <p>The store never holds up mail for long: every statement has a query timeout (default 1 s,
 * JDBC counts whole seconds); waiting for a connection is the {@code DataSource}'s business (set
 * its connection timeout short); after a connection failure calls fail at once for a second
 * instead of each waiting again. The facade goes on from memory when the store fails and reports
 * {@link org.mtasts.MtaStsListener#storeFailed}.
 *
 * <p>Thread-safe. The data source is the application's: this class does not close it.
 */
public final class JdbcStores implements StoreProvider.Stores {
  private static final Logger log = LoggerFactory.getLogger(JdbcStores.class);

  private final Jdbc jdbc;
  private final JdbcPolicyStore policyStore;
  private final JdbcReportStore reportStore;

  private JdbcStores(Builder b) {
    this.jdbc = new Jdbc(b.dataSource, b.queryTimeout, b.clock, new Schema(b.tablePrefix));
    this.policyStore = new JdbcPolicyStore(jdbc);
    this.reportStore = new JdbcReportStore(jdbc, JdbcReportStore.MAX_POLICIES_PER_DAY,
        JdbcReportStore.MAX_DETAILS_PER_POLICY);
  }

  /**
   * Starts a builder for stores in the database of {@code dataSource}.
   *
   * @param dataSource where connections come from; the application's, left open
   * @return a new builder
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * The policy store, for {@link org.mtasts.MtaSts.Builder#policyStore}.
   *
   * @return the store; the same instance on every call
   */
  @Override
  public JdbcPolicyStore policyStore() {
    return policyStore;
  }

  /**
   * The TLS-RPT report store.
   *
   * @return the store; the same instance on every call
   */
  @Override
  public JdbcReportStore reportStore() {
    return reportStore;
  }

  /** Does nothing: the data source is the application's, and it closes it. */
  @Override
  public void close() {}

  /** The database access, for tests in this package. */
  Jdbc jdbc() {
    return jdbc;
  }

  /**
   * Creates or migrates the tables now rather than on first use.
   *
   * @throws IOException if the database cannot be reached, refuses the statements, or holds
   *     tables of a newer schema version than this library knows
   */
  public void migrate() throws IOException {
    jdbc.ensureSchema();
  }

  /** Settings of {@link JdbcStores}; not thread-safe, use it on one thread. */
  public static final class Builder {
    private final DataSource dataSource;
    private Duration queryTimeout = Duration.ofSeconds(1);
    private String tablePrefix = "mta_sts_";
    private Clock clock = Clock.systemUTC();

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * The longest a statement may run (default 1 s; JDBC counts whole seconds, so it is rounded
     * up).
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder queryTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("queryTimeout must be positive: " + timeout);
      }
      this.queryTimeout = timeout;
      return this;
    }

    /**
     * The prefix of the tables' names (default {@code mta_sts_}).
     *
     * @param prefix a lower-case letter, then up to 30 lower-case letters, digits or {@code _}
     * @return this builder
     * @throws IllegalArgumentException if {@code prefix} is not such a name
     * @throws NullPointerException if {@code prefix} is null
     */
    public Builder tablePrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (!prefix.matches("[a-z][a-z0-9_]{0,30}")) {
        throw new IllegalArgumentException("tablePrefix must be a lower-case letter, then up to "
            + "30 lower-case letters, digits or _: " + org.mtasts.NetworkText.printable(prefix));
      }
      this.tablePrefix = prefix;
      return this;
    }

    /**
     * The clock that policy expiry is judged by when expired rows are deleted (default the
     * system clock, UTC); for tests.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the stores and tries to create or migrate the tables; if the database cannot be
     * reached, logs a WARN and leaves that to the first use.
     *
     * @return the stores
     */
    public JdbcStores build() {
      JdbcStores stores = new JdbcStores(this);
      try {
        stores.migrate();
      } catch (IOException e) {
        log.warn("MTA-STS store: tables not checked at start-up ({}); tried again on first use",
            e.getMessage());
      }
      return stores;
    }
  }

  /**
   * Returns the table prefix.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "JdbcStores{" + jdbc.schema().prefix + "*}";
  }
}
