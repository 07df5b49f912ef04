package org.mtasts;

import org.mtasts.internal.text.Texts;

/**
 * Makes text that came from the network safe to print: SMTP reply lines, HTTP headers, EHLO
 * names, policy lines. The library passes every such string through here before it reaches a
 * log line, an exception message or a value of its API (SEC-20); an application that runs its own
 * SMTP client and logs what a server said should do the same.
 *
 * <p>Every character outside printable US-ASCII, and the backslash, becomes a {@code \}{@code
 * uXXXX} escape, so CR, LF, NUL, terminal escapes and bidirectional controls cannot forge log
 * lines or table rows, and the result is unambiguous. Thread-safe; no state.
 */
public final class NetworkText {
  /** How much of one string the library keeps by default: a long SMTP reply line and more. */
  public static final int DEFAULT_MAX_LENGTH = 512;

  private NetworkText() {}

  /**
   * Returns {@code text} escaped as described above and cut after {@link #DEFAULT_MAX_LENGTH}
   * characters (then ending in {@code ...}); the same instance when there is nothing to change.
   *
   * @param text the untrusted text; {@code null} gives {@code null}
   */
  public static String printable(CharSequence text) {
    return Texts.printable(text, DEFAULT_MAX_LENGTH);
  }

  /**
   * Like {@link #printable(CharSequence)}, cut after {@code maxLength} characters.
   *
   * @param text the untrusted text; {@code null} gives {@code null}
   * @param maxLength how many characters of {@code text} to keep, at least 1
   * @throws IllegalArgumentException if {@code maxLength} is less than 1
   */
  public static String printable(CharSequence text, int maxLength) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be at least 1, is " + maxLength);
    }
    return Texts.printable(text, maxLength);
  }
}
