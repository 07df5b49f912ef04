/**
 * MTA-STS policy and TLS-RPT report stores on Redis, so that a fleet of senders shares what one
 * of them fetched and counts into one report per policy domain and day.
 */
module org.mtasts.redis {
  requires transitive org.mtasts.core;
  requires lettuce.core;
  requires org.slf4j;

  exports org.mtasts.redis;

  provides org.mtasts.StoreProvider with
      org.mtasts.redis.RedisStoreProvider;
}
