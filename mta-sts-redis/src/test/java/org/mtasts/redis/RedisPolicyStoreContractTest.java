package org.mtasts.redis;

import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.mtasts.PolicyStore;
import org.mtasts.contract.PolicyStoreContract;

/** The Redis policy store passes the {@link PolicyStore} contract, on a real redis-server. */
class RedisPolicyStoreContractTest extends PolicyStoreContract {
  RedisTesting redis;

  @BeforeEach
  void connect() {
    redis = new RedisTesting(RedisServer.shared());
  }

  @AfterEach
  void close() {
    redis.close();
  }

  @Override
  protected PolicyStore newStore() {
    redis.flush();
    return reopen();
  }

  @Override
  protected PolicyStore reopen() {
    return redis.stores(Clock.fixed(NOW, ZoneOffset.UTC)).policyStore();
  }

  @Override
  protected boolean damage(String domain) {
    redis.raw().set("mta-sts:policy:" + domain, "mta-sts-java policy v1\ndomain: " + domain);
    return true;
  }
}
