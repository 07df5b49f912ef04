package org.mtasts.jdbc;

import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.mtasts.contract.ReportStoreContract;
import org.mtasts.report.ReportStore;

/**
 * The JDBC report store passes the {@link ReportStore} contract on a real PostgreSQL; a second
 * handle on the same data is a store over another pool (another node).
 */
class JdbcReportStoreContractTest extends ReportStoreContract {
  PostgresTesting db;
  final Map<ReportStore, int[]> bounds = new IdentityHashMap<>();

  @BeforeEach
  void connect() {
    db = new PostgresTesting(PostgresServer.shared());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private ReportStore store(int maxPolicies, int maxDetails) {
    ReportStore s = new JdbcReportStore(db.stores(Clock.systemUTC()).jdbc(), maxPolicies,
        maxDetails);
    bounds.put(s, new int[] {maxPolicies, maxDetails});
    return s;
  }

  @Override
  protected ReportStore newStore(int maxPolicies, int maxDetails) {
    return store(maxPolicies, maxDetails);
  }

  @Override
  protected ReportStore sameStore(ReportStore store) {
    int[] b = bounds.get(store);
    return store(b[0], b[1]);
  }
}
