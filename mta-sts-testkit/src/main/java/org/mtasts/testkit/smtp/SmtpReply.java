package org.mtasts.testkit.smtp;

import java.util.Objects;

/**
 * One single-line SMTP reply a receiver is told to send, such as {@code 550 5.1.1 No such user}.
 * Immutable and thread-safe.
 *
 * @param code the three-digit reply code, 200 to 599
 * @param text the text after the code: printable, without CR or LF; may start with an enhanced
 *     status code (RFC 3463) such as {@code 4.7.0}
 */
public record SmtpReply(int code, String text) {

  /**
   * Validates the reply.
   *
   * @throws IllegalArgumentException if the code is outside 200 to 599 or the text contains CR, LF
   *     or other control characters
   * @throws NullPointerException if {@code text} is null
   */
  public SmtpReply {
    Objects.requireNonNull(text, "text");
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("reply code must be 200..599: " + code);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(
            "reply text must be one line without control characters: " + text.strip());
      }
    }
  }

  /**
   * Returns a reply with {@code code} and {@code text}.
   *
   * @throws IllegalArgumentException as the constructor
   */
  public static SmtpReply of(int code, String text) {
    return new SmtpReply(code, text);
  }

  /** Whether this is a positive completion reply (2xx), which lets the command succeed. */
  public boolean isPositive() {
    return code / 100 == 2;
  }

  /** The reply as it appears on the wire, without the line ending: {@code "550 5.1.1 text"}. */
  @Override
  public String toString() {
    return text.isEmpty() ? Integer.toString(code) : code + " " + text;
  }
}
