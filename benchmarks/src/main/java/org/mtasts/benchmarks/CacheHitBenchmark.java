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
 * overhead for a busy sender, at most 250 ns/op single-threaded. Two DNS set-ups: an in-memory
 * DNS client (the facade's own cost), and the real dnsjava client answering from its response
 * cache (what production pays once the TXT answer is cached).
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

  MtaSts fakeDns;
  MtaSts dnsjava;
  TestDnsServer server;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    fakeDns = client(new InMemoryDns());
    server = new TestDnsServer().start();
    server.txt("_mta-sts." + DOMAIN, "v=STSv1; id=20240101T000000Z;");
    server.defaultTtl(Duration.ofDays(1));
    dnsjava = client(DnsClient.builder().server(server.address()).build());
    check(fakeDns.resolve(DOMAIN));
    check(dnsjava.resolve(DOMAIN));
  }

  private static MtaSts client(DnsClient dns) {
    return MtaSts.builder()
        .dnsClient(dns)
        .policyFetcher(
            domain -> {
              try {
                return CompletableFuture.completedFuture(
                    new FetchedPolicy(domain, "https://mta-sts." + domain + "/",
                        Policy.parseDetailed(POLICY), "text/plain", "TLSv1.3"));
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

  /** Answers the one TXT query from memory, as a warm resolver cache would. */
  static final class InMemoryDns implements DnsClient {
    private final CompletableFuture<DnsAnswer<TxtRecord>> txt =
        CompletableFuture.completedFuture(
            DnsAnswer.of("_mta-sts." + DOMAIN,
                List.of(TxtRecord.of("v=STSv1; id=20240101T000000Z;")), Duration.ofDays(1)));

    @Override
    public CompletionStage<DnsAnswer<TxtRecord>> txt(String name) {
      return txt;
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
