package org.mtasts.redis;

import java.util.Locale;
import org.mtasts.StoreProvider;

/**
 * Opens {@code redis://}, {@code rediss://} and {@code redis-sentinel://} store URIs for {@link
 * StoreProvider#open(String)} (the Jakarta Mail property {@code mail.mtasts.store}, the CLI's
 * {@code --store}) with {@link RedisStores}' defaults: 1 s connect and command timeouts, key
 * prefix {@code mta-sts:}. A Redis Cluster, or other settings, need {@link RedisStores#builder} in
 * code. Registered through {@code ServiceLoader}; thread-safe.
 */
public final class RedisStoreProvider implements StoreProvider {

  /** Called by {@code ServiceLoader}. */
  public RedisStoreProvider() {}

  @Override
  public boolean accepts(String uri) {
    String u = uri.toLowerCase(Locale.ROOT);
    return u.startsWith("redis://") || u.startsWith("rediss://")
        || u.startsWith("redis-sentinel://");
  }

  @Override
  public RedisStores openStores(String uri) {
    return RedisStores.builder(uri).build();
  }
}
