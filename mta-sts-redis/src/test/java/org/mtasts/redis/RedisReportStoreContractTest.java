package org.mtasts.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.mtasts.contract.ReportStoreContract;
import org.mtasts.report.ReportStore;

/**
 * The Redis report store passes the {@link ReportStore} contract on a real redis-server; a second
 * handle on the same data is a store of another connection (another node).
 */
class RedisReportStoreContractTest extends ReportStoreContract {
  RedisTesting redis;
  final Map<ReportStore, int[]> bounds = new IdentityHashMap<>();

  @BeforeEach
  void connect() {
    redis = new RedisTesting(RedisServer.shared());
  }

  @AfterEach
  void close() {
    redis.close();
  }

  private ReportStore store(int maxPolicies, int maxDetails) {
    RedisStores node = redis.stores(Clock.systemUTC());
    ReportStore s = new RedisReportStore(node.link(), "mta-sts:", Duration.ofDays(7),
        maxPolicies, maxDetails);
    bounds.put(s, new int[] {maxPolicies, maxDetails});
    return s;
  }

  @Override
  protected ReportStore newStore(int maxPolicies, int maxDetails) {
    redis.flush();
    return store(maxPolicies, maxDetails);
  }

  @Override
  protected ReportStore sameStore(ReportStore store) {
    int[] b = bounds.get(store);
    return store(b[0], b[1]);
  }
}
