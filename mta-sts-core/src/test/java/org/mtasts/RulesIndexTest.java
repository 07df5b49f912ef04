package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mtasts.RulesIndex.Citation;
import org.mtasts.RulesIndex.Row;
import org.mtasts.RulesIndex.Source;

/**
 * {@code docs/rules.md} is the repository's copy of the rules: every rule id that a Java source of
 * any module cites must have a row there, and every file and test a row names must exist.
 * Refresh the generated columns with
 * {@code java mta-sts-core/src/test/java/org/mtasts/RulesIndex.java --write}.
 */
class RulesIndexTest {

  private static Path root;
  private static String index;
  private static List<Row> rows;
  private static List<Citation> citations;

  @BeforeAll
  static void readRepository() {
    root = RulesIndex.repoRoot();
    index = RulesIndex.read(root.resolve(RulesIndex.INDEX));
    rows = RulesIndex.rows(index);
    citations = RulesIndex.scan(root);
  }

  // ---- the repository --------------------------------------------------------------------------

  @Test
  void everyCitedRuleId_hasARowInTheIndex() {
    Map<String, List<String>> missing = RulesIndex.missing(citations, rows);
    if (!missing.isEmpty()) {
      fail(missing.size() + " rule id(s) cited in the sources have no row in "
          + RulesIndex.INDEX + "; add a hand-written line for each (RFC section, the rule in one"
          + " line), then run java mta-sts-core/src/test/java/org/mtasts/RulesIndex.java --write\n"
          + missing.entrySet().stream()
              .map(e -> "  " + e.getKey() + " cited at " + String.join(", ", e.getValue()))
              .collect(Collectors.joining("\n")));
    }
  }

  @Test
  void theScan_seesTheCitationsOfEveryModule() {
    // Guards the scan itself: were the root or the source folders not found, nothing would be
    // missing and the test above would pass vacuously.
    Set<String> modules = citations.stream()
        .map(c -> c.source().relative().substring(0, c.source().relative().indexOf('/')))
        .collect(Collectors.toCollection(TreeSet::new));
    assertTrue(modules.containsAll(List.of("mta-sts-core", "mta-sts-javamail", "mta-sts-testkit")),
        modules.toString());
    assertTrue(citations.stream().anyMatch(c -> c.source().main()), "no citation in src/main");
    assertTrue(citations.stream().anyMatch(c -> c.test().isPresent()), "no citation in a test");
    assertTrue(citations.size() > 500, "only " + citations.size() + " citations found");
  }

  @Test
  void everyFileAndTestTheIndexNames_exists() {
    Map<String, Set<String>> testMethods = testClasses();
    List<String> problems = new ArrayList<>();
    for (Row row : rows) {
      for (String link : RulesIndex.links(row.implemented())) {
        Path file = root.resolve("docs").resolve(link).normalize();
        String relative = root.relativize(file).toString().replace('\\', '/');
        if (!file.startsWith(root) || !Files.isRegularFile(file)
            || !relative.matches("[^/]+/src/main/java/.+\\.java")) {
          problems.add(row.id() + " (line " + row.line() + "): no src/main file " + link);
        }
      }
      for (String ref : RulesIndex.testRefs(row.checkedBy())) {
        String cls = ref.contains("#") ? ref.substring(0, ref.indexOf('#')) : ref;
        Set<String> methods = testMethods.get(cls);
        if (methods == null) {
          problems.add(row.id() + " (line " + row.line() + "): no test class " + cls);
        } else if (ref.contains("#") && !methods.contains(ref.substring(ref.indexOf('#') + 1))) {
          problems.add(row.id() + " (line " + row.line() + "): " + cls + " has no method "
              + ref.substring(ref.indexOf('#') + 1));
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(RulesIndex.INDEX + " names files or tests that do not exist (renamed or deleted?);"
          + " run java mta-sts-core/src/test/java/org/mtasts/RulesIndex.java --write\n  "
          + String.join("\n  ", problems));
    }
  }

  @Test
  void everyRow_saysItsRfcSectionAndTheRule_once() {
    assertEquals(List.of(), RulesIndex.malformedRows(index), "rows need five cells");
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Row row : rows) {
      if (!seen.add(row.id())) {
        problems.add(row.id() + " has two rows (line " + row.line() + ")");
      }
      if (row.rfc().isEmpty() || row.rule().length() < 15) {
        problems.add(row.id() + " (line " + row.line() + ") needs its RFC section and rule");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void eachFamily_isNumberedFromOneWithoutGaps() {
    // The index copies whole registers (SEC-01..SEC-28, every TLSRPT-* rule, D-01..D-36, ...),
    // cited or not, so ids that new tests start citing are already there.
    Map<String, TreeSet<Integer>> families = new TreeMap<>();
    for (Row row : rows) {
      int dash = row.id().lastIndexOf('-');
      families.computeIfAbsent(row.id().substring(0, dash), k -> new TreeSet<>())
          .add(Integer.parseInt(row.id().substring(dash + 1)));
    }
    for (Map.Entry<String, TreeSet<Integer>> family : families.entrySet()) {
      TreeSet<Integer> numbers = family.getValue();
      assertEquals(numbers.last(), numbers.size(), family.getKey() + " has gaps: " + numbers);
    }
    assertTrue(families.get("SEC").last() >= 28, "SEC-01..SEC-28");
    assertTrue(families.get("D").last() >= 36, "D-01..D-36");
    for (String f : List.of("TLSRPT-REC", "TLSRPT-DATA", "TLSRPT-JSON", "TLSRPT-TIME",
        "TLSRPT-DEL", "A", "EDGE")) {
      assertTrue(families.containsKey(f), f);
    }
  }

  // ---- the scanner -----------------------------------------------------------------------------

  static Stream<Arguments> hyphenated() {
    return Stream.of(
        Arguments.of("see STS-CACHE-06 and SEC-20.", List.of("STS-CACHE-06", "SEC-20")),
        Arguments.of("(D-11)", List.of("D-11")),
        Arguments.of("\"TLSRPT-REC-02: two records\"", List.of("TLSRPT-REC-02")),
        Arguments.of("STS-TLS-01/04/05", List.of("STS-TLS-01", "STS-TLS-04", "STS-TLS-05")),
        Arguments.of("EDGE-27…EDGE-33", List.of("EDGE-27", "EDGE-33")),
        Arguments.of("EDGE-103, A-05", List.of("EDGE-103", "A-05")),
        Arguments.of("STS-JM-01,STS-MX-13", List.of("STS-JM-01", "STS-MX-13")),
        Arguments.of("UTF-8, ISO-8859-1, UTF-16", List.of()),
        Arguments.of("SHA-256 SHA-384 AES-128 P-256 X-25519", List.of()),
        Arguments.of("TLSv1.2 TLSv1-3 D-1 A-7 D-1234", List.of()),
        Arguments.of("X-SEC-01 ID-12 PID-12 0xD-12 v.D-12 mx-D-12", List.of()),
        Arguments.of("2026-12-06 RFC-8461 CVE-2021-44228", List.of()),
        Arguments.of("RSA_2048 SEC_20 D_17 sts-cache-06 Sec-20", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hyphenated")
  void hyphenIds_onlyWholeIds(String text, List<String> expected) {
    assertEquals(expected, RulesIndex.hyphenIds(text));
  }

  static Stream<Arguments> methodNames() {
    return Stream.of(
        Arguments.of("sameResult_D_17", List.of("D-17")),
        Arguments.of("noPolicy_EDGE_86_STS_CACHE_02", List.of("EDGE-86", "STS-CACHE-02")),
        Arguments.of("doesNotRetry_STS_FETCH_14_EDGE_84", List.of("STS-FETCH-14", "EDGE-84")),
        Arguments.of("SEC_20_first", List.of("SEC-20")),
        Arguments.of("item01_endless_failTemporarily_SEC_08", List.of("SEC-08")),
        Arguments.of("twoRecords_TLSRPT_REC_02_A_03", List.of("TLSRPT-REC-02", "A-03")),
        Arguments.of("keyRSA_2048", List.of()),
        Arguments.of("rsa_2048_D_MX1", List.of()),
        Arguments.of("tls_AES_128", List.of()),
        Arguments.of("D_1_and_SEC_2", List.of()),
        Arguments.of("stsD_17x", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methodNames")
  void methodNameIds_underscoresOnly(String name, List<String> expected) {
    assertEquals(expected, RulesIndex.methodNameIds(name));
  }

  @Test
  void scan_creditsEachCitationToTheTestThatHoldsIt(@TempDir Path dir) {
    String text = """
        package x;

        /** Class javadoc: STS-PARSE-01. */
        class SampleTest {
          private static final String NOTE = "not a test: SEC-01";

          // ---- section: SEC-02 ------------------------------------------------------------

          /** Javadoc of the next test: D-05. */
          @Test
          @DisplayName("display name: D-06")
          void first_SEC_03() {
            String s = "in the body: STS-MX-07"; // and a comment: A-01
            Runnable r = () -> { helper("in a lambda: D-08"); };
          }

          @ParameterizedTest(name = "{0} (EDGE-10)")
          @MethodSource("cases")
          void second(String s) {}

          @ParameterizedTest
          @MethodSource
          void third(String s) {}

          static Stream<String> cases() {
            return Stream.of("provider: EDGE-11");
          }

          static Stream<String> third() {
            return Stream.of("default provider: EDGE-12");
          }

          private void helper(String s) { if (s.isEmpty()) { throw new X("helper: D-09"); } }
        }
        """;
    List<Citation> found = RulesIndex.scan(
        new Source(dir, dir.resolve("SampleTest.java"), false), text);
    Map<String, String> credit = new TreeMap<>();
    for (Citation c : found) {
      credit.merge(c.id(), c.test().orElse("-"), (a, b) -> a + "," + b);
    }
    assertEquals(new TreeMap<>(Map.ofEntries(
        Map.entry("STS-PARSE-01", "SampleTest"),
        Map.entry("SEC-01", "SampleTest"),
        Map.entry("SEC-02", "SampleTest"),
        Map.entry("D-05", "SampleTest#first_SEC_03"),
        Map.entry("D-06", "SampleTest#first_SEC_03"),
        Map.entry("SEC-03", "SampleTest#first_SEC_03"),
        Map.entry("STS-MX-07", "SampleTest#first_SEC_03"),
        Map.entry("A-01", "SampleTest#first_SEC_03"),
        Map.entry("D-08", "SampleTest#first_SEC_03"),
        Map.entry("EDGE-10", "SampleTest#second"),
        Map.entry("EDGE-11", "SampleTest#second"),
        Map.entry("EDGE-12", "SampleTest#third"),
        Map.entry("D-09", "SampleTest"))), credit);

    List<Citation> inMain = RulesIndex.scan(
        new Source(dir, dir.resolve("Sample.java"), true), text);
    assertEquals(found.size(), inMain.size());
    assertTrue(inMain.stream().allMatch(c -> c.test().isEmpty()), "main code is not a test");
  }

  @Test
  void regenerate_rewritesOnlyTheGeneratedCells(@TempDir Path dir) {
    Source main = new Source(dir, dir.resolve("mod/src/main/java/a/Gate.java"), true);
    Source test = new Source(dir, dir.resolve("mod/src/test/java/a/GateTest.java"), false);
    List<Citation> cited = List.of(
        new Citation("SEC-14", main, 3, Optional.empty()),
        new Citation("SEC-14", test, 9, Optional.of("GateTest#ceiling_SEC_14")),
        new Citation("SEC-14", test, 2, Optional.of("GateTest")),
        new Citation("SEC-15", main, 5, Optional.empty()),
        new Citation("SEC-17", test, 12, Optional.of("GateTest#revoked_SEC_17")));
    List<String> mainPaths = List.of("mod/src/main/java/a/Gate.java");
    String before = """
        # Rules
        | id | RFC | rule | implemented in | checked by |
        | --- | --- | --- | --- | --- |
        | SEC-14 | 8461 §3.3 | Fetches are rate-limited. | old | old |
        | SEC-15 | — | Bounded memory. | old | old |
        | SEC-16 | — | No private addresses. | old | old |
        | SEC-17 | — | Revocation is optional. | old | old |
        text with SEC-14 stays
        """;
    String after = RulesIndex.regenerate(before, cited, mainPaths);
    assertEquals("""
        # Rules
        | id | RFC | rule | implemented in | checked by |
        | --- | --- | --- | --- | --- |
        | SEC-14 | 8461 §3.3 | Fetches are rate-limited. | [Gate](../mod/src/main/java/a/Gate.java) \
        | `GateTest#ceiling_SEC_14` |
        | SEC-15 | — | Bounded memory. | [Gate](../mod/src/main/java/a/Gate.java) \
        | **not yet tested** |
        | SEC-16 | — | No private addresses. | — | *not cited* |
        | SEC-17 | — | Revocation is optional. | *[Gate](../mod/src/main/java/a/Gate.java)* \
        | `GateTest#revoked_SEC_17` |
        text with SEC-14 stays
        """, after);
    List<Row> parsed = RulesIndex.rows(after);
    assertEquals(List.of("../mod/src/main/java/a/Gate.java"),
        RulesIndex.links(parsed.get(0).implemented()));
    assertEquals(List.of("GateTest#ceiling_SEC_14"), RulesIndex.testRefs(parsed.get(0).checkedBy()));
  }

  @Test
  void subjectOf_isTheLongestSamePackageClassNamingTheTest() {
    List<String> main = List.of(
        "core/src/main/java/org/p/Policy.java",
        "core/src/main/java/org/p/PolicyParser.java",
        "core/src/main/java/org/p/internal/PolicyParse.java",
        "core/src/main/java/org/t/MxSocket.java",
        "core/src/main/java/org/t/MxSocketFactory.java",
        "core/src/main/java/org/t/Mx.java");
    assertEquals(Optional.of("core/src/main/java/org/p/Policy.java"),
        RulesIndex.subjectOf("core/src/test/java/org/p/PolicyParseTest.java", main));
    assertEquals(Optional.of("core/src/main/java/org/t/MxSocketFactory.java"),
        RulesIndex.subjectOf("other/src/test/java/org/t/MxSocketFactoryHandshakeTest.java", main));
    assertEquals(Optional.empty(),
        RulesIndex.subjectOf("core/src/test/java/org/t/MxsTest.java", main));
    assertEquals(Optional.empty(),
        RulesIndex.subjectOf("core/src/test/java/org/q/PolicyTest.java", main));
  }

  @Test
  void repoRoot_isFoundFromAModuleDirectory() {
    assertEquals(root, RulesIndex.repoRoot(root.resolve("mta-sts-core/src/test")));
    assertTrue(Files.isRegularFile(root.resolve(RulesIndex.INDEX)));
    assertFalse(RulesIndex.sources(root).isEmpty());
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static final Pattern TEST_FILE = Pattern.compile("[^/]+/src/test/java/.+/([^/]+)\\.java");

  /** Test class simple name → the methods it declares (merged when a name repeats). */
  private static Map<String, Set<String>> testClasses() {
    Map<String, Set<String>> classes = new TreeMap<>();
    for (Source source : RulesIndex.sources(root)) {
      Matcher m = TEST_FILE.matcher(source.relative());
      if (!source.main() && m.matches()) {
        classes.computeIfAbsent(m.group(1), k -> new TreeSet<>())
            .addAll(RulesIndex.declaredMethods(RulesIndex.read(source.file())));
      }
    }
    return classes;
  }
}
