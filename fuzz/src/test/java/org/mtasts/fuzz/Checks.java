package org.mtasts.fuzz;

import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * What every fuzz target checks besides "no unexpected exception": that text the library builds
 * from untrusted input is safe to log (SEC-20), and how raw fuzzer bytes become Java text.
 *
 * <p>A failed check throws {@link AssertionError}, which Jazzer reports as a finding.
 */
public final class Checks {

  /**
   * Non-ASCII characters the library itself writes in messages ({@code RFC 8461 §3.2}). Anything
   * else outside printable ASCII in a message or {@code toString()} came from the input without
   * going through {@code Texts.printable}. A new message with other typography extends this list.
   */
  private static final String OWN_NON_ASCII = "\u00a7";

  private Checks() {}

  /**
   * Asserts that {@code text} is printable US-ASCII (or the library's own {@code §}): no CR, LF,
   * NUL, terminal escape, bidirectional control or other character taken verbatim from the input
   * (SEC-20). {@code Texts.printable} escapes all of those, so any of them here is a leak.
   *
   * @param what what the text is, for the failure message
   * @param text the text to check
   */
  public static void assertLogSafe(String what, String text) {
    if (text == null) {
      throw new AssertionError(what + " is null");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 || c > 0x7E) && OWN_NON_ASCII.indexOf(c) < 0) {
        throw new AssertionError(
            String.format(
                "SEC-20: %s has the unescaped character U+%04X at index %d: %s",
                what, (int) c, i, escape(text)));
      }
    }
  }

  /**
   * Asserts {@code condition}.
   *
   * @param condition what must hold
   * @param message the failure message
   */
  public static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  /**
   * Asserts {@code condition}, with a message built only on failure (a target runs a million
   * times; messages that print values would dominate its time).
   *
   * @param condition what must hold
   * @param message the failure message
   */
  public static void check(boolean condition, Supplier<String> message) {
    if (!condition) {
      throw new AssertionError(message.get());
    }
  }

  /**
   * Whether {@code name} follows the extension-name grammar of RFC 8461 §3.1/§3.2 and RFC 8460
   * §3: a letter or digit, then up to 31 letters, digits, {@code _}, {@code -} or {@code .}.
   * Written out rather than as a regular expression: Jazzer hooks {@code java.util.regex}.
   *
   * @param name the name
   * @return whether it is valid
   */
  public static boolean isExtensionName(String name) {
    if (name.isEmpty() || name.length() > 32 || !isLetterOrDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isLetterOrDigit(c) && c != '_' && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code s} is 1 to {@code max} ASCII letters and digits.
   *
   * @param s the text
   * @param max the longest allowed
   * @return whether it is
   */
  public static boolean isAlphanumeric(String s, int max) {
    if (s.isEmpty() || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isLetterOrDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /**
   * Asserts that two values are equal.
   *
   * @param what what is compared, for the failure message
   * @param expected the expected value
   * @param actual the actual value
   */
  public static void checkEqual(String what, Object expected, Object actual) {
    if (!expected.equals(actual)) {
      throw new AssertionError(
          what + " differs:\n expected " + escape(String.valueOf(expected))
              + "\n actual   " + escape(String.valueOf(actual)));
    }
  }

  /**
   * Decodes fuzzer bytes as UTF-8 the way the policy fetch and the DNS client see the network:
   * malformed sequences become U+FFFD, so the result never has an unpaired surrogate.
   *
   * @param bytes the input
   * @return the text
   */
  public static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new AssertionError("cannot happen with REPLACE", e);
    }
  }

  /**
   * Reads fuzzer bytes as UTF-16BE code units, without validation: every {@code char} value,
   * unpaired surrogates and C1 controls included, is reachable. This is the {@code CharSequence}
   * an API caller can pass, beyond what a UTF-8 decoder produces.
   *
   * @param bytes the input; an odd last byte is ignored
   * @return the text
   */
  public static String utf16(byte[] bytes) {
    char[] chars = new char[bytes.length / 2];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = (char) ((bytes[2 * i] & 0xFF) << 8 | (bytes[2 * i + 1] & 0xFF));
    }
    return new String(chars);
  }

  /** Java-escapes text for an assertion message, so a finding's report is readable. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    int max = Math.min(s.length(), 400);
    for (int i = 0; i < max; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7F && c != '\\') {
        b.append(c);
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return s.length() > max ? b.append("...").toString() : b.toString();
  }
}
