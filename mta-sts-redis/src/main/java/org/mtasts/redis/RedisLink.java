package org.mtasts.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection the stores of a {@link RedisStores} share, and the bounded wait on each
 * command. Lettuce multiplexes concurrent commands over the connection, so one is enough.
 *
 * <p>Outage behaviour: a command waits at most the command timeout; while the connection is down
 * Lettuce rejects commands at once ({@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS})
 * instead of queueing them, and reconnects in the background (on a Cluster commands wait for
 * their node's connection, at most the command timeout). A server that is down when the
 * stores are built is not waited for beyond the connect timeout: the first connection is retried
 * in the background, at most once per {@link #RECONNECT_INTERVAL}, while calls fail fast.
 */
final class RedisLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisStores.class);

  /** Least time between two attempts to make the first connection. */
  static final Duration RECONNECT_INTERVAL = Duration.ofSeconds(1);

  private final String description;
  private final RedisURI uri;
  private final boolean cluster;
  private final Duration connectTimeout;
  private final Duration commandTimeout;
  private final Clock clock;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final Object connecting = new Object();
  private volatile StatefulConnection<String, String> connection;
  private volatile RedisClusterAsyncCommands<String, String> commands;
  private volatile CompletableFuture<?> attempt;
  private volatile long lastAttemptMillis = Long.MIN_VALUE / 2;
  private volatile String lastFailure = "not connected yet";
  private volatile boolean closed;

  RedisLink(RedisURI uri, boolean cluster, Duration connectTimeout, Duration commandTimeout,
      Clock clock) {
    this.uri = uri;
    this.cluster = cluster;
    this.connectTimeout = connectTimeout;
    this.commandTimeout = commandTimeout;
    this.clock = clock;
    this.description = describe(uri, cluster);
    this.resources = ClientResources.builder()
        // Lettuce's default waits up to 30 s between reconnects; a store that is back should be
        // used again within seconds.
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2,
            TimeUnit.MILLISECONDS))
        .build();
    uri.setTimeout(commandTimeout);
    SocketOptions socket = SocketOptions.builder().connectTimeout(connectTimeout).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(commandTimeout);
    if (cluster) {
      RedisClusterClient c = RedisClusterClient.create(resources, uri);
      c.setOptions(ClusterClientOptions.builder()
          .socketOptions(socket)
          .timeoutOptions(timeouts)
          // Lettuce connects to each cluster node on its first command: rejecting commands while
          // a node's connection is not up would fail them all; they wait, bounded by the timeout.
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
          .autoReconnect(true)
          .build());
      this.client = c;
    } else {
      RedisClient c = RedisClient.create(resources, uri);
      c.setOptions(ClientOptions.builder()
          .socketOptions(socket)
          .timeoutOptions(timeouts)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .autoReconnect(true)
          .build());
      this.client = c;
    }
  }

  /** The URI without its password, for messages. */
  static String describe(RedisURI uri, boolean cluster) {
    return (cluster ? "Redis Cluster " : "Redis ") + uri.toString();
  }

  String description() {
    return description;
  }

  Duration commandTimeout() {
    return commandTimeout;
  }

  Clock clock() {
    return clock;
  }

  /**
   * Makes the first connection, waiting at most the connect timeout (and a little for the
   * handshake commands); on failure logs why and leaves later calls to retry.
   */
  void connectAtStart() {
    CompletableFuture<?> first = startAttempt();
    if (first == null) {
      return;
    }
    try {
      first.get(connectTimeout.plus(commandTimeout).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Logged by the attempt itself; the sender starts without the store (the contract).
      log.debug("first connection to {} not made at start-up", description, e);
    }
  }

  /**
   * The commands of the live connection.
   *
   * @throws IOException when there is no connection yet (a new attempt is started in the
   *     background, at most once per {@link #RECONNECT_INTERVAL})
   */
  RedisClusterAsyncCommands<String, String> commands() throws IOException {
    RedisClusterAsyncCommands<String, String> c = commands;
    if (c != null) {
      return c;
    }
    if (closed) {
      throw new IOException(description + ": the store is closed");
    }
    startAttempt();
    c = commands;
    if (c != null) {
      return c;
    }
    throw new IOException(description + " is not reachable: " + lastFailure);
  }

  /** Starts a connection attempt unless one is running or the last one was too recent. */
  private CompletableFuture<?> startAttempt() {
    synchronized (connecting) {
      if (commands != null || closed) {
        return null;
      }
      CompletableFuture<?> running = attempt;
      if (running != null && !running.isDone()) {
        return running;
      }
      long now = clock.millis();
      if (now - lastAttemptMillis < RECONNECT_INTERVAL.toMillis()) {
        return null;
      }
      lastAttemptMillis = now;
      CompletableFuture<? extends StatefulConnection<String, String>> future = connectAsync();
      CompletableFuture<?> done = future.whenComplete((conn, error) -> connected(conn, error));
      attempt = done;
      return done;
    }
  }

  @SuppressWarnings("unchecked")
  private CompletableFuture<? extends StatefulConnection<String, String>> connectAsync() {
    try {
      if (cluster) {
        // Lettuce's asynchronous cluster connect needs the topology first.
        RedisClusterClient c = (RedisClusterClient) client;
        return c.refreshPartitionsAsync().toCompletableFuture()
            .thenCompose(v -> c.connectAsync(StringCodec.UTF8));
      }
      return ((RedisClient) client).connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void connected(StatefulConnection<String, String> conn, Throwable error) {
    if (error != null) {
      lastFailure = String.valueOf(unwrap(error));
      log.warn("MTA-STS store: cannot connect to {} ({}); lookups go on from memory and the "
          + "connection is tried again", description, lastFailure);
      return;
    }
    synchronized (connecting) {
      if (closed) {
        conn.closeAsync();
        return;
      }
      connection = conn;
      commands = conn instanceof io.lettuce.core.cluster.api.StatefulRedisClusterConnection<?, ?>
          ? ((io.lettuce.core.cluster.api.StatefulRedisClusterConnection<String, String>) conn)
              .async()
          : ((io.lettuce.core.api.StatefulRedisConnection<String, String>) conn).async();
    }
    log.info("MTA-STS store: connected to {}", description);
  }

  /**
   * Waits for one command, at most the command timeout (plus a margin for Lettuce's own timer,
   * which normally fails the command first).
   *
   * @throws IOException if the command failed, timed out or was rejected
   */
  <T> T await(CompletionStage<T> command, String what) throws IOException {
    Future<T> f = command.toCompletableFuture();
    try {
      return f.get(commandTimeout.toMillis() + 250, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      InterruptedIOException io =
          new InterruptedIOException("interrupted while waiting for " + description);
      io.initCause(e);
      throw io;
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new IOException(description + ": " + what + " timed out after "
          + commandTimeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      throw new IOException(description + ": " + what + " failed: " + cause, cause);
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public void close() {
    StatefulConnection<String, String> c;
    synchronized (connecting) {
      closed = true;
      c = connection;
      connection = null;
      commands = null;
    }
    if (c != null) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
