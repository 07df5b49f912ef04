package org.mtasts.benchmarks;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.PolicyLookup;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.tls.KeyType;

/**
 * Issue 8, item 4: cold resolution. Resolves distinct domains with an empty cache (TXT lookup,
 * A/AAAA lookup of {@code mta-sts.<domain>}, HTTPS fetch with a full TLS handshake, parse) against
 * the testkit on loopback, with a fixed number of lookups in flight. Reports domains/s, latency
 * percentiles, the threads the client used, and the client's CPU time per domain (target: at most
 * 0.5 ms), with the servers' CPU measured separately.
 *
 * <p>Not a JMH benchmark: "64 lookups in flight over fresh domains" is an open workload that JMH's
 * per-invocation model does not express. The harness warms up (JIT) on a first batch of distinct
 * domains, then measures one or more rounds, each over fresh domains never resolved before.
 *
 * <p><b>Where the CPU goes.</b> By default the DNS and HTTPS servers run in a separate JVM started
 * by this program, so this JVM's process CPU time ({@code OperatingSystemMXBean.getProcessCpuTime},
 * which includes GC and JIT threads) is the client's alone, and the server process reports its own.
 * With {@code --in-process} the servers run in this JVM and CPU is split by thread name instead,
 * which misses GC, JIT and threads that ended during the round.
 *
 * <p><b>Baseline.</b> With {@code --baseline-tls} each library round is followed by a round over as
 * many other domains of the same world in which each domain costs only what the JDK needs: a raw
 * JSSE handshake set up like the library's fetcher and one minimal HTTP/1.1 GET ({@link
 * RawTlsFetcher}), with the same number in flight. The difference of the two rounds' client CPU
 * per domain is the library's own CPU (DNS, OkHttp, the fetcher, the cache, their garbage).
 *
 * <p>{@code --ca-key RSA_2048 --leaf-key RSA_2048} measures an all-RSA chain, as most public
 * policy hosts present; {@code --shared-leaf-key} gives all leaves one key pair, which saves
 * generating thousands of RSA keys.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.mtasts.benchmarks.ColdResolutionBenchmark \
 *     --domains 2000 --warmup-domains 2000 --rounds 3 --in-flight 64 [--baseline-tls]
 * </pre>
 */
public final class ColdResolutionBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private ColdResolutionBenchmark() {}

  public static void main(String[] args) throws Exception {
    int domains = 2000;
    int warmup = -1;
    int rounds = 3;
    int inFlight = 64;
    boolean inProcess = false;
    boolean addressLookup = true;
    String dnsExecutor = "default";
    KeyType leafKey = KeyType.EC_P256;
    KeyType caKey = KeyType.EC_P256;
    boolean baseline = false;
    boolean sharedLeafKey = false;
    int baselineThreads = 16; // the library's default fetch pool
    String provider = "jdk";
    boolean fetcherOnly = false;
    String world = null;
    int single = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--domains" -> domains = Integer.parseInt(args[++i]);
        case "--warmup-domains" -> warmup = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
        case "--in-process" -> inProcess = true;
        case "--no-address-lookup" -> addressLookup = false;
        case "--dns-executor" -> dnsExecutor = args[++i];
        case "--leaf-key" -> leafKey = KeyType.valueOf(args[++i]);
        case "--ca-key" -> caKey = KeyType.valueOf(args[++i]);
        case "--baseline-tls" -> baseline = true;
        case "--shared-leaf-key" -> sharedLeafKey = true;
        case "--baseline-threads" -> baselineThreads = Integer.parseInt(args[++i]);
        case "--provider" -> provider = args[++i];
        case "--fetcher-only" -> fetcherOnly = true;
        case "--world" -> world = args[++i];
        case "--single" -> single = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: ColdResolutionBenchmark [--domains N] [--warmup-domains W]"
              + " [--rounds R] [--in-flight F] [--in-process] [--no-address-lookup]"
              + " [--dns-executor default|direct|pool] [--leaf-key EC_P256|RSA_2048]"
              + " [--ca-key EC_P256|RSA_2048] [--shared-leaf-key]"
              + " [--baseline-tls [--baseline-threads T]] [--provider jdk|conscrypt]"
              + " [--fetcher-only] [--world DNS_PORT:HTTPS_PORT:CA_PEM[:PID]] [--single N]");
          System.exit(2);
        }
      }
    }
    if (warmup < 0) {
      warmup = domains;
    }
    if (provider.equals("conscrypt")) {
      // The client's TLS and signature checks then run in BoringSSL; the servers keep the JDK's.
      java.security.Security.insertProviderAt(org.conscrypt.Conscrypt.newProvider(), 1);
    } else if (!provider.equals("jdk")) {
      throw new IllegalArgumentException("--provider jdk|conscrypt, not " + provider);
    }
    // Conscrypt is on this program's class path, so the library would pick it up by itself
    // (issue 16): the library's TLS follows --provider unless -Dorg.mtasts.tls.provider says.
    if (System.getProperty("org.mtasts.tls.provider") == null) {
      System.setProperty("org.mtasts.tls.provider", provider);
    }
    System.out.println("client security provider: " + java.security.Security.getProviders()[0]
        + "; the library's TLS: -Dorg.mtasts.tls.provider="
        + System.getProperty("org.mtasts.tls.provider"));
    int total = warmup + rounds * domains + single;
    // The baseline gets domains of its own: the JDK's CertificateFactory keeps the last 750
    // certificates it parsed and an X509CertImpl remembers a successful signature check, so a
    // handshake with a host the library has just fetched from would skip the leaf's verification.
    int worldSize = baseline ? 2 * total : total;
    System.out.printf(Locale.ROOT,
        "cold resolution: %d warm-up + %d x %d measured domains, %d in flight, servers %s,"
            + " policy host address %s, DNS continuations on %s executor, %s leaf keys%s, %s CA%n",
        warmup, rounds, domains, inFlight, inProcess ? "in this JVM" : "in a separate JVM",
        addressLookup ? "looked up in DNS (A+AAAA)" : "from a static map", dnsExecutor, leafKey,
        sharedLeafKey ? " (one key pair shared by all leaves)" : "", caKey);
    if (baseline) {
      System.out.printf(Locale.ROOT,
          "baseline: after each library round, a round of raw JSSE fetches (TLS handshake + one"
              + " HTTP/1.1 GET, no library, no DNS) on %d threads over %d other domains%n",
          baselineThreads, domains);
    }
    System.out.printf(Locale.ROOT, "machine: %d CPUs, %s %s, load average %.2f%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), OS.getSystemLoadAverage());
    long setupStart = System.nanoTime();
    try (ColdServers servers = world != null
        ? ColdServers.external(world)
        : inProcess
            ? ColdServers.inProcess(worldSize, leafKey, caKey, sharedLeafKey)
            : ColdServers.childProcess(worldSize, leafKey, caKey, sharedLeafKey)) {
      System.out.printf(Locale.ROOT, "set-up (certificates for %d hosts): %.1f s%n", worldSize,
          (System.nanoTime() - setupStart) / 1e9);
      DnsClient.Builder dnsBuilder = DnsClient.builder().server(servers.dns());
      switch (dnsExecutor) {
        case "default" -> { } // the library's default: the common pool
        case "direct" -> dnsBuilder.executor(Runnable::run); // on dnsjava's selector thread
        case "pool" -> dnsBuilder.executor(Executors.newFixedThreadPool(2, r -> {
          Thread t = new Thread(r, "benchmark-dns-continuation");
          t.setDaemon(true);
          return t;
        }));
        default -> throw new IllegalArgumentException("--dns-executor " + dnsExecutor);
      }
      DnsClient dns = dnsBuilder.build();
      int httpsPort = servers.httpsPort();
      HostResolver hosts;
      if (addressLookup) {
        // The production resolver (A and AAAA through the library's DNS client), but connecting
        // to the policy server's port instead of 443.
        HostResolver viaDns = HostResolver.dns(dns);
        hosts = (host, port) -> viaDns.resolve(host, httpsPort);
      } else {
        InetSocketAddress https = new InetSocketAddress(InetAddress.getLoopbackAddress(), httpsPort);
        hosts = (host, port) -> List.of(https);
      }
      try (MtaSts sts =
          MtaSts.builder()
              .dnsClient(dns)
              .hostResolver(hosts)
              .trustManager(servers.trust())
              .allowPrivateAddresses(true) // the servers are on 127.0.0.1
              .maximumCachedPolicies(Math.max(total, 1000))
              .build();
          RawTlsFetcher raw = baseline
              ? new RawTlsFetcher(servers.trust(), httpsPort, baselineThreads)
              : null) {
        Workload library = (domain, done) -> sts.resolveAsync(domain).whenComplete(
            (lookup, error) -> done.accept(
                error == null
                        && lookup.status() == PolicyLookup.Status.VALID
                        && lookup.source().orElseThrow() == PolicyLookup.Source.FETCHED
                    ? null
                    : domain + ": " + (error != null ? error : lookup)));
        if (fetcherOnly) {
          // The library's fetcher alone, as the facade builds it: no TXT lookup, no cache.
          org.mtasts.PolicyFetcher fetcher =
              org.mtasts.PolicyFetcher.https()
                  .hostResolver(hosts)
                  .trustManager(servers.trust())
                  .allowPrivateAddresses(true)
                  .build();
          library = (domain, done) -> fetcher.fetch(domain).whenComplete(
              (fetched, error) -> done.accept(error == null ? null : domain + ": " + error));
        }
        Round w = run(library, servers, 0, warmup, inFlight);
        w.print("warm-up");
        if (raw != null) {
          run(raw, servers, total, total + warmup, inFlight).print("baseline warm-up");
        }
        List<Round> measured = new ArrayList<>();
        List<Round> baselines = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          int from = warmup + r * domains;
          Round m = run(library, servers, from, from + domains, inFlight);
          m.print("round " + (r + 1));
          measured.add(m);
          if (raw != null) {
            Round b = run(raw, servers, total + from, total + from + domains, inFlight);
            b.print("baseline round " + (r + 1));
            baselines.add(b);
          }
        }
        summary(measured);
        if (raw != null) {
          baselineSummary(measured, baselines);
        }
        Round alone = null;
        if (single > 0) {
          // One lookup at a time, nothing else in flight: the latency an MTA waits for a new
          // domain (issue 16's goal: <= 10 ms on loopback).
          int from = warmup + rounds * domains;
          alone = run(library, servers, from, from + single, 1);
          alone.print("one at a time");
        }
        double[] perSecond = measured.stream().mapToDouble(Round::perSecond).sorted().toArray();
        double[] cpu = measured.stream().mapToDouble(Round::cpuMsPerDomain).sorted().toArray();
        double[] p50 = measured.stream().mapToDouble(r -> r.percentileMs(50)).sorted().toArray();
        double[] p99 = measured.stream().mapToDouble(r -> r.percentileMs(99)).sorted().toArray();
        // One line for scripts (benchmarks/cold-burst.sh): medians over the measured rounds.
        System.out.printf(Locale.ROOT,
            "RESULT domains_per_s=%.0f cpu_ms_per_domain=%.3f p50_ms=%.1f p99_ms=%.1f"
                + " peak_rss_mib=%.0f single_p50_ms=%s single_p99_ms=%s%n",
            perSecond[perSecond.length / 2], cpu[cpu.length / 2], p50[p50.length / 2],
            p99[p99.length / 2], peakRssKib() / 1024.0,
            alone == null ? "-" : String.format(Locale.ROOT, "%.1f", alone.percentileMs(50)),
            alone == null ? "-" : String.format(Locale.ROOT, "%.1f", alone.percentileMs(99)));
      }
    }
  }

  // ---------------------------------------------------------------------------------- one round

  /** One lookup of a domain; {@code done} gets null on success or a description of the problem. */
  interface Workload {
    void start(String domain, java.util.function.Consumer<String> done);
  }

  private static Round run(Workload workload, ColdServers servers, int from, int to, int inFlight)
      throws Exception {
    int n = to - from;
    long[] latencies = new long[n];
    Semaphore slots = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(n);
    AtomicInteger fetched = new AtomicInteger();
    AtomicReference<String> firstProblem = new AtomicReference<>();
    AtomicInteger problems = new AtomicInteger();

    System.gc(); // start each round with a clean heap, outside the measurement
    ThreadSampler sampler = new ThreadSampler();
    Map<Long, long[]> threadsBefore = threadCpu();
    long gcBefore = gcMillis();
    long serverCpuBefore = servers.cpuNanos();
    THREADS.resetPeakThreadCount();
    long cpuBefore = OS.getProcessCpuTime();
    long start = System.nanoTime();
    sampler.start();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      int index = i;
      String domain = PolicyWorld.domain(from + i);
      long t0 = System.nanoTime();
      workload.start(
          domain,
          problem -> {
            latencies[index] = System.nanoTime() - t0;
            if (problem == null) {
              fetched.incrementAndGet();
            } else {
              problems.incrementAndGet();
              firstProblem.compareAndSet(null, problem);
            }
            slots.release();
            done.countDown();
          });
    }
    if (!done.await(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException("round did not finish in 10 minutes");
    }
    long wall = System.nanoTime() - start;
    long samplerCpu = sampler.finish();
    long cpu = OS.getProcessCpuTime() - cpuBefore - samplerCpu; // the harness's sampler is not the client

    long serverCpu = servers.cpuNanos();
    int peakThreads = THREADS.getPeakThreadCount();
    long gc = gcMillis() - gcBefore;
    Map<Long, long[]> threadsAfter = threadCpu();
    Arrays.sort(latencies);
    Map<String, Long> byGroup = groupDeltas(threadsBefore, threadsAfter);
    long serverCpuDelta;
    if (serverCpuBefore >= 0) {
      serverCpuDelta = serverCpu - serverCpuBefore;
    } else {
      // ColdServers in this JVM: their live threads' CPU is taken out of the process CPU. Server
      // threads that ended during the round (idle HTTPS workers end after 2 s) are missed, so the
      // server figure is low and the client figure high.
      serverCpuDelta = 0;
      for (Map.Entry<String, Long> e : byGroup.entrySet()) {
        if (e.getKey().startsWith("TestDnsServer-") || e.getKey().startsWith("mta-sts-testkit-")) {
          serverCpuDelta += e.getValue();
        }
      }
      cpu -= serverCpuDelta;
    }
    return new Round(n, fetched.get(), problems.get(), firstProblem.get(), wall, cpu,
        serverCpuDelta, gc, peakThreads, latencies, byGroup, sampler.maxByGroup);
  }

  /**
   * Counts live threads by group every 10 ms during a round and keeps the largest count of each,
   * since threads that come and go are missed by an end-of-round snapshot. Its own CPU time is
   * subtracted from the client's.
   */
  private static final class ThreadSampler extends Thread {
    final Map<String, Integer> maxByGroup = new TreeMap<>();
    private volatile boolean running = true;

    ThreadSampler() {
      super("benchmark-thread-sampler");
      setDaemon(true);
    }

    @Override
    public void run() {
      while (running) {
        Map<String, Integer> now = liveGroups();
        synchronized (maxByGroup) {
          now.forEach((group, count) -> maxByGroup.merge(group, count, Math::max));
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** Stops sampling and returns the CPU time the sampler used. */
    long finish() throws InterruptedException {
      long cpu = THREADS.getThreadCpuTime(getId());
      running = false;
      join();
      return Math.max(0, cpu);
    }
  }

  private record Round(int domains, int fetched, int problems, String firstProblem, long wallNanos,
      long cpuNanos, long serverCpuNanos, long gcMillis, int peakThreads, long[] sortedLatencies,
      Map<String, Long> cpuByGroup, Map<String, Integer> maxLiveByGroup) {
    double perSecond() {
      return domains / (wallNanos / 1e9);
    }

    double cpuMsPerDomain() {
      return cpuNanos / 1e6 / domains;
    }

    double serverCpuMsPerDomain() {
      return serverCpuNanos / 1e6 / domains;
    }

    double percentileMs(double p) {
      int i = (int) Math.ceil(p / 100.0 * sortedLatencies.length) - 1;
      return sortedLatencies[Math.max(0, i)] / 1e6;
    }

    void print(String name) {
      PrintWriter out = new PrintWriter(System.out, true);
      out.printf(Locale.ROOT,
          "%s: %d domains, %d fetched, %d problems in %.2f s = %.0f domains/s; latency p50 %.1f"
              + " ms, p99 %.1f ms, max %.1f ms; client CPU %.3f ms/domain; server CPU %s;"
              + " GC %d ms; peak threads %d%n",
          name, domains, fetched, problems, wallNanos / 1e9, perSecond(), percentileMs(50),
          percentileMs(99), sortedLatencies[sortedLatencies.length - 1] / 1e6, cpuMsPerDomain(),
          String.format(Locale.ROOT, "%.3f ms/domain", serverCpuMsPerDomain()),
          gcMillis, peakThreads);
      if (firstProblem != null) {
        out.println("  first problem: " + firstProblem);
      }
      long attributed = 0;
      out.println("  CPU by thread group (threads alive at the end of the round), ms/domain:");
      for (Map.Entry<String, Long> e : cpuByGroup.entrySet()) {
        if (e.getValue() >= 1_000_000) {
          out.printf(Locale.ROOT, "    %-48s %.3f%n", e.getKey(), e.getValue() / 1e6 / domains);
        }
        attributed += e.getValue();
      }
      out.printf(Locale.ROOT, "    %-48s %.3f%n",
          "(not in a live thread: GC, JIT, VM, ended threads)",
          (cpuNanos - attributed) / 1e6 / domains);
      out.println("  most threads alive at once, by group (sampled every 10 ms): " + maxLiveByGroup);
    }
  }

  private static void summary(List<Round> rounds) {
    System.out.println();
    System.out.println("round  domains/s  p50 ms  p99 ms  client CPU ms/domain  server CPU ms/domain"
        + "  peak threads");
    for (int i = 0; i < rounds.size(); i++) {
      Round r = rounds.get(i);
      System.out.printf(Locale.ROOT, "%5d  %9.0f  %6.1f  %6.1f  %20.3f  %20.3f  %12d%n", i + 1,
          r.perSecond(), r.percentileMs(50), r.percentileMs(99), r.cpuMsPerDomain(),
          r.serverCpuMsPerDomain(), r.peakThreads());
    }
    double[] cpu = rounds.stream().mapToDouble(Round::cpuMsPerDomain).sorted().toArray();
    System.out.printf(Locale.ROOT, "median client CPU: %.3f ms/domain (target <= 0.5)%n",
        cpu[cpu.length / 2]);
  }

  private static void baselineSummary(List<Round> library, List<Round> baseline) {
    System.out.println();
    System.out.println("round  library CPU  baseline CPU  library - baseline   (client, ms/domain;"
        + " baseline = raw JSSE handshake + GET, no DNS)   baseline domains/s  baseline server CPU");
    double[] own = new double[library.size()];
    for (int i = 0; i < library.size(); i++) {
      Round l = library.get(i);
      Round b = baseline.get(i);
      own[i] = l.cpuMsPerDomain() - b.cpuMsPerDomain();
      System.out.printf(Locale.ROOT, "%5d  %11.3f  %12.3f  %18.3f   %61.0f  %19.3f%n", i + 1,
          l.cpuMsPerDomain(), b.cpuMsPerDomain(), own[i], b.perSecond(), b.serverCpuMsPerDomain());
    }
    double[] base = baseline.stream().mapToDouble(Round::cpuMsPerDomain).sorted().toArray();
    Arrays.sort(own);
    System.out.printf(Locale.ROOT,
        "median baseline (JDK TLS + minimal HTTP) CPU: %.3f ms/domain; median library's own CPU"
            + " (library - baseline, per round): %.3f ms/domain%n",
        base[base.length / 2], own[own.length / 2]);
  }

  // ---------------------------------------------------------------------------------- threads

  private static Map<Long, long[]> threadCpu() {
    Map<Long, long[]> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long t = THREADS.getThreadCpuTime(id);
      if (t >= 0) {
        cpu.put(id, new long[] {t});
      }
    }
    return cpu;
  }

  /** CPU used per thread group between the two snapshots, for threads alive at the end. */
  private static Map<String, Long> groupDeltas(Map<Long, long[]> before, Map<Long, long[]> after) {
    Map<String, Long> byGroup = new TreeMap<>();
    for (Map.Entry<Long, long[]> e : after.entrySet()) {
      ThreadInfo info = THREADS.getThreadInfo(e.getKey());
      if (info == null || info.getThreadName().equals("benchmark-thread-sampler")) {
        continue;
      }
      long[] b = before.get(e.getKey());
      long delta = e.getValue()[0] - (b == null ? 0 : b[0]);
      byGroup.merge(group(info.getThreadName()), delta, Long::sum);
    }
    return byGroup;
  }

  private static Map<String, Integer> liveGroups() {
    Map<String, Integer> live = new TreeMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null) {
        live.merge(group(info.getThreadName()), 1, Integer::sum);
      }
    }
    return live;
  }

  /** A thread's pool: its name with numbers replaced by {@code #}. */
  private static String group(String threadName) {
    return threadName.replaceAll("[0-9]+", "#");
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  // ---------------------------------------------------------------------------------- servers

  /** This process's peak resident set (VmHWM), in KiB; 0 where /proc is missing. */
  private static long peakRssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return 0;
  }
}
