package org.mtasts.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the JMH benchmarks of issue 8 with JMH's GC profiler, once with one thread and once with
 * two, and prints one table: median of the measurement iterations, JMH's mean and its 99.9%
 * error, and the bytes allocated per operation. {@code benchmarks/run} calls it; it can also run
 * alone:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.mtasts.benchmarks.JmhSuite [--quick] [REGEX...]
 * </pre>
 *
 * <p>The forked JVMs get {@code -Djdk.net.hosts.file=/dev/null}, so nothing can reach the
 * machine's DNS resolver. {@code --quick} uses 2 warm-up and 3 measurement iterations of one
 * second instead of the benchmarks' own settings. REGEX selects benchmarks as JMH's command line
 * does; by default the item benchmarks of issue 8 and the TLS primitives.
 */
public final class JmhSuite {
  /** Benchmarks that run with one thread only: two threads would tell nothing new. */
  private static final List<String> SINGLE_THREADED =
      List.of("PolicyParseBenchmark", "MxMatchBenchmark", "TlsPrimitivesBenchmark");

  /** Benchmarks that also run with two threads: shared state, where scaling matters. */
  private static final List<String> ALSO_TWO_THREADS =
      List.of("CacheHitBenchmark", "TransportOverheadBenchmark");

  private JmhSuite() {}

  public static void main(String[] args) throws RunnerException {
    boolean quick = false;
    List<String> only = new ArrayList<>();
    for (String a : args) {
      if (a.equals("--quick")) {
        quick = true;
      } else {
        only.add(a);
      }
    }
    List<RunResult> results = new ArrayList<>();
    List<String> oneThread = new ArrayList<>(SINGLE_THREADED);
    oneThread.addAll(ALSO_TWO_THREADS);
    for (String benchmark : oneThread) {
      if (selected(benchmark, only)) {
        results.addAll(run(benchmark, 1, quick));
      }
    }
    for (String benchmark : ALSO_TWO_THREADS) {
      if (selected(benchmark, only)) {
        results.addAll(run(benchmark, 2, quick));
      }
    }
    print(results);
  }

  private static boolean selected(String benchmark, List<String> only) {
    return only.isEmpty() || only.stream().anyMatch(benchmark::matches);
  }

  private static Collection<RunResult> run(String benchmark, int threads, boolean quick)
      throws RunnerException {
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include("org\\.mtasts\\.benchmarks\\." + benchmark + "\\.")
            .threads(threads)
            .addProfiler(GCProfiler.class)
            // Every name the benchmarks use is answered by a testkit server on loopback: any
            // lookup through the JVM's resolver would fail rather than leave the machine.
            // The JDK's TLS on both sides of a comparison: Conscrypt is on this class path and
            // the library would pick it up for the MTA-STS side only (issue 16).
            .jvmArgsAppend("-Djdk.net.hosts.file=/dev/null", "-Dorg.mtasts.tls.provider=jdk");
    if (quick) {
      options
          .warmupIterations(2)
          .warmupTime(TimeValue.seconds(1))
          .measurementIterations(3)
          .measurementTime(TimeValue.seconds(1));
    }
    return new Runner(options.build()).run();
  }

  private static void print(List<RunResult> results) {
    System.out.println();
    System.out.printf(Locale.ROOT, "%s, %s, %d CPUs%n", System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-58s %3s %14s %24s %10s%n", "benchmark", "thr", "median",
        "mean ± error (99.9%)", "B/op");
    for (RunResult r : results) {
      Result<?> primary = r.getPrimaryResult();
      Statistics s = primary.getStatistics();
      Map<String, Result> secondary = r.getSecondaryResults();
      Result<?> alloc = secondary.get("gc.alloc.rate.norm");
      String name = r.getParams().getBenchmark().replace("org.mtasts.benchmarks.", "");
      System.out.printf(Locale.ROOT, "%-58s %3d %14s %24s %10s%n", name, r.getParams().getThreads(),
          format(s.getPercentile(50)) + " " + primary.getScoreUnit(),
          format(s.getMean()) + " ± " + format(primary.getScoreError()),
          alloc == null ? "-" : String.format(Locale.ROOT, "%.0f", alloc.getScore()));
    }
  }

  private static String format(double value) {
    if (Double.isNaN(value)) {
      return "-";
    }
    return value >= 1000
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.1f", value);
  }
}
