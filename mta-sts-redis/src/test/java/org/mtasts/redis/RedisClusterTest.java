package org.mtasts.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.contract.PolicyStoreContract;
import org.mtasts.contract.ReportStoreContract;
import org.mtasts.report.ReportStore;

/**
 * The stores on a real three-node Redis Cluster ({@code cluster(true)}): both contracts, with
 * policy keys spread over the nodes and each report day's keys in one hash slot.
 */
class RedisClusterTest {
  static final List<RedisServer> nodes = new ArrayList<>();
  static String uri;

  @BeforeAll
  static void startCluster() throws Exception {
    for (int i = 0; i < 3; i++) {
      nodes.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file",
          "nodes.conf", "--cluster-node-timeout", "5000"));
    }
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(RedisServer.binary()).resolveSibling("redis-cli").toString(), "--cluster",
        "create"));
    for (RedisServer n : nodes) {
      cmd.add("127.0.0.1:" + n.port());
    }
    cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    for (RedisServer n : nodes) {
      RedisClient c = RedisClient.create(n.uri());
      try (StatefulRedisConnection<String, String> conn = c.connect()) {
        Await.until(Duration.ofSeconds(30), "cluster_state:ok on " + n.port(),
            () -> conn.sync().clusterInfo().contains("cluster_state:ok"));
      } finally {
        c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
    uri = "redis://127.0.0.1:" + nodes.get(0).port();
  }

  @AfterAll
  static void stopCluster() {
    nodes.forEach(RedisServer::close);
  }

  static final List<RedisStores> open = new ArrayList<>();

  static RedisStores stores() {
    // The first connection to a Cluster reads the topology from every node; on a loaded machine
    // that took longer than the 1 s defaults and the store started unconnected ("not connected
    // yet"). These tests check what the store does, not how fast, so the bounds are generous.
    RedisStores s = RedisStores.builder(uri).cluster(true)
        .connectTimeout(Duration.ofSeconds(15)).commandTimeout(Duration.ofSeconds(15))
        .clock(Clock.fixed(PolicyStoreContract.NOW, ZoneOffset.UTC)).build();
    open.add(s);
    return s;
  }

  static void flush() {
    for (RedisServer n : nodes) {
      RedisClient c = RedisClient.create(n.uri());
      try (StatefulRedisConnection<String, String> conn = c.connect()) {
        conn.sync().flushall();
      } finally {
        c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @AfterEach
  void closeStores() {
    open.forEach(RedisStores::close);
    open.clear();
  }

  @Test
  void policiesOfManyDomains_spreadOverTheNodes_allFoundByTheWalk() throws IOException {
    flush();
    PolicyStore store = stores().policyStore();
    for (int i = 0; i < 100; i++) {
      store.save(new StoredPolicy("d" + i + ".example", "1", PolicyStoreContract.TEXT,
          PolicyStoreContract.FETCHED));
    }
    assertEquals(100, stores().policyStore().loadAll().size());
    int withKeys = 0;
    for (RedisServer n : nodes) {
      RedisClient c = RedisClient.create(n.uri());
      try (StatefulRedisConnection<String, String> conn = c.connect()) {
        withKeys += conn.sync().dbsize() > 0 ? 1 : 0;
      } finally {
        c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
    assertEquals(3, withKeys, "keys on every node");
    assertTrue(store.tryLease("d1.example", Duration.ofSeconds(5)));
    assertTrue(!stores().policyStore().tryLease("d1.example", Duration.ofSeconds(5)));
  }

  @Nested
  class PolicyContract extends PolicyStoreContract {
    @Override
    protected PolicyStore newStore() {
      flush();
      return reopen();
    }

    @Override
    protected PolicyStore reopen() {
      return stores().policyStore();
    }
  }

  @Nested
  class ReportContract extends ReportStoreContract {
    @Override
    protected ReportStore newStore(int maxPolicies, int maxDetails) {
      flush();
      return new RedisReportStore(stores().link(), "mta-sts:", Duration.ofDays(7), maxPolicies,
          maxDetails);
    }

    @Override
    protected ReportStore sameStore(ReportStore store) {
      return store; // bounds kept: the same store object; other nodes are tested elsewhere
    }
  }

}
