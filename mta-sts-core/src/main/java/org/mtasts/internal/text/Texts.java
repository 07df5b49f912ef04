package org.mtasts.internal.text;

/**
 * Small text helpers shared by the parsers of policies and of the MTA-STS and TLS-RPT TXT
 * records, so that all of them describe characters and quote untrusted input alike (SEC-20).
 *
 * <p>{@link #printable(CharSequence, int)} (public as {@link org.mtasts.NetworkText}) is the one place where text that came from the
 * network (HTTP headers and status lines, SMTP replies, DNS names, policy lines, file names)
 * is made safe before it reaches a log line, an exception message, a value of the API, or the
 * command-line tool's tables and JSON.
 */
public final class Texts {

  /** Longest excerpt of untrusted input that goes into an error or warning message. */
  public static final int MAX_QUOTED = 80;

  private Texts() {}

  /**
   * Quotes untrusted input for a message: control, format and non-ASCII characters become
   * {@code \}{@code uXXXX} escapes and long input is cut, so that a hostile policy or TXT
   * record cannot inject line breaks or terminal escapes into logs (SEC-20).
   */
  public static String quote(CharSequence s) {
    return quote(s, MAX_QUOTED);
  }

  /**
   * Like {@link #quote(CharSequence)}, cutting after {@code max} characters; {@code null} gives
   * {@code null} without quotes.
   */
  public static String quote(CharSequence s, int max) {
    return s == null ? "null" : "'" + printable(s, max) + "'";
  }

  /**
   * Makes untrusted text printable (SEC-20): every character outside printable US-ASCII, and
   * the backslash itself, becomes a {@code \}{@code uXXXX} escape, so CR, LF, NUL, terminal
   * escapes and bidirectional controls cannot forge log lines or table rows, and the result is
   * unambiguous; text longer than {@code max} characters is cut and ends in {@code ...}.
   *
   * @param s the text; {@code null} gives {@code null}
   * @param max how many characters of {@code s} to keep at most
   */
  public static String printable(CharSequence s, int max) {
    if (s == null) {
      return null;
    }
    int n = Math.min(s.length(), max);
    int i = 0;
    while (i < n && isPlain(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return s.toString(); // the common case: nothing to escape, nothing to cut
    }
    StringBuilder b = new StringBuilder(n + 16).append(s, 0, i);
    for (; i < n; i++) {
      appendEscaped(b, s.charAt(i));
    }
    if (s.length() > max) {
      b.append("...");
    }
    return b.toString();
  }

  private static boolean isPlain(char c) {
    return c >= 0x20 && c < 0x7F && c != '\\';
  }

  /** Describes one character for a message, e.g. {@code '/'} or {@code U+0000}. */
  public static String describe(char c) {
    if (c >= 0x21 && c < 0x7F) {
      return "'" + c + "'";
    }
    if (c == ' ') {
      return "a space";
    }
    if (c == '\t') {
      return "a tab";
    }
    return String.format("U+%04X", (int) c);
  }

  private static void appendEscaped(StringBuilder b, char c) {
    if (isPlain(c)) {
      b.append(c);
    } else {
      b.append(String.format("\\u%04x", (int) c));
    }
  }

  /** Whether {@code c} is WSP (RFC 5234): a space or a tab. */
  public static boolean isWsp(char c) {
    return c == ' ' || c == '\t';
  }

  /** Returns the first index at or after {@code from} that is not a space or a tab. */
  public static int skipWsp(String s, int from) {
    int i = from;
    while (i < s.length() && isWsp(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Whether {@code c} is an ASCII letter or digit. */
  public static boolean isAsciiLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /**
   * Checks an extension field name against the grammar shared by the policy body and the
   * TXT records of RFC 8461 §3.1/§3.2 and RFC 8460 §3: a letter or digit, then up to 31 letters, digits,
   * {@code _}, {@code -} or {@code .}.
   *
   * @return {@code null} when valid, otherwise the reason
   */
  public static String extensionNameError(String name) {
    if (name.isEmpty()) {
      return "the field name is empty";
    }
    if (name.length() > 32) {
      return "field name " + quote(name) + " is longer than 32 characters";
    }
    if (!isAsciiLetterOrDigit(name.charAt(0))) {
      return "field name " + quote(name) + " must start with a letter or digit";
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isAsciiLetterOrDigit(c) && c != '_' && c != '-' && c != '.') {
        return "field name " + quote(name) + " contains " + describe(c)
            + "; only letters, digits, '_', '-' and '.' are allowed";
      }
    }
    return null;
  }
}
