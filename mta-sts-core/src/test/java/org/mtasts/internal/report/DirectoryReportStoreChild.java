package org.mtasts.internal.report;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.mtasts.contract.ReportStoreContract;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportStore;
import org.mtasts.report.SessionResult;

/**
 * A second process on a store directory, for {@link DirectoryReportStoreTest}: prints {@code
 * ready}, waits for a line on standard input, then adds {@code adds} sessions and tries one
 * claim, and prints {@code claimed} or {@code not-claimed}.
 */
public final class DirectoryReportStoreChild extends ReportStoreContract {

  private DirectoryReportStoreChild() {}

  @Override
  protected ReportStore newStore(int maxPolicies, int maxDetails) {
    throw new UnsupportedOperationException();
  }

  /**
   * Runs the child.
   *
   * @param args the cache directory, the number of adds, the claim instant
   * @throws Exception on any failure (the exit code is then not 0)
   */
  public static void main(String[] args) throws Exception {
    ReportStore store = ReportStore.directory(Path.of(args[0]));
    int adds = Integer.parseInt(args[1]);
    Instant claimAt = Instant.parse(args[2]);
    System.out.println("ready");
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    in.readLine();
    for (int i = 0; i < adds; i++) {
      store.add(i % 2 == 0 ? success(NOON)
          : SessionResult.failure(NOON, STS, expired("192.0.2.1")));
    }
    boolean claimed = store.claim(new ReportDay("example.net", DAY), claimAt,
        Duration.ofHours(1)).isPresent();
    System.out.println(claimed ? "claimed" : "not-claimed");
  }
}
