package org.mtasts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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

/**
 * Finds the rule ids (STS-CACHE-06, SEC-20, D-17, EDGE-48, ...) that the Java sources of every
 * module cite, and reads and regenerates the index that defines them, {@code docs/rules.md}.
 *
 * <p>{@link RulesIndexTest} uses it to keep the index complete. It needs the JDK only, so it also
 * runs as a source file from the repository root to refresh the index's two generated columns
 * ("implemented in", "checked by") after tests or code moved:
 *
 * <pre>java mta-sts-core/src/test/java/org/mtasts/RulesIndex.java --write</pre>
 *
 * <p>Without {@code --write} it prints the cited ids missing from the index and exits 1 if any.
 * The rule text, the RFC section and everything outside the tables are hand-written and left as
 * they are; a cited id without a row must be added by hand (the tool cannot say what it means).
 */
public final class RulesIndex {

  /** Where the index lives, relative to the repository root. */
  static final String INDEX = "docs/rules.md";

  // An id written with hyphens, anywhere in a source file (comments, strings, display names).
  // The look-behind keeps ids out of longer tokens: "SHA-256" does not hold A-25, "X-SEC-01" no
  // SEC-01, "RSA_2048" is not an underscore id. Numbers have two or three digits, so "UTF-8",
  // "TLSv1-2" or a lone "D-1" never count. "/04/05" after an id continues it: STS-TLS-01/04.
  private static final Pattern HYPHEN_ID = Pattern.compile(
      "(?<![A-Za-z0-9_.-])"
          + "(STS-[A-Z]{2,6}-\\d{2}|TLSRPT-[A-Z]{3,4}-\\d{2}|SEC-\\d{2}|EDGE-\\d{2,3}|D-\\d{2}|A-\\d{2})"
          + "((?:/\\d{2,3})*)(?![A-Za-z0-9])");

  // An id written with underscores, inside a method name only (test names cannot hold hyphens):
  // "noPolicy_EDGE_86_STS_CACHE_02" cites EDGE-86 and STS-CACHE-02.
  private static final Pattern UNDERSCORE_ID = Pattern.compile(
      "(?:^|_)(STS_[A-Z]{2,6}_\\d{2}|TLSRPT_[A-Z]{3,4}_\\d{2}|SEC_\\d{2}|EDGE_\\d{2,3}|D_\\d{2}|A_\\d{2})"
          + "(?=_|$)");

  /** A well-formed id, as the index writes it. */
  static final Pattern ID = Pattern.compile(
      "STS-[A-Z]{2,6}-\\d{2}|TLSRPT-[A-Z]{3,4}-\\d{2}|SEC-\\d{2}|EDGE-\\d{2,3}|D-\\d{2}|A-\\d{2}");

  private static final Pattern METHOD = Pattern.compile(
      "(?<![\\w$.])(\\w+)\\s*\\(([^()]*(?:\\([^()]*\\)[^()]*)*)\\)\\s*(?:throws\\s+[\\w.,\\s]+?)?\\s*\\{");
  private static final Set<String> NOT_METHODS = Set.of(
      "if", "for", "while", "switch", "catch", "synchronized", "try", "do", "else", "return",
      "new", "throw", "assert", "yield", "case");
  private static final Pattern TEST_ANNOTATION = Pattern.compile(
      "@(?:org\\.junit\\.jupiter\\.api\\.)?(?:Test|ParameterizedTest|RepeatedTest|TestFactory"
          + "|TestTemplate|Property|Example)\\b");
  private static final Pattern METHOD_SOURCE = Pattern.compile("@MethodSource\\s*(\\(([^)]*)\\))?");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private RulesIndex() {}

  /** One place a rule id is cited. */
  record Citation(String id, Source source, int line, Optional<String> test) {
    /** {@code module/src/.../File.java:42}, for messages. */
    String where() {
      return source.relative() + ":" + line + test.map(t -> " (" + t + ")").orElse("");
    }
  }

  /** One Java source file of one module. */
  record Source(Path root, Path file, boolean main) {
    String relative() {
      return root.relativize(file).toString().replace('\\', '/');
    }

    String className() {
      String name = file.getFileName().toString();
      return name.substring(0, name.length() - ".java".length());
    }
  }

  /** The ids a piece of source text cites with hyphens, in order, with repeats. */
  static List<String> hyphenIds(String text) {
    List<String> ids = new ArrayList<>();
    for (Cite c : hyphenCites(text)) {
      ids.add(c.id);
    }
    return ids;
  }

  /** The ids a method name cites with underscores, written with hyphens. */
  static List<String> methodNameIds(String methodName) {
    List<String> ids = new ArrayList<>();
    Matcher m = UNDERSCORE_ID.matcher(methodName);
    while (m.find()) {
      ids.add(m.group(1).replace('_', '-'));
    }
    return ids;
  }

  private record Cite(String id, int offset) {}

  private static List<Cite> hyphenCites(String text) {
    List<Cite> cites = new ArrayList<>();
    Matcher m = HYPHEN_ID.matcher(text);
    while (m.find()) {
      String id = m.group(1);
      cites.add(new Cite(id, m.start()));
      String prefix = id.substring(0, id.lastIndexOf('-') + 1);
      for (String more : m.group(2).split("/")) {
        if (!more.isEmpty()) {
          cites.add(new Cite(prefix + more, m.start()));
        }
      }
    }
    return cites;
  }

  /** The repository root: the first directory at or above {@code start} whose pom lists core. */
  static Path repoRoot(Path start) {
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      Path pom = dir.resolve("pom.xml");
      if (Files.isRegularFile(pom) && read(pom).contains("<module>mta-sts-core</module>")) {
        return dir;
      }
    }
    throw new IllegalStateException("no repository root (a pom.xml listing mta-sts-core) at or"
        + " above " + start.toAbsolutePath());
  }

  /** The repository root seen from the running JVM (surefire runs in the module directory). */
  static Path repoRoot() {
    return repoRoot(Path.of(System.getProperty("basedir", System.getProperty("user.dir"))));
  }

  /** Every Java source under {@code <module>/src/main/java} and {@code <module>/src/test/java}. */
  static List<Source> sources(Path root) {
    List<Source> sources = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
        for (String kind : List.of("main", "test")) {
          Path dir = module.resolve("src").resolve(kind).resolve("java");
          if (!Files.isDirectory(dir)) {
            continue;
          }
          try (Stream<Path> files = Files.walk(dir)) {
            files.filter(f -> f.toString().endsWith(".java")).filter(f -> !isTooling(f)).sorted()
                .forEach(f -> sources.add(new Source(root, f, kind.equals("main"))));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sources;
  }

  /** This tool and its test write ids as examples, not as citations. */
  private static boolean isTooling(Path file) {
    String name = file.getFileName().toString();
    return name.equals("RulesIndex.java") || name.equals("RulesIndexTest.java");
  }

  /** Every citation in every source of the repository. */
  static List<Citation> scan(Path root) {
    List<Citation> all = new ArrayList<>();
    for (Source source : sources(root)) {
      all.addAll(scan(source, read(source.file())));
    }
    return all;
  }

  /**
   * The citations in one file. A citation in a test class is credited to the test method whose
   * javadoc, annotations, name or body holds it; one in a {@code @MethodSource} provider to the
   * tests that use the provider.
   */
  static List<Citation> scan(Source source, String text) {
    String masked = mask(text);
    List<Method> methods = withProviders(methods(text, masked), text);
    boolean testClass = !source.main() && TEST_ANNOTATION.matcher(masked).find();
    List<Citation> out = new ArrayList<>();
    for (Cite c : hyphenCites(text)) {
      List<String> tests = testClass ? testsAt(c.offset, methods) : List.of();
      int line = lineOf(text, c.offset);
      if (tests.isEmpty()) {
        // Outside any test (class javadoc, a field, a helper): the class as a whole cites it.
        out.add(new Citation(c.id, source, line,
            testClass ? Optional.of(source.className()) : Optional.empty()));
      }
      for (String t : tests) {
        out.add(new Citation(c.id, source, line, Optional.of(source.className() + "#" + t)));
      }
    }
    for (Method m : methods) {
      for (String id : methodNameIds(m.name)) {
        Optional<String> test = !testClass ? Optional.empty()
            : Optional.of(m.test ? source.className() + "#" + m.name : source.className());
        out.add(new Citation(id, source, lineOf(text, m.nameStart), test));
      }
    }
    return out;
  }

  private static List<String> testsAt(int offset, List<Method> methods) {
    Method owner = null;
    for (Method m : methods) {
      if (m.leadStart <= offset && offset < m.bodyEnd
          && (owner == null || m.bodyEnd - m.leadStart < owner.bodyEnd - owner.leadStart)) {
        owner = m;
      }
    }
    if (owner == null) {
      return List.of();
    }
    if (owner.test) {
      return List.of(owner.name);
    }
    List<String> users = new ArrayList<>();
    for (Method m : methods) {
      if (m.test && m.sources.contains(owner.name)) {
        users.add(m.name);
      }
    }
    return users;
  }

  /** The names of the methods a source file declares with a body. */
  static Set<String> declaredMethods(String text) {
    Set<String> names = new TreeSet<>();
    for (Method m : methods(text, mask(text))) {
      names.add(m.name);
    }
    return names;
  }

  private record Method(String name, int nameStart, int leadStart, int bodyEnd, boolean test,
      Set<String> sources) {}

  /** Method declarations with bodies, found in masked source. */
  private static List<Method> methods(String text, String masked) {
    List<Method> methods = new ArrayList<>();
    Matcher m = METHOD.matcher(masked);
    while (m.find()) {
      String name = m.group(1);
      int nameStart = m.start(1);
      if (NOT_METHODS.contains(name) || precededByNew(masked, nameStart)) {
        continue;
      }
      int open = m.end() - 1;
      int close = matching(masked, open);
      if (close < 0) {
        continue;
      }
      int leadStart = withJavadoc(text, leadStart(masked, nameStart));
      String lead = masked.substring(leadStart, nameStart);
      boolean test = TEST_ANNOTATION.matcher(lead).find();
      Set<String> providers = new LinkedHashSet<>();
      Matcher ms = METHOD_SOURCE.matcher(lead);
      while (ms.find()) {
        if (ms.group(2) == null || ms.group(2).isBlank()) {
          providers.add(name); // JUnit's default: a provider named like the test
        }
      }
      methods.add(new Method(name, nameStart, leadStart, close + 1, test, providers));
    }
    return methods;
  }

  /**
   * The provider names live in string literals, which {@link #mask} blanks; this pass reads them
   * from the original text at the same offsets.
   */
  private static List<Method> withProviders(List<Method> methods, String text) {
    List<Method> out = new ArrayList<>();
    for (Method m : methods) {
      Set<String> providers = new LinkedHashSet<>(m.sources);
      Matcher ms = METHOD_SOURCE.matcher(text.substring(m.leadStart, m.nameStart));
      while (ms.find()) {
        if (ms.group(2) != null) {
          Matcher q = QUOTED.matcher(ms.group(2));
          while (q.find()) {
            String ref = q.group(1);
            providers.add(ref.substring(ref.indexOf('#') + 1).replaceAll("\\(.*", ""));
          }
        }
      }
      out.add(new Method(m.name, m.nameStart, m.leadStart, m.bodyEnd, m.test, providers));
    }
    return out;
  }

  /** Moves a member's start back over the javadoc comment right before it, if there is one. */
  private static int withJavadoc(String text, int start) {
    int j = start - 1;
    while (j >= 0 && Character.isWhitespace(text.charAt(j))) {
      j--;
    }
    if (j >= 1 && text.charAt(j) == '/' && text.charAt(j - 1) == '*') {
      int open = text.lastIndexOf("/*", j - 2);
      if (open >= 0 && text.startsWith("/**", open)) {
        return open;
      }
    }
    return start;
  }

  private static boolean precededByNew(String s, int at) {
    int i = at - 1;
    while (i >= 0 && Character.isWhitespace(s.charAt(i))) {
      i--;
    }
    return i >= 2 && s.startsWith("new", i - 2) && (i < 3 || !Character.isJavaIdentifierPart(s.charAt(i - 3)));
  }

  /** Walks back from a method name over its return type, modifiers, annotations and javadoc. */
  private static int leadStart(String s, int nameStart) {
    int i = nameStart;
    while (true) {
      int j = i - 1;
      while (j >= 0 && Character.isWhitespace(s.charAt(j))) {
        j--;
      }
      if (j < 0) {
        return 0;
      }
      char c = s.charAt(j);
      if (c == ')') {
        int open = matchingBack(s, j, '(', ')');
        if (open < 0) {
          return i;
        }
        int k = open - 1;
        while (k >= 0 && Character.isWhitespace(s.charAt(k))) {
          k--;
        }
        int end = k + 1;
        while (k >= 0 && (Character.isJavaIdentifierPart(s.charAt(k)) || s.charAt(k) == '.')) {
          k--;
        }
        if (k >= 0 && s.charAt(k) == '@' && end > k + 1) {
          i = k; // an annotation with arguments
          continue;
        }
        return i;
      }
      if (c == '>') {
        int open = matchingBack(s, j, '<', '>');
        if (open < 0) {
          return i;
        }
        i = open; // type arguments or type parameters
        continue;
      }
      if (c == ']' || c == '[' || c == ',' || c == '?' || c == '.') {
        i = j; // array types, wildcard bounds inside <...> are skipped above
        continue;
      }
      if (Character.isJavaIdentifierPart(c)) {
        int k = j;
        while (k >= 0 && Character.isJavaIdentifierPart(s.charAt(k))) {
          k--;
        }
        String word = s.substring(k + 1, j + 1);
        if (k >= 0 && s.charAt(k) == '@') {
          i = k; // a marker annotation
          continue;
        }
        if (k >= 0 && s.charAt(k) == '.') {
          i = k + 1; // part of a qualified name; the '.' is stepped over next
          continue;
        }
        if (word.equals("return") || word.equals("new") || word.equals("else")) {
          return i;
        }
        i = k + 1; // a modifier or a type name
        continue;
      }
      return i;
    }
  }

  private static int matchingBack(String s, int close, char openChar, char closeChar) {
    int depth = 0;
    for (int i = close; i >= 0; i--) {
      char c = s.charAt(i);
      if (c == closeChar) {
        depth++;
      } else if (c == openChar && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static int matching(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /** The source with comments and literals blanked (line breaks and offsets kept). */
  static String mask(String s) {
    StringBuilder b = new StringBuilder(s);
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
        int end = s.indexOf('\n', i);
        end = end < 0 ? n : end;
        blank(b, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        int end = s.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        blank(b, i, end);
        i = end;
      } else if (s.startsWith("\"\"\"", i)) {
        int end = i + 3;
        while (end < n && !s.startsWith("\"\"\"", end)) {
          end += s.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 3);
        blank(b, i + 1, end - 1);
        i = end;
      } else if (c == '"' || c == '\'') {
        int end = i + 1;
        while (end < n && s.charAt(end) != c && s.charAt(end) != '\n') {
          end += s.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 1);
        blank(b, i + 1, end - 1);
        i = end;
      } else {
        i++;
      }
    }
    return b.toString();
  }

  private static void blank(StringBuilder b, int from, int to) {
    for (int i = from; i < to && i < b.length(); i++) {
      if (b.charAt(i) != '\n') {
        b.setCharAt(i, ' ');
      }
    }
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The index

  /** One table row of the index: {@code | id | RFC | rule | implemented in | checked by |}. */
  record Row(String id, String rfc, String rule, String implemented, String checkedBy, int line) {}

  private static final Pattern ROW = Pattern.compile(
      "^\\|\\s*(" + ID.pattern() + ")\\s*\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|\\s*$");

  /** The rows of the index, in order. Rows that do not have five cells are not rows. */
  static List<Row> rows(String index) {
    List<Row> rows = new ArrayList<>();
    String[] lines = index.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = ROW.matcher(lines[i]);
      if (m.matches()) {
        rows.add(new Row(m.group(1), m.group(2).trim(), m.group(3).trim(), m.group(4).trim(),
            m.group(5).trim(), i + 1));
      }
    }
    return rows;
  }

  /** Lines that start like a rule row but do not have its five cells. */
  static List<String> malformedRows(String index) {
    List<String> bad = new ArrayList<>();
    Pattern start = Pattern.compile("^\\|\\s*(" + ID.pattern() + ")\\s*\\|.*");
    String[] lines = index.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (start.matcher(lines[i]).matches() && !ROW.matcher(lines[i]).matches()) {
        bad.add("line " + (i + 1) + ": " + lines[i]);
      }
    }
    return bad;
  }

  private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)\\]\\(([^)\\s]+)\\)");
  private static final Pattern TEST_REF = Pattern.compile("`([A-Z][\\w]*)(?:#(\\w+))?`");

  /** The link targets of an "implemented in" cell, relative to {@code docs/}. */
  static List<String> links(String cell) {
    List<String> out = new ArrayList<>();
    Matcher m = LINK.matcher(cell);
    while (m.find()) {
      out.add(m.group(2));
    }
    return out;
  }

  /** The {@code Class#method} (or {@code Class}) names of a "checked by" cell. */
  static List<String> testRefs(String cell) {
    List<String> out = new ArrayList<>();
    Matcher m = TEST_REF.matcher(cell);
    while (m.find()) {
      out.add(m.group(2) == null ? m.group(1) : m.group(1) + "#" + m.group(2));
    }
    return out;
  }

  /**
   * What the generated columns say for one id, from the citations. When no {@code src/main} file
   * cites the id, the classes under test are named instead, in italics: for a test class
   * {@code PolicyParseTest}, the longest {@code src/main} class of the same package whose name
   * starts it ({@code Policy}).
   *
   * @param mainPaths every {@code src/main} Java file, relative to the repository root
   */
  static String[] generatedCells(String id, List<Citation> citations, List<String> mainPaths) {
    Set<String> mainFiles = new TreeSet<>();
    Set<String> subjects = new TreeSet<>();
    Set<String> tests = new TreeSet<>();
    boolean citedInTests = false;
    for (Citation c : citations) {
      if (!c.id().equals(id)) {
        continue;
      }
      if (c.source().main()) {
        mainFiles.add(c.source().relative());
      } else {
        citedInTests = true;
        c.test().ifPresent(tests::add);
        if (c.test().isPresent()) {
          subjectOf(c.source().relative(), mainPaths).ifPresent(subjects::add);
        }
      }
    }
    String implemented;
    if (!mainFiles.isEmpty()) {
      implemented = links(mainFiles, "");
    } else if (!subjects.isEmpty()) {
      implemented = links(subjects, "*");
    } else {
      implemented = citedInTests ? "*not cited in src/main*" : "—";
    }
    // A class named alone (its javadoc cites the id) says nothing more once one of its tests is.
    tests.removeIf(t -> !t.contains("#") && tests.stream().anyMatch(u -> u.startsWith(t + "#")));
    String checkedBy;
    if (!tests.isEmpty()) {
      checkedBy = tests.stream().map(t -> "`" + t + "`").collect(Collectors.joining(", "));
    } else if (citedInTests) {
      checkedBy = "*cited in test support only*";
    } else if (!mainFiles.isEmpty()) {
      checkedBy = "**not yet tested**";
    } else {
      checkedBy = "*not cited*";
    }
    return new String[] {implemented, checkedBy};
  }

  private static String links(Set<String> paths, String emphasis) {
    return paths.stream()
        .sorted(Comparator.comparing(RulesIndex::simpleName))
        .map(p -> emphasis + "[" + simpleName(p) + "](../" + p + ")" + emphasis)
        .collect(Collectors.joining(", "));
  }

  private static final Pattern TEST_PATH =
      Pattern.compile("[^/]+/src/test/java/(?:(.+)/)?([^/]+?)(?:Tests?|IT)?\\.java");

  /** The {@code src/main} class a test class is named after, if any (see generatedCells). */
  static Optional<String> subjectOf(String testPath, List<String> mainPaths) {
    Matcher t = TEST_PATH.matcher(testPath);
    if (!t.matches()) {
      return Optional.empty();
    }
    String dir = t.group(1) == null ? "" : t.group(1) + "/";
    String name = t.group(2);
    String best = null;
    for (String main : mainPaths) {
      int at = main.indexOf("/src/main/java/");
      if (at < 0 || !main.startsWith(dir, at + "/src/main/java/".length())) {
        continue;
      }
      String rest = main.substring(at + "/src/main/java/".length() + dir.length());
      if (rest.contains("/") || !rest.endsWith(".java")) {
        continue;
      }
      String candidate = rest.substring(0, rest.length() - ".java".length());
      boolean prefix = name.startsWith(candidate)
          && (name.length() == candidate.length()
              || Character.isUpperCase(name.charAt(candidate.length())));
      if (prefix && (best == null || candidate.length() > simpleName(best).length())) {
        best = main;
      }
    }
    return Optional.ofNullable(best);
  }

  private static String simpleName(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    name = name.substring(0, name.length() - ".java".length());
    if (name.equals("package-info") || name.equals("module-info")) {
      String dir = path.substring(0, path.lastIndexOf('/'));
      String module = path.substring(0, path.indexOf('/'));
      return name.equals("module-info") ? module + " module-info"
          : dir.substring(dir.lastIndexOf('/') + 1) + " package-info";
    }
    return name;
  }

  /** The index with its generated columns refreshed from the citations. */
  static String regenerate(String index, List<Citation> citations, List<String> mainPaths) {
    String[] lines = index.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = ROW.matcher(lines[i]);
      if (m.matches()) {
        String[] cells = generatedCells(m.group(1), citations, mainPaths);
        lines[i] = "| " + m.group(1) + " | " + m.group(2).trim() + " | " + m.group(3).trim()
            + " | " + cells[0] + " | " + cells[1] + " |";
      }
    }
    return String.join("\n", lines);
  }

  /** The cited ids that have no row, each with the places that cite it. */
  static Map<String, List<String>> missing(List<Citation> citations, List<Row> rows) {
    Set<String> indexed = rows.stream().map(Row::id).collect(Collectors.toSet());
    Map<String, List<String>> missing = new TreeMap<>();
    for (Citation c : citations) {
      if (!indexed.contains(c.id())) {
        missing.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(c.where());
      }
    }
    return missing;
  }

  /**
   * Refreshes {@code docs/rules.md} ({@code --write}) or reports the cited ids it lacks.
   *
   * @param args {@code --write} to rewrite the generated columns in place
   */
  public static void main(String[] args) throws IOException {
    Path root = repoRoot(Path.of("").toAbsolutePath());
    Path indexFile = root.resolve(INDEX);
    List<Citation> citations = scan(root);
    if (List.of(args).contains("--cited")) {
      Map<String, List<String>> byId = new TreeMap<>();
      citations.forEach(c -> byId.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(c.where()));
      byId.forEach((id, where) -> System.out.println(id + "\t" + String.join("\t", where)));
      return;
    }
    String index = read(indexFile);
    Map<String, List<String>> missing = missing(citations, rows(index));
    missing.forEach((id, where) -> System.err.println(
        id + " has no row in " + INDEX + "; cited at " + String.join(", ", where)));
    if (List.of(args).contains("--write")) {
      List<String> mainPaths = sources(root).stream().filter(Source::main)
          .map(Source::relative).toList();
      Files.writeString(indexFile, regenerate(index, citations, mainPaths),
          StandardCharsets.UTF_8);
      Map<String, Integer> counts = new LinkedHashMap<>();
      citations.forEach(c -> counts.merge(c.id(), 1, Integer::sum));
      System.out.println("rewrote " + INDEX + ": " + counts.size() + " ids cited "
          + citations.size() + " times");
    }
    if (!missing.isEmpty()) {
      System.exit(1);
    }
  }
}
