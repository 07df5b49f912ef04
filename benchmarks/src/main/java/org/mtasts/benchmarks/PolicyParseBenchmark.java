package org.mtasts.benchmarks;

import java.util.concurrent.TimeUnit;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicyRecord;
import org.mtasts.policy.PolicySyntaxException;
import org.mtasts.policy.RecordSyntaxException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Target (issue 8, item 1): at least 1,000,000 parses/s of a typical policy, one thread. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PolicyParseBenchmark {
  static final String TYPICAL =
      "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\n"
          + "mx: *.backup.example.net\r\nmax_age: 604800\r\n";
  static final String LONG = longPolicy();
  static final String RECORD = "v=STSv1; id=20240101T000000Z;";

  private static String longPolicy() {
    StringBuilder text = new StringBuilder("version: STSv1\nmode: testing\nmax_age: 86400\n");
    for (int i = 0; i < 57; i++) {
      text.append("mx: mx").append(i).append(".mail.example.com\n");
    }
    return text.toString();
  }

  @Benchmark
  public Policy parseTypical() throws PolicySyntaxException {
    return Policy.parse(TYPICAL);
  }

  @Benchmark
  public Policy parse60Lines() throws PolicySyntaxException {
    return Policy.parse(LONG);
  }

  @Benchmark
  public PolicyRecord parseRecord() throws RecordSyntaxException {
    return PolicyRecord.parse(RECORD);
  }
}
