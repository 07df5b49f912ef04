package org.mtasts.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.PolicyLookup;
import org.mtasts.PolicyStore;
import org.mtasts.StoreProvider;
import org.mtasts.dns.DnsClient;
import org.mtasts.jdbc.JdbcStores;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.SessionResult;
import org.mtasts.testkit.TestWorld;

/**
 * Figures of issue 15, as a program (not JMH: the servers are outside the JVM): for each store
 * named on the command line ({@code redis://…}, {@code jdbc:…} through a HikariCP pool of 4, or a
 * directory for comparison),
 *
 * <ol>
 *   <li>{@code PolicyStore.load} of one domain: p50 and p99;
 *   <li>{@code resolve} on a miss of the in-memory cache served from the store (a node whose
 *       cache holds one policy cycles through 200 domains another node fetched; DNS answers from
 *       the client's DNS cache, so the miss costs the store read, the re-parse and the facade):
 *       p50 and p99;
 *   <li>a cache hit on the same node ({@code resolve} of one domain again and again): mean;
 *   <li>{@code ReportStore.add} throughput of one node, 1 and 2 threads.
 * </ol>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.mtasts.benchmarks.SharedStoreFigures \
 *     redis://127.0.0.1:6390/0 'jdbc:postgresql://127.0.0.1:5439/postgres?user=postgres' /tmp/dir
 * </pre>
 */
public final class SharedStoreFigures {
  static final int DOMAINS = 200;

  private SharedStoreFigures() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: SharedStoreFigures STORE-URI-OR-DIR...");
      System.exit(2);
    }
    try (TestWorld world = TestWorld.start(w -> {
      for (int i = 0; i < DOMAINS; i++) {
        String d = "fleet-" + i + ".example";
        w.domain(d, s -> s.policy("enforce", "mx1." + d, "mx2." + d).id("F1"));
      }
    })) {
      for (String location : args) {
        measure(world, location);
      }
    }
  }

  static MtaSts node(TestWorld world, PolicyStore store, long cache) {
    return MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .maximumCachedPolicies(cache)
        .policyStore(store)
        .build();
  }

  static void measure(TestWorld world, String location) throws Exception {
    String shown = location.replaceAll("(?<=://)[^/@]*@", "***@");
    HikariDataSource pool = null;
    if (location.startsWith("jdbc:")) { // a pool, as the README's set-up: not one connection a call
      HikariConfig c = new HikariConfig();
      c.setJdbcUrl(location);
      c.setConnectionTimeout(1_000);
      c.setMaximumPoolSize(4);
      pool = new HikariDataSource(c);
    }
    try (StoreProvider.Stores stores = pool != null ? JdbcStores.builder(pool).build()
        : StoreProvider.open(location)) {
      PolicyStore store = stores.policyStore();
      store.deleteAll();
      try (MtaSts fetcher = node(world, store, 10_000)) {
        for (int i = 0; i < DOMAINS; i++) {
          fetcher.resolve("fleet-" + i + ".example");
        }
      }
      // 1. the store alone
      long[] load = new long[DOMAINS * 10];
      for (int round = 0; round < 12; round++) {
        for (int i = 0; i < DOMAINS; i++) {
          long t0 = System.nanoTime();
          store.load("fleet-" + i + ".example");
          if (round >= 2) {
            load[(round - 2) * DOMAINS + i] = System.nanoTime() - t0;
          }
        }
      }
      // 2. misses served from the store, 3. hits
      long[] miss = new long[DOMAINS * 10];
      int served = 0;
      double hitNs;
      try (MtaSts reader = node(world, store, 1)) {
        for (int i = 0; i < DOMAINS; i++) { // warm the DNS cache and the JIT
          reader.resolve("fleet-" + i + ".example");
        }
        for (int round = 0; round < 10; round++) {
          for (int i = 0; i < DOMAINS; i++) {
            long t0 = System.nanoTime();
            PolicyLookup l = reader.resolve("fleet-" + i + ".example");
            miss[round * DOMAINS + i] = System.nanoTime() - t0;
            served += l.source().orElseThrow() == PolicyLookup.Source.FETCHED ? 0 : 1;
          }
        }
        String hot = "fleet-0.example";
        for (int i = 0; i < 2_000_000; i++) {
          reader.resolve(hot);
        }
        int n = 5_000_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          reader.resolve(hot);
        }
        hitNs = (System.nanoTime() - t0) / (double) n;
      }
      // 4. report counts
      ReportStore reports = stores.reportStore();
      double one = adds(reports, 1);
      double two = adds(reports, 2);
      System.out.printf(Locale.ROOT, "%s%n  load: p50 %.0f us, p99 %.0f us%n"
          + "  resolve, miss served from the store: p50 %.0f us, p99 %.0f us (%d of %d from the "
          + "store, none fetched)%n  resolve, cache hit: %.0f ns%n"
          + "  report add: %.0f/s (1 thread), %.0f/s (2 threads)%n",
          shown, pct(load, 50) / 1e3, pct(load, 99) / 1e3, pct(miss, 50) / 1e3,
          pct(miss, 99) / 1e3, served, miss.length, hitNs, one, two);
      store.deleteAll();
    } finally {
      if (pool != null) {
        pool.close();
      }
    }
  }

  static double adds(ReportStore reports, int threads) throws Exception {
    ReportPolicy policy = ReportPolicy.sts("fleet-0.example", List.of("version: STSv1",
        "mode: enforce", "mx: mx1.fleet-0.example", "max_age: 86400"),
        List.of("mx1.fleet-0.example"));
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try {
          while (System.nanoTime() < end) {
            reports.add(SessionResult.success(Instant.now(), policy));
            done.incrementAndGet();
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      th.start();
      all.add(th);
    }
    for (Thread th : all) {
      th.join();
    }
    return done.get() / 5.0;
  }

  static double pct(long[] values, int p) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
  }
}
