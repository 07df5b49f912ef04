package org.mtasts.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.mtasts.FetchedPolicy;
import org.mtasts.MtaSts;
import org.mtasts.PolicyLookup;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TxtRecord;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicySyntaxException;

/**
 * Issue 8, item 5: retained heap per cached policy (target: at most 1 KiB with 3 MX patterns) and
 * whether a cache of 1,000,000 domains fits in a 1 GiB heap.
 *
 * <p>Heap-delta method: for each size K, a fresh {@link MtaSts} with an in-memory DNS client and a
 * fake fetcher (no network, no dnsjava response cache) resolves K distinct domains, each with its
 * own policy text of three MX patterns; used heap is read after repeated {@code System.gc()} before
 * and after, and the difference is divided by K. Everything the client keeps per domain counts:
 * the policy cache entry and its Caffeine node, the domain key, the parsed policy, and the
 * fetch-gate state (the policy text is written to the store, if any, and not kept). Domain names
 * are made on the fly so that only the client holds them. The figure is an average over K entries,
 * including the cache's table. It is measured twice: just after the fill, and after moving the
 * client's clock two minutes on, when the per-domain fetch-gate state has expired and only the
 * cache proper remains.
 *
 * <pre>
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar org.mtasts.benchmarks.CacheFootprint \
 *     10000 100000 1000000
 * </pre>
 *
 * <p>Options: {@code --histogram} prints the top of the class histogram after each measurement;
 * {@code --fill-rate N} moves the client's clock on by 1/N s before each new domain, as if N new
 * domains arrived each second (the default is a clock that stands still, so every fetch-gate
 * state is still alive at the end of the fill); {@code --hit-again} resolves every domain a second
 * time after the fill, so that each entry also holds its cache-hit result.
 */
public final class CacheFootprint {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private static boolean histogram;

  private CacheFootprint() {}

  /** New domains per second of the client's clock during the fill; 0: the clock stands still. */
  private static int fillRate;

  /** Whether each domain is resolved again from the cache after the fill. */
  private static boolean hitAgain;

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--histogram")) {
        histogram = true;
      } else if (a.equals("--hit-again")) {
        hitAgain = true;
      } else if (a.equals("--fill-rate")) {
        fillRate = Integer.parseInt(args[++i].replace("_", ""));
      } else {
        sizes.add(Integer.parseInt(a.replace("_", "")));
      }
    }
    if (sizes.isEmpty()) {
      sizes = List.of(10_000, 100_000);
    }
    System.out.printf(Locale.ROOT, "fill rate %s%n",
        fillRate > 0 ? String.format(Locale.ROOT, "%,d domains per second of the client's clock",
            fillRate) : "unlimited (the client's clock stands still during the fill)");
    System.out.printf(Locale.ROOT, "max heap %d MiB, %s %s, GC %s%n",
        Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        ManagementFactory.getGarbageCollectorMXBeans().get(0).getName());
    for (int k : sizes) {
      measure(k);
    }
  }

  private static void measure(int k) throws Exception {
    MovableClock clock = new MovableClock();
    MtaSts sts = client(k, clock);
    sts.resolve("class-loading.example"); // load every class on the path before the baseline
    sts.cache().invalidateAll();
    long before = usedAfterGc();
    long start = System.nanoTime();
    Duration step = fillRate > 0 ? Duration.ofNanos(1_000_000_000L / fillRate) : Duration.ZERO;
    for (int i = 0; i < k; i++) {
      clock.advance(step);
      PolicyLookup lookup = sts.resolve(PolicyWorld.domain(i));
      if (lookup.status() != PolicyLookup.Status.VALID) {
        throw new IllegalStateException("not cached: " + lookup);
      }
    }
    if (hitAgain) {
      for (int i = 0; i < k; i++) {
        if (sts.resolve(PolicyWorld.domain(i)).source().orElseThrow()
            != PolicyLookup.Source.CACHE) {
          throw new IllegalStateException("not a cache hit: " + PolicyWorld.domain(i));
        }
      }
    }
    long fillNanos = System.nanoTime() - start;
    long after = usedAfterGc();
    if (histogram) {
      printHistogram();
    }
    report("just filled", k, sts, before, after, fillNanos);
    // Two minutes later the per-domain fetch-gate state (kept for the 1-minute new-id interval)
    // has expired; writes run the cache maintenance that drops it. What stays is what a cache
    // filled over hours holds.
    clock.advance(Duration.ofMinutes(2));
    for (int i = 0; i < k / 1000 + 10; i++) { // each maintenance run expires a bounded batch
      sts.resolve("maintenance.example");
      sts.cache().invalidate("maintenance.example");
    }
    long aged = usedAfterGc();
    if (histogram) {
      printHistogram();
    }
    report("2 min later", k, sts, before, aged, fillNanos);
    Reference.reachabilityFence(sts);
    sts.close();
  }

  private static void report(String when, int k, MtaSts sts, long before, long after,
      long fillNanos) {
    int cached = sts.cache().policies().size(); // after the measurement: the list is garbage
    long delta = after - before;
    System.out.printf(Locale.ROOT,
        "%,d domains, %s (%,d cached): heap %,d -> %,d bytes, +%,d bytes = %.0f bytes per cached"
            + " policy; filled in %.1f s; 1,000,000 would need about %.0f MiB%n",
        k, when, cached, before, after, delta, (double) delta / k, fillNanos / 1e9,
        (double) delta / k * 1_000_000 / (1 << 20));
  }

  private static MtaSts client(int k, Clock clock) {
    return MtaSts.builder()
        .clock(clock)
        .dnsClient(new AnyNameDns())
        .maximumCachedPolicies(k + 1) // room for maintenance.example
        .policyFetcher(
            domain -> {
              try {
                return CompletableFuture.completedFuture(
                    new FetchedPolicy(domain, "https://mta-sts." + domain
                        + "/.well-known/mta-sts.txt",
                        Policy.parseDetailed(PolicyWorld.policyText(domain)), "text/plain",
                        "TLSv1.3"));
              } catch (PolicySyntaxException e) {
                return CompletableFuture.failedFuture(e);
              }
            })
        .build();
  }

  /** Prints the top of {@code jcmd <pid> GC.class_histogram}: where the bytes are. */
  private static void printHistogram() throws Exception {
    String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p =
        new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()),
                "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String text =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    text.lines().limit(35).forEach(System.out::println);
  }

  /** Used heap after collections stop freeing memory. */
  private static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(50);
      long now = MEMORY.getHeapMemoryUsage().getUsed();
      if (i >= 3 && Math.abs(used - now) < 64 * 1024) {
        return now;
      }
      used = now;
    }
    return used;
  }

  /** A clock that moves only when told. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      // A new object on every call, as Clock.systemUTC() gives: a shared instance would let the
      // cached instants share it too, and the figure would come out too low.
      return Instant.ofEpochSecond(now.getEpochSecond(), now.getNano());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /** Answers every {@code _mta-sts} TXT query with the same id, from memory. */
  static final class AnyNameDns implements DnsClient {
    @Override
    public CompletionStage<DnsAnswer<TxtRecord>> txt(String name) {
      return CompletableFuture.completedFuture(
          DnsAnswer.of(name, List.of(TxtRecord.of("v=STSv1; id=20260101T000000Z;")),
              Duration.ofDays(1)));
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
