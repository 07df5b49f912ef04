package org.mtasts.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.internal.store.DirectoryPolicyStore.LoadResult;
import org.mtasts.internal.store.DirectoryPolicyStore.Skipped;

/**
 * The file store: policies survive a restart (STS-CACHE-12, RFC 8461 §10.2), are returned
 * faithfully for the facade to re-parse (SEC-25), and damaged files never break start-up.
 */
class DirectoryPolicyStoreTest {

  static final String TEXT = PolicyFileFormatTest.TEXT;
  static final Instant FETCHED = Instant.parse("2026-11-28T15:02:07.123Z");
  static final Instant NOW = Instant.parse("2026-11-28T16:00:00Z");

  @TempDir Path tmp;

  DirectoryPolicyStore store(Path dir) {
    return new DirectoryPolicyStore(dir, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static StoredPolicy entry(String domain, String id) {
    return new StoredPolicy(domain, id, TEXT, FETCHED);
  }

  static Map<String, StoredPolicy> byDomain(List<StoredPolicy> entries) {
    return entries.stream().collect(Collectors.toMap(StoredPolicy::domain, Function.identity()));
  }

  static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  // ---- round trip ---------------------------------------------------------------------------

  @Test
  void stsCache12_savedPolicySurvivesRestartVerbatim() throws IOException {
    StoredPolicy saved = entry("example.com", "20160831085700Z");
    store(tmp).save(saved);

    List<StoredPolicy> loaded = store(tmp).loadAll(); // a new instance: a restarted process
    assertEquals(List.of(saved), loaded);
    StoredPolicy back = loaded.get(0);
    assertEquals(TEXT, back.policyText(), "CR LF and UTF-8 extension values kept (SEC-25)");
    assertEquals(FETCHED, back.fetchedAt());
    assertEquals(List.of("example.com.policy"), fileNames(tmp));
  }

  @Test
  void stsCache12_fileIsReadableText() throws IOException {
    store(tmp).save(entry("example.com", "20160831085700Z"));
    String content = Files.readString(tmp.resolve("example.com.policy"));
    assertTrue(content.startsWith("mta-sts-java policy store v1\ndomain: example.com\n"
        + "id: 20160831085700Z\nfetched: 2026-11-28T15:02:07.123Z\n"), content);
    assertTrue(content.endsWith("\n\n" + TEXT), content);
  }

  @Test
  void stsCache12_saveReplacesTheEntryOfTheDomain() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    store.save(entry("example.com", "1"));
    StoredPolicy newer = new StoredPolicy("example.com", "2", "version: STSv1\nmode: testing\n"
        + "mx: *.example.com\nmax_age: 86400\n", FETCHED.plusSeconds(60));
    store.save(newer);
    assertEquals(List.of(newer), store(tmp).loadAll());
    assertEquals(List.of("example.com.policy"), fileNames(tmp), "no temporary file left");
  }

  @Test
  void stsCache12_severalDomains() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    StoredPolicy a = entry("a.example", "1");
    StoredPolicy b = entry("b.example", "2");
    StoredPolicy idn = entry("xn--bcher-kva.example", "3");
    store.save(a);
    store.save(b);
    store.save(idn);
    assertEquals(Map.of("a.example", a, "b.example", b, "xn--bcher-kva.example", idn),
        byDomain(store(tmp).loadAll()));
  }

  @Test
  void stsCache12_domainNormalisedBeforeItNamesTheFile() throws IOException {
    store(tmp).save(new StoredPolicy("B\u00fccher.Example.", "1", TEXT, FETCHED));
    assertEquals(List.of("xn--bcher-kva.example.policy"), fileNames(tmp));
    assertEquals("xn--bcher-kva.example", store(tmp).loadAll().get(0).domain());
  }

  @Test
  void stsCache12_longestDomainsGetAHashedFileName() throws IOException {
    String label = "a".repeat(63);
    String domain = label + "." + label + "." + label + "." + "b".repeat(61);
    StoredPolicy saved = entry(domain, "1");
    DirectoryPolicyStore store = store(tmp);
    store.save(saved);
    List<String> names = fileNames(tmp);
    assertEquals(1, names.size());
    assertTrue(names.get(0).matches("_sha256_[0-9a-f]{64}\\.policy"), names.get(0));
    assertEquals(List.of(saved), store(tmp).loadAll());
    store.delete(domain);
    assertEquals(List.of(), fileNames(tmp));
  }

  @Test
  void stsCache12_borderlineDomainLengthStillUsesItsName() {
    // 248 + ".policy" = 255 characters, the longest plain name.
    String domain = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "."
        + "d".repeat(56);
    assertEquals(248, domain.length());
    assertEquals(domain + ".policy", PolicyDirectory.fileName(domain));
    assertTrue(PolicyDirectory.fileName(domain + "e").startsWith("_sha256_"));
  }

  // ---- delete ---------------------------------------------------------------------------------

  @Test
  void deleteRemovesOnlyThatDomain() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    store.save(entry("a.example", "1"));
    store.save(entry("b.example", "2"));
    store.delete("A.Example.");
    assertEquals(List.of(entry("b.example", "2")), store(tmp).loadAll());
    store.delete("a.example"); // absent: nothing happens
    store.delete("never-saved.example");
    assertEquals(List.of("b.example.policy"), fileNames(tmp));
  }

  @Test
  void deleteOnMissingDirectoryDoesNothing() throws IOException {
    Path dir = tmp.resolve("missing");
    store(dir).delete("example.com");
    store(dir).deleteAll();
    assertFalse(Files.exists(dir));
  }

  @Test
  void deleteAllRemovesEntriesAndLeavesOtherFilesAlone() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    for (int i = 0; i < 5; i++) {
      store.save(entry("d" + i + ".example", "1"));
    }
    Files.writeString(tmp.resolve("README.txt"), "mine");
    Files.createDirectory(tmp.resolve("sub"));
    Files.writeString(tmp.resolve("Not-Normalised.example.policy"), "not ours");
    store.deleteAll();
    assertEquals(List.of(), store(tmp).loadAll());
    assertEquals(List.of("Not-Normalised.example.policy", "README.txt", "sub"), fileNames(tmp));
  }

  // ---- names ----------------------------------------------------------------------------------

  @ParameterizedTest(name = "file name for {0} is refused")
  @ValueSource(strings = {"", "../etc", "a/b", "a\\b", ".hidden", "a..b", "Example.com",
      "example.com.", "exa mple.com", "127.0.0.1", "a_b.example"})
  void badNamesAreRefused(String name) {
    assertThrows(IllegalArgumentException.class, () -> PolicyDirectory.fileName(name));
  }

  @ParameterizedTest(name = "delete({0}) is refused")
  @ValueSource(strings = {"", "../etc", "a/b", "a\\b", ".hidden", "a..b", "*", "exa mple.com"})
  void deleteRefusesBadNames(String name) throws IOException {
    DirectoryPolicyStore store = store(tmp);
    store.save(entry("example.com", "1"));
    assertThrows(IllegalArgumentException.class, () -> store.delete(name));
    assertEquals(1, store.loadAll().size());
  }

  @ParameterizedTest(name = "{0} is not an entry file name")
  @ValueSource(strings = {"example.com", "example.com.policy.tmp", ".example.com.policy",
      "Example.com.policy", "_sha256_abc.policy",
      "_sha256_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.policy",
      ".policy", "a..b.policy"})
  void foreignNamesAreNotEntries(String name) {
    assertFalse(PolicyDirectory.isEntryFileName(name));
  }

  // ---- directory ------------------------------------------------------------------------------

  @Test
  void directoryIsCreatedByLoad() {
    Path dir = tmp.resolve("a/b/c");
    assertEquals(List.of(), store(dir).loadAll());
    assertTrue(Files.isDirectory(dir));
  }

  @Test
  void directoryIsCreatedBySave() throws IOException {
    Path dir = tmp.resolve("x/y");
    store(dir).save(entry("example.com", "1"));
    assertEquals(1, store(dir).loadAll().size());
  }

  @Test
  void unusableDirectoryGivesNothingOnLoadAndAnErrorOnSave() throws IOException {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    DirectoryPolicyStore store = store(file);
    assertEquals(List.of(), store.loadAll());
    assertThrows(IOException.class, () -> store.save(entry("example.com", "1")));
  }

  @Test
  void relativeDirectoryWorks() throws IOException {
    Path cwd = Path.of("").toAbsolutePath();
    Path relative = cwd.relativize(tmp.resolve("rel"));
    store(relative).save(entry("example.com", "1"));
    assertEquals(1, store(relative).loadAll().size());
  }

  @Test
  void filesAreNotReadableByOthersOnPosix() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "POSIX permissions only");
    store(tmp).save(entry("example.com", "1"));
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(tmp.resolve("example.com.policy"))));
  }

  // ---- tolerant load --------------------------------------------------------------------------

  /** Saves a good entry, adds {@code name} with {@code content}, loads, returns the result. */
  LoadResult loadWith(String name, byte[] content) throws IOException {
    DirectoryPolicyStore store = store(tmp);
    store.save(entry("good.example", "1"));
    Files.write(tmp.resolve(name), content);
    LoadResult result = store(tmp).load();
    assertEquals(List.of(entry("good.example", "1")), result.entries(),
        "the good entry still loads");
    return result;
  }

  void assertSkipped(LoadResult result, String name, String reasonPart) {
    assertEquals(1, result.skipped().size(), result.skipped().toString());
    Skipped skipped = result.skipped().get(0);
    assertEquals(name, skipped.fileName());
    assertTrue(skipped.reason().contains(reasonPart), skipped.reason());
  }

  byte[] goodFile(String domain) {
    return PolicyFileFormat.encode(entry(domain, "7"));
  }

  @Test
  void stsCache12_truncatedFileIsSkipped() throws IOException {
    byte[] file = goodFile("bad.example");
    LoadResult r = loadWith("bad.example.policy", java.util.Arrays.copyOf(file, file.length - 5));
    assertSkipped(r, "bad.example.policy", "truncated");
  }

  @Test
  void stsCache12_fileTruncatedInHeaderIsSkipped() throws IOException {
    LoadResult r = loadWith("bad.example.policy", java.util.Arrays.copyOf(goodFile("x.example"), 40));
    assertSkipped(r, "bad.example.policy", "truncated");
  }

  @Test
  void stsCache12_garbageFileIsSkipped() throws IOException {
    byte[] garbage = new byte[1000];
    new java.util.Random(42).nextBytes(garbage);
    assertSkipped(loadWith("bad.example.policy", garbage), "bad.example.policy",
        "not a policy store file");
  }

  @Test
  void stsCache12_emptyFileIsSkipped() throws IOException {
    assertSkipped(loadWith("bad.example.policy", new byte[0]), "bad.example.policy", "empty");
  }

  @Test
  void stsCache12_unknownVersionIsSkipped() throws IOException {
    byte[] v2 = ("mta-sts-java policy store v2\ndomain: bad.example\n\nversion: STSv1\n")
        .getBytes(StandardCharsets.US_ASCII);
    assertSkipped(loadWith("bad.example.policy", v2), "bad.example.policy",
        "unknown format version '2'");
  }

  @Test
  void stsCache12_domainMismatchIsSkipped() throws IOException {
    // A complete, valid entry for other.example stored under the name of victim.example.
    assertSkipped(loadWith("victim.example.policy", goodFile("other.example")),
        "victim.example.policy", "names the domain 'other.example'");
  }

  @Test
  void stsCache12_badTimestampIsSkipped() throws IOException {
    byte[] file = PolicyFileFormatTest.withHeader(
        "domain: bad.example\nid: 1\nfetched: 28/11/2026\n", TEXT);
    assertSkipped(loadWith("bad.example.policy", file), "bad.example.policy",
        "'fetched' field '28/11/2026'");
  }

  @Test
  void stsCache12_damagedFileIsSkipped() throws IOException {
    byte[] file = goodFile("bad.example");
    file[file.length - 3] ^= 0x01;
    assertSkipped(loadWith("bad.example.policy", file), "bad.example.policy", "checksum");
  }

  @Test
  void stsCache12_oversizedFileIsSkipped() throws IOException {
    byte[] big = new byte[PolicyFileFormat.MAX_FILE_BYTES + 10];
    assertSkipped(loadWith("bad.example.policy", big), "bad.example.policy", "larger than");
  }

  @Test
  void stsCache12_badFileNameIsSkipped() throws IOException {
    assertSkipped(loadWith("Bad.Example.policy", goodFile("bad.example")), "Bad.Example.policy",
        "file name is not a normalised domain name");
  }

  @Test
  void stsCache12_directoryNamedLikeAnEntryIsSkipped() throws IOException {
    store(tmp).save(entry("good.example", "1"));
    Files.createDirectory(tmp.resolve("dir.example.policy"));
    LoadResult r = store(tmp).load();
    assertEquals(1, r.entries().size());
    assertSkipped(r, "dir.example.policy", "not a regular file");
  }

  @Test
  void stsCache12_unreadableFileIsSkipped() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "POSIX permissions only");
    store(tmp).save(entry("good.example", "1"));
    store(tmp).save(entry("locked.example", "1"));
    Path locked = tmp.resolve("locked.example.policy");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    assumeTrue(!Files.isReadable(locked),
        "running as root (or with CAP_DAC_OVERRIDE): a mode 000 file is still readable, so an"
            + " unreadable file cannot be made here");
    LoadResult r = store(tmp).load();
    assertEquals(1, r.entries().size());
    assertSkipped(r, "locked.example.policy", "cannot be read");
  }

  @Test
  void otherFilesAreIgnoredSilently() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    store.save(entry("good.example", "1"));
    Files.writeString(tmp.resolve("README"), "hello");
    Files.writeString(tmp.resolve("good.example.policy.bak"), "old");
    Files.createDirectory(tmp.resolve("subdir"));
    LoadResult r = store(tmp).load();
    assertEquals(1, r.entries().size());
    assertEquals(List.of(), r.skipped());
  }

  @Test
  void stsCache12_skippedFileIsLoggedAtWarnWithNameAndReason() throws IOException {
    store(tmp).save(entry("good.example", "1"));
    Files.write(tmp.resolve("bad.example.policy"), new byte[0]);
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<StoredPolicy> loaded;
    try {
      // slf4j-simple (the test binding) writes to whatever System.err is at the time.
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      loaded = store(tmp).loadAll();
    } finally {
      System.setErr(original);
    }
    assertEquals(1, loaded.size());
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("WARN"), log);
    assertTrue(log.contains("bad.example.policy"), log);
    assertTrue(log.contains("the file is empty"), log);
  }

  // ---- crash safety ---------------------------------------------------------------------------

  @Test
  void stsCache12_leftoverTempFileDoesNotShadowTheEntry() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    StoredPolicy real = entry("example.com", "1");
    store.save(real);
    // A crash during a later save of the same domain leaves its temporary file behind, complete
    // or half written; neither may replace or hide the real entry.
    byte[] newer = PolicyFileFormat.encode(entry("example.com", "2"));
    Files.write(tmp.resolve(".save-123456789.tmp"), newer);
    Files.write(tmp.resolve(".save-987654321.tmp"), java.util.Arrays.copyOf(newer, 50));
    LoadResult r = store(tmp).load();
    assertEquals(List.of(real), r.entries());
    assertEquals(List.of(), r.skipped(), "temporary files are not entries");
    assertTrue(Files.exists(tmp.resolve(".save-123456789.tmp")), "a fresh one may be in use");
  }

  @Test
  void staleTempFilesAreRemovedOnLoad() throws IOException {
    store(tmp).save(entry("example.com", "1"));
    Path stale = Files.write(tmp.resolve(".save-1.tmp"), new byte[] {1, 2, 3});
    Path fresh = Files.write(tmp.resolve(".save-2.tmp"), new byte[] {1, 2, 3});
    Files.setLastModifiedTime(stale, FileTime.from(NOW.minus(Duration.ofHours(2))));
    Files.setLastModifiedTime(fresh, FileTime.from(NOW.minus(Duration.ofMinutes(5))));
    assertEquals(1, store(tmp).loadAll().size());
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(fresh));
  }

  @Test
  void failedSaveLeavesPreviousEntryAndNoTempFile() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    StoredPolicy real = entry("example.com", "1");
    store.save(real);
    // Make the rename fail: the target is now a non-empty directory.
    Path other = tmp.resolve("other.example.policy");
    Files.createDirectory(other);
    Files.writeString(other.resolve("x"), "x");
    assertThrows(IOException.class, () -> store.save(entry("other.example", "1")));
    assertEquals(List.of("example.com.policy", "other.example.policy"), fileNames(tmp));
    assertEquals(List.of(real), store.loadAll());
  }

  // ---- concurrency ----------------------------------------------------------------------------

  @Test
  void stsCache12_concurrentSavesFrom8ThreadsFor100DomainsAllLoad() throws Exception {
    DirectoryPolicyStore store = store(tmp);
    int threads = 8;
    List<String> domains = IntStream.range(0, 100).mapToObj(i -> "d" + i + ".example")
        .collect(Collectors.toList());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          List<String> order = new ArrayList<>(domains);
          Collections.shuffle(order, new java.util.Random(thread));
          start.await();
          for (String domain : order) {
            store.save(new StoredPolicy(domain, "t" + thread, TEXT, FETCHED));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    LoadResult r = store(tmp).load();
    assertEquals(List.of(), r.skipped());
    assertEquals(Set.copyOf(domains), byDomain(r.entries()).keySet());
    for (StoredPolicy p : r.entries()) {
      assertTrue(p.recordId().matches("t[0-7]"), p.recordId());
      assertEquals(TEXT, p.policyText());
    }
    assertEquals(100, fileNames(tmp).size(), "no temporary files left");
  }

  @Test
  void stsCache12_readersNeverSeeAPartialEntryWhileTheSameDomainIsRewritten() throws Exception {
    DirectoryPolicyStore store = store(tmp);
    store.save(entry("example.com", "0"));
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    CountDownLatch start = new CountDownLatch(1);
    Set<String> problems = ConcurrentHashMap.newKeySet();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < writers; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 50; i++) {
            // Texts of different sizes, so a torn write would show.
            String text = TEXT + "x-pad: " + "p".repeat(thread * 1000 + i) + "\r\n";
            store.save(new StoredPolicy("example.com", "w" + thread + "n" + i, text, FETCHED));
            if (i % 10 == 0) {
              store.delete("gone.example");
            }
          }
          return null;
        }));
      }
      for (int reader = 0; reader < 2; reader++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 100; i++) {
            LoadResult r = store(tmp).load();
            if (!r.skipped().isEmpty() || r.entries().size() != 1) {
              problems.add(r.toString());
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(Set.of(), problems);
    assertEquals(List.of("example.com.policy"), fileNames(tmp));
  }

  @Test
  void stsCache12_twoStoresOnOneDirectoryDoNotCorruptEachOther() throws Exception {
    // Stands in for two processes: no shared lock, only the atomic rename.
    DirectoryPolicyStore[] stores = {store(tmp), store(tmp)};
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 60; i++) {
            String text = TEXT + "x-pad: " + "q".repeat(thread * 500 + i) + "\r\n";
            stores[thread % 2].save(
                new StoredPolicy("d" + (i % 6) + ".example", "t" + thread, text, FETCHED));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    LoadResult r = store(tmp).load();
    assertEquals(List.of(), r.skipped());
    assertEquals(6, r.entries().size());
    assertEquals(6, fileNames(tmp).size(), "no temporary files left");
  }

  @Test
  void deleteAllWhileSavingNeverCorrupts() throws Exception {
    DirectoryPolicyStore store = store(tmp);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 100; i++) {
            store.save(entry("d" + (i % 20) + ".example", "t" + thread));
          }
          return null;
        }));
      }
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 20; i++) {
          store.deleteAll();
        }
        return null;
      }));
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    LoadResult r = store(tmp).load();
    assertEquals(List.of(), r.skipped());
    for (String name : fileNames(tmp)) {
      assertTrue(name.matches("d[0-9]+\\.example\\.policy"), name);
    }
  }

  // ---- API entry points -----------------------------------------------------------------------

  @Test
  void publicFactoryGivesThisStore() throws IOException {
    PolicyStore store = PolicyStore.directory(tmp);
    store.save(entry("example.com", "1"));
    assertEquals(List.of(entry("example.com", "1")), PolicyStore.directory(tmp).loadAll());
    assertTrue(store.toString().contains(tmp.toString()));
  }

  // ---- issue 12 items 5 and 6: one domain, streaming, conditional removal, permissions ---------

  @Test
  void item05_loadReadsOneDomain_missingOrDamagedIsEmpty_STS_CACHE_12() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    StoredPolicy saved = entry("example.com", "1");
    store.save(saved);
    assertEquals(java.util.Optional.of(saved), store.load("EXAMPLE.com."));
    assertEquals(java.util.Optional.empty(), store.load("other.example"));
    Files.write(tmp.resolve("bad.example.policy"), new byte[] {1, 2, 3});
    assertEquals(java.util.Optional.empty(), store.load("bad.example"));
    // A file under the wrong name (copied by hand) is not the entry of the domain it names.
    Files.copy(tmp.resolve("example.com.policy"), tmp.resolve("copy.example.policy"));
    assertEquals(java.util.Optional.empty(), store.load("copy.example"));
    assertEquals(java.util.Optional.empty(), store(tmp.resolve("missing")).load("example.com"));
    assertThrows(IllegalArgumentException.class, () -> store.load("../etc"));
  }

  @Test
  void item06_forEachStreams_actionMayRemove_exceptionEndsTheWalk() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    for (int i = 0; i < 20; i++) {
      store.save(entry("d" + i + ".example", "1"));
    }
    List<String> seen = new ArrayList<>();
    store.forEach(e -> {
      seen.add(e.domain());
      try {
        assertTrue(store.remove(e));
      } catch (IOException x) {
        throw new java.io.UncheckedIOException(x);
      }
    });
    assertEquals(20, seen.size());
    assertEquals(20, new java.util.HashSet<>(seen).size(), "each entry once");
    assertEquals(List.of(), store.loadAll());

    store.save(entry("a.example", "1"));
    store.save(entry("b.example", "1"));
    int[] calls = {0};
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.forEach(x -> {
      calls[0]++;
      throw new IllegalStateException("stop");
    }));
    assertEquals("stop", e.getMessage());
    assertEquals(1, calls[0], "the walk ended at the first exception");
  }

  @Test
  void item06_removeDeletesOnlyTheSameEntry_aNewerSaveSurvives() throws IOException {
    DirectoryPolicyStore store = store(tmp);
    StoredPolicy old = entry("example.com", "1");
    store.save(old);
    StoredPolicy newer = new StoredPolicy("example.com", "2", TEXT, FETCHED.plusSeconds(60));
    store.save(newer);
    assertFalse(store.remove(old));
    assertEquals(List.of(newer), store.loadAll());
    assertTrue(store.remove(newer));
    assertFalse(store.remove(newer));
    assertEquals(List.of(), store.loadAll());
  }

  @Test
  void item06_directoryCreatedOwnerOnly_parentsAsUsual_entriesOwnerOnly() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "POSIX permissions");
    Path dir = tmp.resolve("var/lib/app/mta-sts");
    store(dir).save(entry("example.com", "1"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("example.com.policy"))));
    assertTrue(Files.getPosixFilePermissions(tmp.resolve("var/lib"))
        .contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE));

    Path loaded = tmp.resolve("created/by/walk");
    store(loaded).forEach(e -> { });
    assertEquals("rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(loaded)));
  }

  @Test
  void item06_directoryOthersMayWriteTo_usedWithAWarning() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "POSIX permissions");
    Path dir = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    store(dir).save(entry("example.com", "1"));
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<StoredPolicy> loaded;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      loaded = store(dir).loadAll();
    } finally {
      System.setErr(original);
    }
    assertEquals(1, loaded.size());
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("WARN") && log.contains("may be written by others"), log);
  }
}
