package org.mtasts.javamail;

/**
 * Bounds the SMTP replies of one connection, one byte at a time: a pure state machine with no
 * I/O and no clock, so it can be unit-tested and fuzzed on its own. {@link BoundedInputStream}
 * feeds it every byte an MX sends before Angus Mail sees it, because Angus keeps a reply line and
 * a whole multi-line reply in memory and grows both without limit (issue 12, item 1).
 *
 * <p>Feed each byte with {@link #feed(byte)} and act on the returned {@link Step}: {@link
 * Step#LINE_TOO_LONG} and {@link Step#REPLY_TOO_LONG} mean the server crossed a limit (stop
 * reading and drop the connection); {@link Step#REPLY_STARTED} and {@link Step#REPLY_ENDED} mark
 * where a reply begins and ends (to time each reply). Once a limit is crossed the limiter stays
 * failed: every later byte returns the same step.
 *
 * <p>Lines end exactly where Angus's {@code LineInputStream.readLine} ends them: at LF, at CR, at
 * CR LF and at CR CR LF; a CR not followed by LF ends a line on its own. A line ends a reply where
 * Angus's {@code SMTPTransport.readServerResponse} ends it: when it is shorter than four
 * characters, or its fourth character is not {@code -}. The limiter must never see a reply end
 * that Angus does not see (or a server could reset the reply count while Angus's buffer grows),
 * so a line whose first four bytes are not all ASCII counts as a continuation: with {@code
 * mail.mime.allowutf8} Angus decodes such a line as UTF-8 and its fourth character may be
 * another byte's. A server that sends such lines only gets less room, never more.
 *
 * <p>Lengths are counted in bytes: a line without its terminator, a reply with its terminators.
 * Not thread-safe; one limiter per stream.
 */
final class SmtpReplyLimiter {
  /**
   * The longest reply line read, in bytes without CR LF. RFC 5321 §4.5.3.1.5 allows 512 octets
   * including CR LF; real servers (long banners, EHLO keywords with many parameters) go beyond
   * that, so this is lenient but bounded.
   */
  static final int DEFAULT_MAX_LINE = 4096;

  /** The longest whole (multi-line) reply read, in bytes with line terminators. */
  static final int DEFAULT_MAX_REPLY = 64 * 1024;

  /** What one byte did. */
  enum Step {
    /**
     * The byte is the first of a reply. (After CR CR, the byte that shows the second CR to be an
     * empty line of its own also ends that one-line reply: {@link #repliesEnded()} counts it.)
     */
    REPLY_STARTED,
    /** The byte continues a reply, or belongs to the line terminator after one. */
    CONTINUED,
    /** The byte ended a reply (it ended its last line). */
    REPLY_ENDED,
    /** The current line is longer than the line limit; the limiter has failed. */
    LINE_TOO_LONG,
    /** The current reply is longer than the reply limit; the limiter has failed. */
    REPLY_TOO_LONG
  }

  /** Where the limiter is between bytes. */
  private enum State {
    /** In a line (or before the first byte of a reply). */
    LINE,
    /** A CR ended the line; a following LF belongs to the terminator. */
    AFTER_CR,
    /** CR CR: an LF now makes one CR CR LF terminator; anything else makes the second CR a line. */
    AFTER_CR_CR
  }

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private final int maxLine;
  private final int maxReply;

  private State state = State.LINE;
  private boolean inReply;
  private int lineLength;
  private int replyLength;
  /** Whether the fourth byte of the current line is {@code -}, or unknowable (non-ASCII). */
  private boolean continuation;
  /** Whether one of the first four bytes of the current line is not ASCII. */
  private boolean nonAsciiHead;
  private Step failed;
  private long repliesEnded;

  /** A limiter with the default limits. */
  SmtpReplyLimiter() {
    this(DEFAULT_MAX_LINE, DEFAULT_MAX_REPLY);
  }

  /**
   * @param maxLine the longest line, in bytes without its terminator; at least 4
   * @param maxReply the longest reply, in bytes with its terminators; at least {@code maxLine}
   * @throws IllegalArgumentException if a limit is out of range
   */
  SmtpReplyLimiter(int maxLine, int maxReply) {
    if (maxLine < 4 || maxReply < maxLine) {
      throw new IllegalArgumentException(
          "need 4 <= maxLine <= maxReply, got maxLine " + maxLine + ", maxReply " + maxReply);
    }
    this.maxLine = maxLine;
    this.maxReply = maxReply;
  }

  /**
   * Takes one byte the server sent.
   *
   * @return what the byte did; {@link Step#LINE_TOO_LONG} or {@link Step#REPLY_TOO_LONG} once a
   *     limit has been crossed, for this and every later byte
   */
  Step feed(byte b) {
    if (failed != null) {
      return failed;
    }
    switch (state) {
      case AFTER_CR:
        if (b == LF) {
          state = State.LINE;
          return terminatorByte();
        }
        if (b == CR) {
          state = State.AFTER_CR_CR;
          return terminatorByte();
        }
        state = State.LINE;
        return content(b);
      case AFTER_CR_CR:
        if (b == LF) {
          state = State.LINE; // CR CR LF: one terminator
          return terminatorByte();
        }
        // Angus went back to just after the first CR: the second CR ends an empty line (which
        // ends any reply), and this byte is read after that CR.
        Step emptyLine = endLine();
        if (emptyLine == Step.REPLY_TOO_LONG) {
          return emptyLine;
        }
        state = State.AFTER_CR;
        Step next = feed(b);
        return emptyLine == Step.REPLY_ENDED && next == Step.CONTINUED ? Step.REPLY_ENDED : next;
      default:
        if (b == LF) {
          return endLine();
        }
        if (b == CR) {
          Step end = endLine();
          if (failed == null) {
            state = State.AFTER_CR;
          }
          return end;
        }
        return content(b);
    }
  }

  /** How many replies have ended so far. */
  long repliesEnded() {
    return repliesEnded;
  }

  /** Whether a reply has begun and not yet ended. */
  boolean inReply() {
    return inReply;
  }

  /** The step of the crossed limit, or null while within the limits. */
  Step failure() {
    return failed;
  }

  /** The longest line this limiter allows, in bytes. */
  int maxLine() {
    return maxLine;
  }

  /** The longest reply this limiter allows, in bytes. */
  int maxReply() {
    return maxReply;
  }

  /** A byte of a line terminator that follows a CR: counted, but it neither starts nor ends. */
  private Step terminatorByte() {
    if (!inReply) {
      return Step.CONTINUED;
    }
    return count() ? Step.CONTINUED : failed;
  }

  private Step content(byte b) {
    boolean started = !inReply;
    if (started) {
      inReply = true;
      replyLength = 0;
    }
    if (lineLength < 4) {
      if (b < 0) {
        nonAsciiHead = true;
      }
      if (lineLength == 3) {
        continuation = b == '-';
      }
    }
    lineLength++;
    if (lineLength > maxLine) {
      return fail(Step.LINE_TOO_LONG);
    }
    if (!count()) {
      return failed;
    }
    return started ? Step.REPLY_STARTED : Step.CONTINUED;
  }

  /** A CR or LF ended the current line (possibly an empty one). */
  private Step endLine() {
    boolean started = !inReply;
    if (started) {
      inReply = true; // an empty line is a (malformed) reply of its own for Angus
      replyLength = 0;
    }
    if (!count()) {
      return failed;
    }
    // Fewer than four bytes are fewer than four characters however Angus decodes them.
    boolean last = lineLength < 4 || (!continuation && !nonAsciiHead);
    lineLength = 0;
    continuation = false;
    nonAsciiHead = false;
    if (last) {
      inReply = false;
      repliesEnded++;
      return Step.REPLY_ENDED;
    }
    return started ? Step.REPLY_STARTED : Step.CONTINUED;
  }

  /** Counts one byte against the reply limit; false (and failed) when it crosses it. */
  private boolean count() {
    replyLength++;
    if (replyLength > maxReply) {
      fail(Step.REPLY_TOO_LONG);
      return false;
    }
    return true;
  }

  private Step fail(Step step) {
    failed = step;
    return step;
  }

  @Override
  public String toString() {
    return "SmtpReplyLimiter{line " + lineLength + "/" + maxLine + ", reply " + replyLength + "/"
        + maxReply + (inReply ? ", in reply" : "") + (failed == null ? "" : ", " + failed) + "}";
  }
}
