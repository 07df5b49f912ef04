package org.mtasts.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.mtasts.FetchedPolicy;
import org.mtasts.MtaSts;
import org.mtasts.PolicyLookup;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TxtRecord;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicySyntaxException;
import org.mtasts.testkit.dns.TestDnsServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target (issue 8, item 3): a cache-hit {@code resolve} plus the MX check, the per-message
 * overhead for a busy sender, at most 250 ns/op single-threaded, scaling to 2 threads ({@code -t
 * 2}), zero allocation as the stretch goal ({@code -prof gc}).
 *
 * <ul>
 *   <li>{@code resolveAndMatchInMemoryDns}: one cached domain, in-memory DNS (TTL one day).
 *   <li>{@code resolveAndMatchDnsjavaCached}: one cached domain, the real dnsjava client against
 *       a loopback DNS server (TTL one day); the facade reuses the TXT answer within its TTL.
 *   <li>{@code resolveAndMatchManyDomains}: 10,000 cached domains visited in turn, so the cache's
 *       and the CPU caches' misses show.
 *   <li>{@code resolveNoPolicyDomain}: a domain without an MTA-STS record (most recipient
 *       domains), its "no record" answer remembered.
 *   <li>{@code resolveAndMatchTxtTtlZero}: the TXT record has TTL 0, so every lookup asks the
 *       (in-memory) DNS client again and compares the id: the path every hit took before the
 *       facade reused TXT answers within their TTL, and the path of the first lookup after a TTL
 *       runs out.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CacheHitBenchmark {
  static final String DOMAIN = "example.com";
  static final String POLICY =
      "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: mx2.example.com\n"
          + "mx: *.backup.example.net\nmax_age: 604800\n";

  static final int MANY = 10_000;
  static final String RECORD = "v=STSv1; id=20240101T000000Z;";

  MtaSts fakeDns;
  MtaSts dnsjava;
  MtaSts ttlZero;
  TestDnsServer server;
  String[] many;
  String[] manyMx;

  /** Each thread's position in {@link #many}. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    fakeDns = client(new InMemoryDns(Duration.ofDays(1)));
    server = new TestDnsServer().start();
    server.txt("_mta-sts." + DOMAIN, RECORD);
    server.defaultTtl(Duration.ofDays(1));
    dnsjava = client(DnsClient.builder().server(server.address()).build());
    ttlZero = client(new InMemoryDns(Duration.ZERO));
    check(fakeDns.resolve(DOMAIN));
    check(dnsjava.resolve(DOMAIN));
    check(ttlZero.resolve(DOMAIN));
    many = new String[MANY];
    manyMx = new String[MANY];
    for (int i = 0; i < MANY; i++) {
      many[i] = "domain-" + i + ".example";
      manyMx[i] = "mx2." + many[i];
      check(fakeDns.resolve(many[i]));
    }
    if (fakeDns.resolve("no-policy.example").policy().isPresent()) {
      throw new IllegalStateException("set-up failed: no-policy.example has a policy");
    }
  }

  private static MtaSts client(DnsClient dns) {
    return MtaSts.builder()
        .dnsClient(dns)
        .policyFetcher(
            domain -> {
              try {
                return CompletableFuture.completedFuture(
                    new FetchedPolicy(domain, "https://mta-sts." + domain + "/",
                        Policy.parseDetailed(POLICY.replace("example.com", domain)),
                        "text/plain", "TLSv1.3"));
              } catch (PolicySyntaxException e) {
                return CompletableFuture.failedFuture(e);
              }
            })
        .build();
  }

  private static void check(PolicyLookup lookup) {
    if (!lookup.isEnforced()) {
      throw new IllegalStateException("set-up failed: " + lookup);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    fakeDns.close();
    dnsjava.close();
    ttlZero.close();
    server.close();
  }

  @Benchmark
  public boolean resolveAndMatchInMemoryDns() {
    return fakeDns.resolve(DOMAIN).policy().orElseThrow().allowsMx("mx2.example.com");
  }

  @Benchmark
  public boolean resolveAndMatchDnsjavaCached() {
    return dnsjava.resolve(DOMAIN).policy().orElseThrow().allowsMx("mx2.example.com");
  }

  @Benchmark
  public boolean resolveAndMatchManyDomains(Cursor cursor) {
    int i = cursor.next;
    cursor.next = i + 1 == MANY ? 0 : i + 1;
    return fakeDns.resolve(many[i]).policy().orElseThrow().allowsMx(manyMx[i]);
  }

  @Benchmark
  public boolean resolveNoPolicyDomain() {
    return fakeDns.resolve("no-policy.example").isEnforced();
  }

  @Benchmark
  public boolean resolveAndMatchTxtTtlZero() {
    return ttlZero.resolve(DOMAIN).policy().orElseThrow().allowsMx("mx2.example.com");
  }

  /**
   * Answers TXT queries from memory, as a warm resolver cache would: every {@code _mta-sts} name
   * has the same record, except {@code _mta-sts.no-policy.example}, which has none.
   */
  static final class InMemoryDns implements DnsClient {
    private final CompletableFuture<DnsAnswer<TxtRecord>> txt;
    private final CompletableFuture<DnsAnswer<TxtRecord>> none;

    InMemoryDns(Duration ttl) {
      txt = CompletableFuture.completedFuture(
          DnsAnswer.of("_mta-sts." + DOMAIN, List.of(TxtRecord.of(RECORD)), ttl));
      none = CompletableFuture.completedFuture(
          DnsAnswer.empty("_mta-sts.no-policy.example", DnsAnswer.Status.NXDOMAIN,
              Duration.ofHours(1)));
    }

    @Override
    public CompletionStage<DnsAnswer<TxtRecord>> txt(String name) {
      return name.equals("_mta-sts.no-policy.example") ? none : txt;
    }

    @Override
    public CompletionStage<DnsAnswer<MxRecord>> mx(String name) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public CompletionStage<DnsAnswer<InetAddress>> addresses(String name) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }
  }
}
