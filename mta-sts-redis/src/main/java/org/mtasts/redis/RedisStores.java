package org.mtasts.redis;

import io.lettuce.core.RedisURI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.mtasts.StoreProvider;

/**
 * The MTA-STS stores of one Redis deployment, sharing one connection: a {@link
 * RedisPolicyStore} for {@link org.mtasts.MtaSts.Builder#policyStore} and a {@link
 * RedisReportStore} for the TLS-RPT counts. Build it once at start-up, give its stores to every
 * client, and close it at shutdown.
 *
 * <pre>{@code
 * RedisStores redis = RedisStores.builder("redis://redis.internal:6379/0").build();
 * MtaSts sts = MtaSts.builder().policyStore(redis.policyStore()).build();
 * }</pre>
 *
 * <p>The URI is Lettuce's: {@code redis://[[user:]password@]host[:port][/database]}, {@code
 * rediss://} for TLS, {@code redis-sentinel://[password@]host[:port][,host2[:port2]]/db#master}
 * for a Sentinel-managed master; a Redis Cluster is given by the address of any of its nodes with
 * {@link Builder#cluster(boolean) cluster(true)}. Redis 6 or newer.
 *
 * <p>The store never holds up mail: {@link #builder build()} waits at most the connect timeout
 * for the first connection and starts without it if Redis is down (the connection is made later,
 * in the background); every command waits at most the command timeout; while Redis is down,
 * commands fail at once and the facade goes on from memory, reporting {@link
 * org.mtasts.MtaStsListener#storeFailed}.
 *
 * <p>Thread-safe. {@link #close()} closes the connection; the stores fail afterwards.
 */
public final class RedisStores implements StoreProvider.Stores {
  private final RedisLink link;
  private final RedisPolicyStore policyStore;
  private final RedisReportStore reportStore;

  private RedisStores(Builder b) {
    this.link = new RedisLink(b.uri, b.cluster, b.connectTimeout, b.commandTimeout, b.clock);
    this.policyStore = new RedisPolicyStore(link, b.keyPrefix);
    this.reportStore = new RedisReportStore(link, b.keyPrefix, b.reportRetention,
        RedisReportStore.MAX_POLICIES_PER_DAY, RedisReportStore.MAX_DETAILS_PER_POLICY);
    link.connectAtStart();
  }

  /**
   * Starts a builder for the Redis deployment at {@code uri}.
   *
   * @param uri a Lettuce Redis URI, e.g. {@code redis://localhost:6379/0}
   * @return a new builder
   * @throws IllegalArgumentException if {@code uri} is not a Redis URI
   * @throws NullPointerException if {@code uri} is null
   */
  public static Builder builder(String uri) {
    Objects.requireNonNull(uri, "uri");
    RedisURI parsed;
    try {
      parsed = RedisURI.create(uri);
    } catch (RuntimeException e) {
      // The message may quote the URI, password included: name only the scheme.
      throw new IllegalArgumentException("not a Redis URI (redis://, rediss://, "
          + "redis-sentinel://, redis+unix://): " + scheme(uri), e);
    }
    return new Builder(parsed);
  }

  private static String scheme(String uri) {
    int colon = uri.indexOf("://");
    return colon < 0 ? "no scheme" : "scheme " + uri.substring(0, Math.min(colon, 20));
  }

  /**
   * The policy store, for {@link org.mtasts.MtaSts.Builder#policyStore}.
   *
   * @return the store; the same instance on every call
   */
  @Override
  public RedisPolicyStore policyStore() {
    return policyStore;
  }

  /**
   * The TLS-RPT report store.
   *
   * @return the store; the same instance on every call
   */
  @Override
  public RedisReportStore reportStore() {
    return reportStore;
  }

  /** The shared connection, for tests in this package. */
  RedisLink link() {
    return link;
  }

  /** Closes the connection and Lettuce's threads, waiting at most about two seconds. */
  @Override
  public void close() {
    link.close();
  }

  /**
   * Returns the server (without password).
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "RedisStores{" + link.description() + "}";
  }

  /** Settings of {@link RedisStores}; not thread-safe, use it on one thread. */
  public static final class Builder {
    private final RedisURI uri;
    private boolean cluster;
    private Duration connectTimeout = Duration.ofSeconds(1);
    private Duration commandTimeout = Duration.ofSeconds(1);
    private Duration reportRetention = Duration.ofDays(7);
    private String keyPrefix = "mta-sts:";
    private Clock clock = Clock.systemUTC();

    private Builder(RedisURI uri) {
      this.uri = uri;
    }

    /**
     * Whether the URI names a node of a Redis Cluster (default false). The keys of one report day
     * share a hash slot, so every script runs on one node.
     *
     * @param cluster true for a Redis Cluster
     * @return this builder
     */
    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    /**
     * The longest wait for a TCP connection to Redis (default 1 s).
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * The longest wait for the answer to one command (default 1 s): a lookup that misses the
     * in-memory cache waits at most this long for the store.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = positive(timeout, "commandTimeout");
      return this;
    }

    /**
     * How long the keys of a report day are kept after the end of the day (or after their last
     * change) if nothing prunes them (default 7 days).
     *
     * @param retention a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code retention} is zero or negative
     * @throws NullPointerException if {@code retention} is null
     */
    public Builder reportRetention(Duration retention) {
      this.reportRetention = positive(retention, "reportRetention");
      return this;
    }

    /**
     * The prefix of every key (default {@code mta-sts:}), so that several deployments or
     * environments can share a Redis database.
     *
     * @param prefix 1 to 64 printable ASCII characters, without {@code * ? [ ] { } \} or spaces
     * @return this builder
     * @throws IllegalArgumentException if {@code prefix} is not such a string
     * @throws NullPointerException if {@code prefix} is null
     */
    public Builder keyPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      boolean ok = !prefix.isEmpty() && prefix.length() <= 64;
      for (int i = 0; ok && i < prefix.length(); i++) {
        char c = prefix.charAt(i);
        ok = c > ' ' && c < 0x7f && "*?[]{}\\".indexOf(c) < 0;
      }
      if (!ok) {
        throw new IllegalArgumentException("keyPrefix must be 1 to 64 printable ASCII characters "
            + "without * ? [ ] { } \\ or spaces: " + org.mtasts.NetworkText.printable(prefix));
      }
      this.keyPrefix = prefix;
      return this;
    }

    /**
     * The clock that policy expiry is computed with (default the system clock, UTC); for tests.
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
     * Builds the stores and makes the first connection, waiting at most the connect timeout;
     * if Redis cannot be reached, logs a WARN and returns stores that connect later.
     *
     * @return the stores
     */
    public RedisStores build() {
      return new RedisStores(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
