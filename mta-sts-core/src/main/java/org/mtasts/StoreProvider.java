package org.mtasts;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;
import org.mtasts.report.ReportStore;

/**
 * Opens the stores a URI names, so that settings given as text (the Jakarta Mail property {@code
 * mail.mtasts.store}, the CLI's {@code --store}) can name a shared store without the code that
 * reads them depending on Redis or JDBC: a store module registers a provider ({@code provides
 * org.mtasts.StoreProvider} in its module descriptor and a {@code META-INF/services} entry for the
 * class path), and {@link #open(String)} picks the one that accepts the URI's scheme.
 *
 * <p>{@code mta-sts-redis} accepts {@code redis://}, {@code rediss://} and {@code
 * redis-sentinel://}; {@code mta-sts-jdbc} accepts {@code jdbc:} URLs. Code that builds its
 * clients in Java should use those modules' builders directly (pools, timeouts, Cluster).
 *
 * <p>Implementations must be thread-safe and must not do I/O in {@link #accepts(String)}.
 */
public interface StoreProvider {

  /**
   * Tells whether this provider opens {@code uri}, by its scheme alone.
   *
   * @param uri the store URI
   * @return whether {@link #openStores(String)} takes it
   */
  boolean accepts(String uri);

  /**
   * Opens the stores at {@code uri}. It must not hold up the caller beyond its own short
   * timeouts: a store that is unreachable now is opened all the same and connects later.
   *
   * @param uri a URI this provider accepts
   * @return the stores; the caller closes them
   * @throws IllegalArgumentException if the URI is malformed
   * @throws IOException if the stores cannot be set up
   */
  Stores openStores(String uri) throws IOException;

  /** A policy store and a report store on one storage, closed together. */
  interface Stores extends AutoCloseable {
    /**
     * The policy store, for {@link MtaSts.Builder#policyStore}.
     *
     * @return the store
     */
    PolicyStore policyStore();

    /**
     * The TLS-RPT report store.
     *
     * @return the store
     */
    ReportStore reportStore();

    /** Releases connections; the stores fail afterwards. */
    @Override
    void close();
  }

  /**
   * Opens the stores that {@code location} names: a URI that an installed provider accepts, or,
   * without a scheme, a directory ({@link PolicyStore#directory} and {@link
   * ReportStore#directory} on the same directory, what the CLI's {@code --cache-dir} means).
   *
   * @param location a store URI or a directory path
   * @return the stores
   * @throws IllegalArgumentException if {@code location} has a scheme no installed provider
   *     accepts (the message names the module to add), or is malformed
   * @throws IOException if the stores cannot be set up
   * @throws NullPointerException if {@code location} is null
   */
  static Stores open(String location) throws IOException {
    return find(location).openStores(location);
  }

  /**
   * Checks that {@link #open(String)} would find a way to open {@code location}, without I/O.
   *
   * @param location a store URI or a directory path
   * @throws IllegalArgumentException as {@link #open(String)} does
   * @throws NullPointerException if {@code location} is null
   */
  static void check(String location) {
    find(location);
  }

  private static StoreProvider find(String location) {
    Objects.requireNonNull(location, "location");
    String scheme = scheme(location);
    if (scheme == null) {
      Path dir;
      try {
        dir = Path.of(location);
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException("not a store URI nor a directory: "
            + NetworkText.printable(location, 200), e);
      }
      return new StoreProvider() {
        @Override
        public boolean accepts(String uri) {
          return true;
        }

        @Override
        public Stores openStores(String uri) {
          PolicyStore p = PolicyStore.directory(dir);
          ReportStore r = ReportStore.directory(dir);
          return new Stores() {
            @Override
            public PolicyStore policyStore() {
              return p;
            }

            @Override
            public ReportStore reportStore() {
              return r;
            }

            @Override
            public void close() {}
          };
        }
      };
    }
    List<String> seen = new ArrayList<>();
    for (StoreProvider p : ServiceLoader.load(StoreProvider.class)) {
      if (p.accepts(location)) {
        return p;
      }
      seen.add(p.getClass().getName());
    }
    String module = scheme.startsWith("redis") ? "org.mtasts:mta-sts-redis"
        : scheme.equals("jdbc") ? "org.mtasts:mta-sts-jdbc (and the database's JDBC driver)"
        : "a module that provides org.mtasts.StoreProvider for it";
    throw new IllegalArgumentException("no store provider for " + scheme + ": URIs; add "
        + module + " to the class path" + (seen.isEmpty() ? "" : " (installed: " + seen + ")"));
  }

  /** The URI scheme (lower case), or null for a path (a Windows drive letter is a path). */
  private static String scheme(String location) {
    int colon = location.indexOf(':');
    if (colon < 2) {
      return null;
    }
    String s = location.substring(0, colon);
    if (!s.matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      return null;
    }
    return s.toLowerCase(Locale.ROOT);
  }
}
