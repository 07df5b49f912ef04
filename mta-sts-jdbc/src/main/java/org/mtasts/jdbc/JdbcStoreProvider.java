package org.mtasts.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Locale;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.mtasts.StoreProvider;

/**
 * Opens {@code jdbc:} store URLs for {@link StoreProvider#open(String)} (the Jakarta Mail
 * property {@code mail.mtasts.store}, the CLI's {@code --store}): {@link JdbcStores} over a plain
 * {@link DriverManager} data source, a new connection per call and no pool, for a driver on the
 * class path. For PostgreSQL it asks for a 1 s connect and login timeout unless the URL says
 * otherwise. Code that can should give {@link JdbcStores#builder} a pooled {@link DataSource}
 * instead. Registered through {@code ServiceLoader}; thread-safe.
 */
public final class JdbcStoreProvider implements StoreProvider {

  /** Called by {@code ServiceLoader}. */
  public JdbcStoreProvider() {}

  @Override
  public boolean accepts(String uri) {
    return uri.toLowerCase(Locale.ROOT).startsWith("jdbc:");
  }

  @Override
  public JdbcStores openStores(String uri) {
    return JdbcStores.builder(new UrlDataSource(uri)).build();
  }

  /** Connections from {@link DriverManager}; the URL's own parameters win over the defaults. */
  static final class UrlDataSource implements DataSource {
    private final String url;
    private final Properties defaults = new Properties();

    UrlDataSource(String url) {
      this.url = url;
      if (url.startsWith("jdbc:postgresql:")) {
        defaults.setProperty("connectTimeout", "1");
        defaults.setProperty("loginTimeout", "2");
      }
    }

    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(url, defaults);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      Properties p = new Properties();
      p.putAll(defaults);
      p.setProperty("user", user);
      p.setProperty("password", password);
      return DriverManager.getConnection(url, p);
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }

    /** Never the URL: it may hold a password. */
    @Override
    public String toString() {
      return "UrlDataSource{" + url.substring(0, url.indexOf(':', 5) + 1) + "…}";
    }
  }
}
