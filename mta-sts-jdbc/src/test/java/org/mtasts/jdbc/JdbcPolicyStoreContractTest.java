package org.mtasts.jdbc;

import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.mtasts.PolicyStore;
import org.mtasts.contract.PolicyStoreContract;

/** The JDBC policy store passes the {@link PolicyStore} contract, on a real PostgreSQL. */
class JdbcPolicyStoreContractTest extends PolicyStoreContract {
  PostgresTesting db;

  @BeforeEach
  void connect() {
    db = new PostgresTesting(PostgresServer.shared());
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Override
  protected PolicyStore newStore() {
    return reopen();
  }

  @Override
  protected PolicyStore reopen() {
    return db.stores(Clock.fixed(NOW, ZoneOffset.UTC)).policyStore();
  }

  @Override
  protected boolean damage(String domain) {
    db.sql("UPDATE mta_sts_policy SET record_id = 'not an id!' WHERE domain = '" + domain + "'");
    return true;
  }
}
