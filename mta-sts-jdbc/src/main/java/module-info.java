/**
 * MTA-STS policy and TLS-RPT report stores in an SQL database, over a {@code DataSource} the
 * application gives, so that a fleet of senders shares policies and counts into one report per
 * policy domain and day.
 */
module org.mtasts.jdbc {
  requires transitive org.mtasts.core;
  requires transitive java.sql;
  requires org.slf4j;

  exports org.mtasts.jdbc;

  provides org.mtasts.StoreProvider with
      org.mtasts.jdbc.JdbcStoreProvider;
}
