package org.mtasts.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mtasts.internal.text.Texts;

/**
 * The strict policy-body parser behind {@link Policy#parseDetailed(CharSequence)}. One instance
 * parses one text; not thread-safe, never shared.
 */
final class PolicyParser {

  /** Warnings kept per policy; a hostile body must not make us build an unbounded list. */
  static final int MAX_WARNINGS = 100;

  private static final char BYTE_ORDER_MARK = '\uFEFF';
  private static final String VERSION = "version";
  private static final String MODE = "mode";
  private static final String MAX_AGE = "max_age";
  private static final String MX = "mx";

  private final Map<String, Integer> firstLineOf = new LinkedHashMap<>();
  private final Map<String, String> extensions = new LinkedHashMap<>();
  private final Set<MxPattern> patterns = new LinkedHashSet<>();
  private final List<PolicyWarning> warnings = new ArrayList<>();
  private int droppedWarnings;
  private boolean versionSeen;
  private Mode mode;
  private Duration maxAge;
  private int mxLines;
  private PolicyWarning firstIgnoredMx;
  private int blankLines;
  private int firstBlankLine;

  private PolicyParser() {}

  static ParsedPolicy parse(CharSequence input) throws PolicySyntaxException {
    String text = input.toString();
    PolicyParser parser = new PolicyParser();
    if (!text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK) {
      parser.warn(
          PolicyWarning.Kind.BYTE_ORDER_MARK,
          1,
          null,
          "a UTF-8 byte-order mark before the first field was removed; serve the policy"
              + " without one");
    }
    List<String> lines = splitLines(text);
    for (int i = 0; i < lines.size(); i++) {
      parser.line(lines.get(i), i + 1);
    }
    Policy policy = parser.finish(lines.size());
    return new ParsedPolicy(policy, parser.sortedWarnings(), lines);
  }

  static List<String> splitLines(String text) {
    List<String> lines = new ArrayList<>();
    int pos = !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? 1 : 0;
    int len = text.length();
    while (pos < len) {
      int lf = text.indexOf('\n', pos);
      if (lf < 0) {
        lines.add(text.substring(pos));
        break;
      }
      int end = lf > pos && text.charAt(lf - 1) == '\r' ? lf - 1 : lf;
      lines.add(text.substring(pos, end));
      pos = lf + 1;
    }
    return Collections.unmodifiableList(lines);
  }

  static boolean isRegisteredName(String name) {
    return name.equals(VERSION) || name.equals(MODE) || name.equals(MAX_AGE) || name.equals(MX);
  }

  /**
   * Checks an extension value (after the whitespace around it was removed): RFC 8461 §3.2 {@code
   * sts-policy-ext-value}, i.e. visible characters with single spaces inside, no controls.
   *
   * @return {@code null} when valid, otherwise the reason
   */
  static String extensionValueError(String value) {
    if (value.isEmpty()) {
      return "the value is empty; an extension field needs a value";
    }
    if (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ') {
      return "the value starts or ends with a space";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\t') {
        return "the value contains a tab at position "
            + (i + 1)
            + "; only spaces may separate words in an extension value";
      }
      String problem = characterProblem(value, i);
      if (problem != null) {
        return "the value " + problem;
      }
    }
    return null;
  }

  /**
   * Returns why the character at {@code i} can never appear in policy text (C0 and C1 controls,
   * DEL, unpaired surrogates), or {@code null}. Tab is allowed here; its place is checked by the
   * field rules.
   */
  private static String characterProblem(String s, int i) {
    char c = s.charAt(i);
    if (c == '\t') {
      return null;
    }
    if (c == '\r') {
      return "contains a carriage return (CR) not followed by LF at column "
          + (i + 1)
          + "; only LF or CRLF end a line";
    }
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) {
      return "contains the control character " + Texts.describe(c) + " at column " + (i + 1);
    }
    if (Character.isHighSurrogate(c)) {
      if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        return null;
      }
      return "contains an unpaired surrogate " + Texts.describe(c) + " at column " + (i + 1);
    }
    if (Character.isLowSurrogate(c)
        && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
      return "contains an unpaired surrogate " + Texts.describe(c) + " at column " + (i + 1);
    }
    return null;
  }

  private void line(String line, int no) throws PolicySyntaxException {
    if (isBlank(line)) {
      if (blankLines++ == 0) {
        firstBlankLine = no;
      }
      return;
    }
    int colon = line.indexOf(':');
    for (int i = 0; i < line.length(); i++) {
      String problem = characterProblem(line, i);
      if (problem != null) {
        throw new PolicySyntaxException(no, fieldNameBefore(line, colon, i), "the line " + problem);
      }
    }
    if (Texts.isWsp(line.charAt(0))) {
      throw new PolicySyntaxException(
          no,
          null,
          "whitespace before the field name is not allowed (RFC 8461 §3.2; it would look like"
              + " a folded header line)");
    }
    if (colon < 0) {
      throw new PolicySyntaxException(
          no,
          null,
          "no ':' in "
              + Texts.quote(line)
              + "; every line must be 'name: value' (there is no comment syntax)");
    }
    String name = line.substring(0, colon);
    // Leading whitespace was rejected above, so this only removes whitespace before the colon.
    String bareName = trimWsp(name, 0);
    String nameError = Texts.extensionNameError(bareName);
    if (nameError == null && bareName.length() < name.length()) {
      throw new PolicySyntaxException(
          no, bareName, "whitespace between the field name and ':' is not allowed");
    }
    if (nameError != null) {
      throw new PolicySyntaxException(no, null, nameError);
    }
    String value = trimWsp(line, colon + 1);
    Integer first = firstLineOf.putIfAbsent(name, no);
    if (name.equals(MX)) {
      mx(value, no);
    } else if (first != null) {
      // RFC 8461 §3.2: only the first occurrence counts; D-14: later ones are not validated.
      warn(
          PolicyWarning.Kind.DUPLICATE_FIELD,
          no,
          name,
          "repeated field ignored; the first occurrence, on line " + first + ", counts");
    } else if (name.equals(VERSION)) {
      version(value, no);
    } else if (name.equals(MODE)) {
      mode(value, no);
    } else if (name.equals(MAX_AGE)) {
      maxAge(value, no);
    } else {
      String error = extensionValueError(value);
      if (error != null) {
        throw new PolicySyntaxException(no, name, error);
      }
      extensions.put(name, value);
    }
  }

  private static String fieldNameBefore(String line, int colon, int index) {
    if (colon > 0 && index > colon) {
      String name = line.substring(0, colon);
      if (Texts.extensionNameError(name) == null) {
        return name;
      }
    }
    return null;
  }

  private void version(String value, int no) throws PolicySyntaxException {
    if (!value.equals(Policy.VERSION)) {
      throw new PolicySyntaxException(
          no,
          VERSION,
          Texts.quote(value)
              + " is not "
              + Policy.VERSION
              + (value.equalsIgnoreCase(Policy.VERSION)
                  ? " (the value is case-sensitive)"
                  : "; this library understands only version " + Policy.VERSION));
    }
    versionSeen = true;
  }

  private void mode(String value, int no) throws PolicySyntaxException {
    Mode m = Mode.fromToken(value).orElse(null);
    if (m == null) {
      boolean caseOnly = Mode.fromToken(value.toLowerCase(Locale.ROOT)).isPresent();
      throw new PolicySyntaxException(
          no,
          MODE,
          Texts.quote(value)
              + " is not one of enforce, testing, none"
              + (caseOnly ? " (values are case-sensitive)" : ""));
    }
    mode = m;
  }

  private void maxAge(String value, int no) throws PolicySyntaxException {
    if (value.isEmpty()) {
      throw new PolicySyntaxException(
          no, MAX_AGE, "the value is empty; expected a number of seconds (1 to 10 digits)");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new PolicySyntaxException(
            no,
            MAX_AGE,
            Texts.quote(value)
                + " is not a number of seconds; expected 1 to 10 ASCII digits, without sign,"
                + " unit, exponent or spaces");
      }
    }
    if (value.length() > 10) {
      throw new PolicySyntaxException(
          no,
          MAX_AGE,
          Texts.quote(value) + " has " + value.length() + " digits; at most 10 are allowed");
    }
    long seconds = Long.parseLong(value);
    long limit = Policy.MAX_AGE_LIMIT.getSeconds();
    if (seconds > limit) {
      warn(
          PolicyWarning.Kind.MAX_AGE_CAPPED,
          no,
          MAX_AGE,
          seconds + " seconds is above the maximum of " + limit + " (about one year); capped");
      seconds = limit;
    }
    maxAge = Duration.ofSeconds(seconds);
  }

  private void mx(String value, int no) throws PolicySyntaxException {
    if (++mxLines > Policy.MAX_MX_PATTERNS) {
      throw new PolicySyntaxException(
          no,
          MX,
          "more than "
              + Policy.MAX_MX_PATTERNS
              + " mx lines; such a policy is rejected to bound memory and matching time");
    }
    MxPattern pattern;
    try {
      pattern = MxPattern.parse(value);
    } catch (InvalidDomainException e) {
      // D-11: a bad pattern must not match anything, but must not void the other patterns.
      PolicyWarning w =
          new PolicyWarning(
              PolicyWarning.Kind.MX_IGNORED, no, MX, e.getMessage() + "; the line is ignored");
      if (firstIgnoredMx == null) {
        firstIgnoredMx = w;
      }
      warn(w);
      return;
    }
    if (!patterns.add(pattern)) {
      warn(PolicyWarning.Kind.MX_DUPLICATE, no, MX, "'" + pattern + "' repeats an earlier mx line");
      return;
    }
    if (pattern.isTopLevelWildcard()) {
      warn(
          PolicyWarning.Kind.MX_TOP_LEVEL_WILDCARD,
          no,
          MX,
          "'"
              + pattern
              + "' lets any host directly under '"
              + pattern.domain()
              + "' receive the mail; it is honoured but protects little (RFC 8461 §10.4)");
    } else if (pattern.looksLikeIpAddress()) {
      warn(
          PolicyWarning.Kind.MX_LOOKS_LIKE_ADDRESS,
          no,
          MX,
          "'"
              + pattern
              + "' looks like an IP address; it matches only an MX host of that name, never an"
              + " address");
    }
  }

  private Policy finish(int lineCount) throws PolicySyntaxException {
    if (blankLines > 0) {
      // Added past the cap on purpose: it is a single summary entry.
      warnings.add(
          new PolicyWarning(
          PolicyWarning.Kind.BLANK_LINES,
          firstBlankLine,
          null,
          blankLines
              + (blankLines == 1 ? " blank line was" : " blank lines were")
              + " skipped (first on line "
              + firstBlankLine
              + "); blank lines are not part of the policy grammar"));
    }
    if (firstLineOf.isEmpty()) {
      throw new PolicySyntaxException(
          0, null, lineCount == 0 ? "the policy is empty" : "the policy has only blank lines");
    }
    if (!versionSeen) {
      throw missing(VERSION, "add 'version: STSv1'");
    }
    if (mode == null) {
      throw missing(MODE, "add 'mode: enforce', 'mode: testing' or 'mode: none'");
    }
    if (maxAge == null) {
      throw missing(MAX_AGE, "add 'max_age: <seconds>'");
    }
    if (mode != Mode.NONE && patterns.isEmpty()) {
      if (mxLines == 0) {
        throw missing(MX, "mode " + mode.token() + " needs at least one 'mx: <pattern>' line");
      }
      throw new PolicySyntaxException(
          0,
          MX,
          "mode "
              + mode.token()
              + " needs at least one valid mx pattern, but every mx line was ignored ("
              + firstIgnoredMx
              + ")");
    }
    return new Policy(mode, new ArrayList<>(patterns), maxAge, extensions);
  }

  private PolicySyntaxException missing(String field, String hint) {
    String reason = "the required field is missing; " + hint;
    for (Map.Entry<String, Integer> e : firstLineOf.entrySet()) {
      if (!e.getKey().equals(field) && e.getKey().equalsIgnoreCase(field)) {
        reason +=
            " ('" + e.getKey() + "' on line " + e.getValue() + " is an unknown field: field names"
                + " are case-sensitive)";
        break;
      }
    }
    return new PolicySyntaxException(0, field, reason);
  }

  private void warn(PolicyWarning.Kind kind, int line, String field, String message) {
    warn(new PolicyWarning(kind, line, field, message));
  }

  private void warn(PolicyWarning warning) {
    if (warnings.size() < MAX_WARNINGS) {
      warnings.add(warning);
    } else {
      droppedWarnings++;
    }
  }

  private List<PolicyWarning> sortedWarnings() {
    List<PolicyWarning> sorted = new ArrayList<>(warnings);
    sorted.sort(Comparator.comparingInt(PolicyWarning::line));
    if (droppedWarnings > 0) {
      sorted.add(
          new PolicyWarning(
              PolicyWarning.Kind.TOO_MANY_WARNINGS,
              0,
              null,
              droppedWarnings + " further warnings were dropped"));
    }
    return sorted;
  }

  private static boolean isBlank(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (!Texts.isWsp(line.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static String trimWsp(String s, int from) {
    int start = from;
    int end = s.length();
    while (start < end && Texts.isWsp(s.charAt(start))) {
      start++;
    }
    while (end > start && Texts.isWsp(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }
}
