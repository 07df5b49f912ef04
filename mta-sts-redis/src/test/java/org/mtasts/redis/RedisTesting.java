package org.mtasts.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A test's view of a real Redis: stores built on it (closed at the end of the test) and a plain
 * connection to look at and damage keys behind the stores' back.
 */
final class RedisTesting implements AutoCloseable {
  final RedisServer server;
  private final List<AutoCloseable> open = new ArrayList<>();
  private RedisClient rawClient;
  private StatefulRedisConnection<String, String> raw;

  RedisTesting(RedisServer server) {
    this.server = server;
  }

  /** Stores on the server, as one node of a fleet builds them. */
  RedisStores stores(Clock clock) {
    return stores(b -> b.clock(clock));
  }

  RedisStores stores(java.util.function.Consumer<RedisStores.Builder> settings) {
    RedisStores.Builder b = RedisStores.builder(server.uri())
        .connectTimeout(Duration.ofSeconds(1))
        .commandTimeout(Duration.ofSeconds(2));
    settings.accept(b);
    RedisStores s = b.build();
    open.add(s);
    return s;
  }

  /** A plain synchronous connection to the server. */
  synchronized RedisCommands<String, String> raw() {
    if (raw == null) {
      rawClient = RedisClient.create(server.uri());
      raw = rawClient.connect();
    }
    return raw.sync();
  }

  void flush() {
    raw().flushall();
  }

  @Override
  public void close() {
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        // closing a store of a killed server may complain; nothing to keep
      }
    }
    open.clear();
    if (raw != null) {
      raw.close();
      rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      raw = null;
    }
  }
}
