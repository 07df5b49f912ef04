/**
 * MTA-STS stores in an SQL database for a fleet of senders: {@link org.mtasts.jdbc.JdbcStores}
 * over the application's {@code DataSource} hands out a policy store and a TLS-RPT report store.
 * Plain JDBC; tested on PostgreSQL.
 */
package org.mtasts.jdbc;
