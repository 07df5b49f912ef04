package org.mtasts.testkit.smtp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * A reply a hostile MX sends instead of the normal one at one {@linkplain Stage stage} of the
 * session, to test that a client bounds what a server can make it read (memory and time):
 *
 * <pre>{@code
 * SmtpBehaviour.builder()
 *     .hostile(HostileReply.Stage.GREETING, HostileReply.endlessContinuation(220))
 *     .build();
 * Mx.goodTls().with(b -> b.hostile(HostileReply.Stage.EHLO_AFTER_TLS,
 *     HostileReply.endlessContinuation(250)));
 * }</pre>
 *
 * <ul>
 *   <li>{@link #endlessContinuation(int)}: {@code 250-} continuation lines, as fast as the client
 *       reads, forever: a client that keeps the reply in memory runs out of it;
 *   <li>{@link #hugeLine(int)}: {@code 250 } and then bytes without a line end, forever;
 *   <li>{@link #trickle(int, Duration)}: an endless continuation reply, one byte per interval:
 *       each read gets a byte before any sensible read timeout, so only a bound on the whole reply
 *       or the whole delivery stops it;
 *   <li>{@link #slowLines(int, Duration)}: one complete continuation line per interval, forever
 *       (a greeting that never ends, in little memory);
 *   <li>{@link #raw(String)}: given characters, sent once as they are (control characters
 *       included), after which the session goes on: for checking that reply text is escaped.
 * </ul>
 *
 * <p>The endless replies end only when the client closes the connection or the receiver is
 * closed; their session thread then ends. Immutable and thread-safe.
 */
public final class HostileReply {

  /** Where in the session the hostile reply replaces the normal one. */
  public enum Stage {
    /** The {@code 220} greeting. */
    GREETING,
    /** The reply to {@code EHLO} (and {@code HELO}) before TLS, or in a session without TLS. */
    EHLO,
    /** The reply to {@code EHLO} after STARTTLS: the hostile bytes travel inside TLS. */
    EHLO_AFTER_TLS,
    /** The reply to {@code MAIL FROM}; a raw reply leaves no transaction open. */
    MAIL,
    /** The reply to {@code RCPT TO}; a raw reply does not accept the recipient. */
    RCPT,
    /** The reply to the end of {@code DATA}; a raw reply does not accept the message. */
    DATA_END
  }

  enum Kind {
    ENDLESS_CONTINUATION,
    HUGE_LINE,
    TRICKLE,
    SLOW_LINES,
    RAW
  }

  final Kind kind;
  final int code;
  final Duration interval;
  private final byte[] raw;

  private HostileReply(Kind kind, int code, Duration interval, byte[] raw) {
    this.kind = kind;
    this.code = code;
    this.interval = interval;
    this.raw = raw;
  }

  /**
   * {@code <code>-} continuation lines of 70 bytes, written as fast as the client reads, forever.
   *
   * @throws IllegalArgumentException if {@code code} is not 200 to 599
   */
  public static HostileReply endlessContinuation(int code) {
    return new HostileReply(Kind.ENDLESS_CONTINUATION, checkCode(code), Duration.ZERO, null);
  }

  /**
   * {@code <code> } and then {@code x} bytes without CR or LF, written as fast as the client
   * reads, forever: one line that never ends.
   *
   * @throws IllegalArgumentException if {@code code} is not 200 to 599
   */
  public static HostileReply hugeLine(int code) {
    return new HostileReply(Kind.HUGE_LINE, checkCode(code), Duration.ZERO, null);
  }

  /**
   * An endless continuation reply ({@code <code>-slow...}) sent one byte every {@code
   * perByte}. Keep {@code perByte} below the client's read timeout: the point is a server that
   * never lets a read time out.
   *
   * @throws IllegalArgumentException if {@code code} is not 200 to 599 or {@code perByte} is not
   *     positive
   * @throws NullPointerException if {@code perByte} is null
   */
  public static HostileReply trickle(int code, Duration perByte) {
    return new HostileReply(Kind.TRICKLE, checkCode(code), positive(perByte, "perByte"), null);
  }

  /**
   * One complete continuation line ({@code <code>-still greeting...}) every {@code perLine},
   * forever: a reply that never ends, in little memory.
   *
   * @throws IllegalArgumentException if {@code code} is not 200 to 599 or {@code perLine} is not
   *     positive
   * @throws NullPointerException if {@code perLine} is null
   */
  public static HostileReply slowLines(int code, Duration perLine) {
    return new HostileReply(Kind.SLOW_LINES, checkCode(code), positive(perLine, "perLine"), null);
  }

  /**
   * Sends {@code text} once, byte for byte (each character as one ISO-8859-1 byte; CR, LF, ESC
   * and NUL included, nothing added), instead of the normal reply; the session then goes on. The
   * text should end with a complete last reply line such as {@code "550 5.0.0 no\r\n"}, or the
   * client waits for one.
   *
   * @throws IllegalArgumentException if {@code text} is empty or has a character above U+00FF
   * @throws NullPointerException if {@code text} is null
   */
  public static HostileReply raw(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("a raw reply must not be empty");
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 0xff) {
        throw new IllegalArgumentException(
            String.format("raw reply character %d is U+%04X, above U+00FF", i,
                (int) text.charAt(i)));
      }
    }
    return new HostileReply(Kind.RAW, 0, Duration.ZERO,
        text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The bytes of a {@link #raw} reply. */
  byte[] rawBytes() {
    return raw.clone();
  }

  /** Whether this reply never ends (all but {@link #raw}). */
  public boolean isEndless() {
    return kind != Kind.RAW;
  }

  private static int checkCode(int code) {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("reply code must be 200..599: " + code);
    }
    return code;
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return d;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostileReply other
        && kind == other.kind
        && code == other.code
        && interval.equals(other.interval)
        && Arrays.equals(raw, other.raw);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, code, interval) * 31 + Arrays.hashCode(raw);
  }

  /** E.g. {@code trickle(220, PT0.1S)} or {@code raw("550-a\u001b\r\n...")}. */
  @Override
  public String toString() {
    return switch (kind) {
      case ENDLESS_CONTINUATION -> "endlessContinuation(" + code + ")";
      case HUGE_LINE -> "hugeLine(" + code + ")";
      case TRICKLE -> "trickle(" + code + ", " + interval + ")";
      case SLOW_LINES -> "slowLines(" + code + ", " + interval + ")";
      case RAW -> "raw(\"" + escape(new String(raw, StandardCharsets.ISO_8859_1)) + "\")";
    };
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        b.append(c);
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b.toString();
  }
}
