package org.mtasts.benchmarks;

import java.util.concurrent.TimeUnit;
import org.mtasts.policy.MxPattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Target (issue 8, item 2): at most 30 ns per match, exact and wildcard. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MxMatchBenchmark {
  final MxPattern exact = MxPattern.parse("mx1.example.com");
  final MxPattern wildcard = MxPattern.parse("*.example.com");
  String mixedCaseWithDot = "MX1.Example.COM.";
  String lowerCase = "mx1.example.com";
  String deeper = "a.mx1.example.com";

  @Benchmark
  public boolean exactMixedCaseTrailingDot() {
    return exact.matches(mixedCaseWithDot);
  }

  @Benchmark
  public boolean exactLowerCase() {
    return exact.matches(lowerCase);
  }

  @Benchmark
  public boolean wildcardMixedCaseTrailingDot() {
    return wildcard.matches(mixedCaseWithDot);
  }

  @Benchmark
  public boolean wildcardTooDeep() {
    return wildcard.matches(deeper);
  }
}
