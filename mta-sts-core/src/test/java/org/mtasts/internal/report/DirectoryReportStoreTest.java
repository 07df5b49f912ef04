package org.mtasts.internal.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.CapturedLog;
import org.mtasts.contract.ReportStoreContract;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportClaim;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionResult;

/** {@link ReportStore#directory} keeps the store contract, survives restarts and damage. */
class DirectoryReportStoreTest extends ReportStoreContract {

  @TempDir Path temp;
  private int stores;
  private Path lastDir;
  private int lastMaxPolicies;
  private int lastMaxDetails;

  @Override
  protected ReportStore newStore(int maxPolicies, int maxDetails) {
    lastDir = temp.resolve("cache" + stores++);
    lastMaxPolicies = maxPolicies;
    lastMaxDetails = maxDetails;
    return new DirectoryReportStore(lastDir, maxPolicies, maxDetails);
  }

  @Override
  protected ReportStore sameStore(ReportStore store) {
    return new DirectoryReportStore(lastDir, lastMaxPolicies, lastMaxDetails);
  }

  @Override
  protected int concurrentAdds() {
    return 400; // each add reads, writes and syncs a file
  }

  private Path dayFile() {
    return lastDir.resolve("tlsrpt").resolve(DAY.toString()).resolve("example.net.json");
  }

  @Test
  @DisplayName("counts, claims and completed days survive a restart (a new store on the directory)")
  void survivesRestart() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    store.add(SessionResult.failure(NOON, STS, expired("192.0.2.7")));
    store.add(SessionResult.success(NOON, ReportPolicy.noPolicyFound("done.example")));
    ReportDay done = new ReportDay("done.example", DAY);
    store.complete(store.claim(done, NOON, LEASE).orElseThrow());
    ReportClaim claim = store.claim(EXAMPLE_NET, NOON, LEASE).orElseThrow();
    ReportStore restarted = ReportStore.directory(lastDir);
    assertEquals(List.of(EXAMPLE_NET), restarted.days());
    assertEquals(List.of(new PolicyTally(STS, 1, 1, Map.of(expired("192.0.2.7"), 1L))),
        restarted.tallies(EXAMPLE_NET));
    assertEquals(Optional.empty(), restarted.claim(EXAMPLE_NET, NOON, LEASE));
    restarted.release(claim, NOON);
    assertEquals(1, restarted.claim(EXAMPLE_NET, NOON, LEASE).orElseThrow().attempt());
    restarted.add(SessionResult.success(NOON, ReportPolicy.noPolicyFound("done.example")));
    assertEquals(List.of(), restarted.tallies(done), "still completed after the restart");
  }

  @Test
  @DisplayName("layout: tlsrpt/<day>/<domain>.json, versioned JSON, owner-only permissions")
  void layoutAndPermissions() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    String json = Files.readString(dayFile());
    assertTrue(json.startsWith("{\"format\":\"mta-sts-tlsrpt-day\",\"version\":1,"), json);
    assertEquals("ReportStore.directory(" + lastDir + ")", store.toString());
    assumeTrue(temp.getFileSystem().supportedFileAttributeViews().contains("posix"));
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dayFile())));
    assertEquals("rwx------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dayFile().getParent())));
    assertEquals("rwx------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(lastDir.resolve("tlsrpt"))));
  }

  @Test
  @DisplayName("TLSRPT-JSON-05: hostile strings are kept exactly, unpaired surrogates too")
  void hostileStrings_roundTrip_TLSRPT_JSON_05() throws Exception {
    ReportStore store = newStore();
    FailureDetail hostile = new FailureDetail(ResultType.VALIDATION_FAILURE, "2001:db8::1",
        "mx1.example.net", "a\"b\r\nc\u0000\u2028\ud800", "192.0.2.1", "x\\y\udc00", null);
    ReportPolicy policy = ReportPolicy.sts("example.net", List.of("mode: \"testing\"\t\u0085"),
        List.of("*.example.net"));
    store.add(SessionResult.failure(NOON, policy, hostile));
    assertEquals(List.of(new PolicyTally(policy, 0, 1, Map.of(hostile, 1L))),
        ReportStore.directory(lastDir).tallies(EXAMPLE_NET));
  }

  @Test
  @DisplayName("a domain too long for a file name is kept under its hash")
  void longDomain_hashedName() throws Exception {
    String label = "a".repeat(63);
    String domain = String.join(".", label, label, label, "b".repeat(57)) + ".net";
    assertEquals(253, domain.length());
    ReportStore store = newStore();
    store.add(SessionResult.success(NOON, ReportPolicy.noPolicyFound(domain)));
    ReportDay day = new ReportDay(domain, DAY);
    assertEquals(List.of(day), ReportStore.directory(lastDir).days());
    assertEquals(1, store.tallies(day).size());
    try (var files = Files.list(lastDir.resolve("tlsrpt").resolve(DAY.toString()))) {
      assertTrue(files.allMatch(f -> f.getFileName().toString().startsWith("_sha256_")));
    }
  }

  @Test
  @DisplayName("a truncated file is skipped with a WARN, then moved aside and started afresh")
  void truncatedFile_skippedThenReplaced() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    store.add(SessionResult.success(NOON, ReportPolicy.noPolicyFound("other.example")));
    byte[] whole = Files.readAllBytes(dayFile());
    Files.write(dayFile(), Arrays.copyOf(whole, whole.length / 2));
    try (CapturedLog log = CapturedLog.start()) {
      assertEquals(List.of(new ReportDay("other.example", DAY)), store.days());
      assertEquals(List.of(), store.tallies(EXAMPLE_NET));
      assertEquals(Optional.empty(), store.claim(EXAMPLE_NET, NOON, LEASE));
      assertEquals(1, log.lines("WARN").size(), log.text());
      assertTrue(log.text().contains("example.net.json"), log.text());
      store.add(success(NOON));
      assertTrue(log.lines("moved aside").size() == 1, log.text());
    }
    assertEquals(1, store.tallies(EXAMPLE_NET).get(0).successfulSessions());
    assertTrue(Files.exists(dayFile().resolveSibling("example.net.json.corrupt")));
  }

  @Test
  @DisplayName("a garbage file (not JSON, not UTF-8, a directory) is skipped and never thrown")
  void garbage_skipped() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    for (byte[] garbage : List.of(new byte[] {(byte) 0xff, 0, 1, 2, '{'},
        "{\"format\":\"mta-sts-tlsrpt-day\",\"version\":1,\"policies\":\"x\"}".getBytes(
            StandardCharsets.UTF_8),
        "{\"format\":\"other\",\"version\":1}".getBytes(StandardCharsets.UTF_8),
        new byte[0])) {
      Files.write(dayFile(), garbage);
      try (CapturedLog log = CapturedLog.start()) {
        assertEquals(List.of(), store.days());
        assertEquals(List.of(), store.tallies(EXAMPLE_NET));
      }
    }
    Files.delete(dayFile());
    Files.createDirectory(dayFile());
    try (CapturedLog log = CapturedLog.start()) {
      assertEquals(List.of(), store.days());
      assertEquals(List.of(), store.tallies(EXAMPLE_NET));
    }
  }

  @Test
  @DisplayName("a file of another domain under this name is skipped")
  void wrongDomainInFile_skipped() throws Exception {
    ReportStore store = newStore();
    store.add(SessionResult.success(NOON, ReportPolicy.noPolicyFound("other.example")));
    Path other = dayFile().resolveSibling("other.example.json");
    Files.move(other, dayFile());
    try (CapturedLog log = CapturedLog.start()) {
      assertEquals(List.of(), store.days());
      assertEquals(List.of(), store.tallies(EXAMPLE_NET));
      assertFalse(log.lines("WARN").isEmpty(), log.text());
    }
  }

  @Test
  @DisplayName("a file of a newer format version is skipped and never overwritten")
  void newerVersion_leftAlone() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    byte[] newer = Files.readString(dayFile())
        .replace("\"version\":1,", "\"version\":2,\"future\":[1,2,3],")
        .getBytes(StandardCharsets.UTF_8);
    Files.write(dayFile(), newer);
    try (CapturedLog log = CapturedLog.start()) {
      assertEquals(List.of(), store.days());
      store.add(success(NOON));
      store.add(success(NOON));
      assertEquals(Optional.empty(), store.claim(EXAMPLE_NET, NOON, LEASE));
      assertTrue(log.text().contains("format version 2 is newer than this library's (1)"),
          log.text());
      assertEquals(1, log.lines("WARN").size(), "warned once: " + log.text());
    }
    assertArrayEquals(newer, Files.readAllBytes(dayFile()));
  }

  @Test
  @DisplayName("foreign names in the store are ignored, and prune leaves them")
  void foreignNames_ignored() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    Path root = lastDir.resolve("tlsrpt");
    Files.writeString(root.resolve("README"), "hello");
    Files.createDirectories(root.resolve("not-a-date"));
    Files.writeString(root.resolve("not-a-date").resolve("example.net.json"), "{}");
    Files.createDirectories(root.resolve("2026-13-45"));
    Files.writeString(dayFile().resolveSibling("notes.txt"), "x");
    Files.writeString(dayFile().resolveSibling("Example.NET.json"), "{}");
    Files.writeString(dayFile().resolveSibling(".save-123.tmp"), "partial");
    assertEquals(List.of(EXAMPLE_NET), store.days());
    assertEquals(1, store.prune(DAY.plusDays(1)));
    assertEquals(List.of(), store.days());
    assertTrue(Files.exists(root.resolve("README")));
    assertTrue(Files.exists(dayFile().resolveSibling("notes.txt")));
    assertFalse(Files.exists(dayFile().resolveSibling(".save-123.tmp")), "temp files go");
    assertFalse(Files.exists(dayFile()));
  }

  @Test
  @DisplayName("prune removes the day directories it empties")
  void prune_removesDayDirectories() throws Exception {
    ReportStore store = newStore();
    store.add(success(NOON));
    assertEquals(1, store.prune(DAY.plusDays(1)));
    assertFalse(Files.exists(dayFile().getParent()));
  }

  @Test
  @Timeout(300)
  @DisplayName("two more processes on one directory: no count is lost, one claim wins")
  void twoProcesses_countAndClaimOnce() throws Exception {
    ReportStore store = newStore();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    int adds = 100;
    List<Process> children = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        children.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            DirectoryReportStoreChild.class.getName(), lastDir.toString(),
            Integer.toString(adds), NOON.plus(Duration.ofDays(1)).toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start());
      }
      List<BufferedReader> outputs = new ArrayList<>();
      for (Process p : children) {
        BufferedReader out = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        outputs.add(out);
      }
      for (Process p : children) {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
      }
      for (int i = 0; i < adds; i++) {
        store.add(i % 2 == 0 ? success(NOON)
            : SessionResult.failure(NOON, STS, expired("192.0.2.1")));
      }
      List<String> results = new ArrayList<>();
      for (int i = 0; i < children.size(); i++) {
        results.add(outputs.get(i).readLine());
        assertTrue(children.get(i).waitFor(240, TimeUnit.SECONDS));
        assertEquals(0, children.get(i).exitValue());
      }
      results.sort(null);
      assertEquals(List.of("claimed", "not-claimed"), results);
    } finally {
      children.forEach(Process::destroyForcibly);
    }
    assertEquals(new PolicyTally(STS, 3 * adds / 2, 3 * adds / 2,
        Map.of(expired("192.0.2.1"), (long) 3 * adds / 2)), tally(store, EXAMPLE_NET, STS));
    assertEquals(Optional.empty(), store.claim(EXAMPLE_NET, NOON.plus(Duration.ofDays(1)),
        LEASE), "a child holds the claim");
  }
}
