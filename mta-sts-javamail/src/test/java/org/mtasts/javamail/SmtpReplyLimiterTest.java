package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.eclipse.angus.mail.util.LineInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mtasts.javamail.SmtpReplyLimiter.Step;

/**
 * The reply bounds of issue 12, item 1, byte by byte; and, against Angus Mail's own line reader,
 * that no input the limiter lets through makes Angus hold a longer line or reply than the limits.
 */
class SmtpReplyLimiterTest {

  /** Feeds {@code text} (ISO-8859-1) and returns the steps. */
  private static List<Step> feed(SmtpReplyLimiter limiter, String text) {
    List<Step> steps = new ArrayList<>();
    for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
      steps.add(limiter.feed(b));
    }
    return steps;
  }

  private static int ends(List<Step> steps) {
    return (int) steps.stream().filter(s -> s == Step.REPLY_ENDED).count();
  }

  @Test
  void singleLineReply_startsAndEnds() {
    SmtpReplyLimiter l = new SmtpReplyLimiter();
    List<Step> steps = feed(l, "250 ok\r\n");
    assertEquals(Step.REPLY_STARTED, steps.get(0));
    assertEquals(Step.REPLY_ENDED, steps.get(6)); // the CR
    assertEquals(Step.CONTINUED, steps.get(7)); // the LF belongs to the terminator
    assertFalse(l.inReply());
  }

  @Test
  void multiLineReply_endsAtTheLastLine() {
    SmtpReplyLimiter l = new SmtpReplyLimiter();
    List<Step> steps = feed(l, "250-a\r\n250-b\n250 c\r\n");
    assertEquals(1, ends(steps));
    assertEquals(Step.REPLY_ENDED, steps.get(steps.size() - 2));
  }

  @ParameterizedTest(name = "{0} replies in \"{1}\" (Angus's line ends)")
  @CsvSource(delimiter = '|', value = {
      "2 | 250 a\\n250 b\\n",
      "2 | 250 a\\r250 b\\r",
      "1 | 250 a\\r\\r\\n",            // CR CR LF is one terminator
      "3 | 250 a\\r\\r250 b\\r\\n",    // the second CR ends an empty line: a reply of its own
      "1 | 250-a\\r\\n250 b\\r\\n",
      "2 | 25\\n250 x\\n",             // a line shorter than four characters ends a reply
      "1 | \\u00e9-23\\n250 x\\n",      // non-ASCII head: a continuation for the limiter
  })
  void lineEnds_likeAngus(int replies, String escaped) {
    String text = escaped.replace("\\r", "\r").replace("\\n", "\n").replace("\\u00e9", "\u00e9");
    SmtpReplyLimiter l = new SmtpReplyLimiter();
    feed(l, text);
    assertEquals(replies, l.repliesEnded(), escaped);
  }

  @Test
  @DisplayName("item01: endless 220- continuation lines cross the reply limit (SEC-08 class)")
  void item01_endlessContinuationLines_replyTooLong_SEC_08() {
    SmtpReplyLimiter l = new SmtpReplyLimiter(100, 1000);
    Step last = null;
    int fed = 0;
    while (last != Step.REPLY_TOO_LONG && fed < 10_000) {
      for (Step s : feed(l, "220-more\r\n")) {
        last = s;
        fed++;
        if (s == Step.REPLY_TOO_LONG) {
          break;
        }
      }
    }
    assertEquals(Step.REPLY_TOO_LONG, last);
    assertEquals(1001, fed, "cut at the first byte past the limit");
    assertEquals(Step.REPLY_TOO_LONG, l.feed((byte) '2'), "stays failed");
    assertEquals(Step.REPLY_TOO_LONG, l.failure());
  }

  @Test
  @DisplayName("item01: one line without an end crosses the line limit (SEC-08 class)")
  void item01_oneHugeLine_lineTooLong_SEC_08() {
    SmtpReplyLimiter l = new SmtpReplyLimiter();
    feed(l, "220 ");
    int n = 4;
    Step s;
    do {
      s = l.feed((byte) 'x');
      n++;
    } while (s == Step.CONTINUED);
    assertEquals(Step.LINE_TOO_LONG, s);
    assertEquals(SmtpReplyLimiter.DEFAULT_MAX_LINE + 1, n);
  }

  @Test
  void limitsAreLenient_realRepliesPass() {
    SmtpReplyLimiter l = new SmtpReplyLimiter();
    StringBuilder ehlo = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      ehlo.append("250-").append("X".repeat(500)).append("\r\n");
    }
    ehlo.append("250 SMTPUTF8\r\n");
    List<Step> steps = feed(l, ehlo.toString());
    assertNull(l.failure());
    assertEquals(1, ends(steps));
    // Every reply starts afresh: many long replies in a row are fine.
    for (int i = 0; i < 100; i++) {
      feed(l, ehlo.toString());
    }
    assertNull(l.failure());
  }

  @Test
  void badLimits() {
    assertThrows(IllegalArgumentException.class, () -> new SmtpReplyLimiter(3, 100));
    assertThrows(IllegalArgumentException.class, () -> new SmtpReplyLimiter(100, 99));
  }

  /**
   * The safety property, against Angus Mail's {@code LineInputStream} (both of its decodings)
   * and {@code readServerResponse}'s rule for the last line: for random input over an alphabet
   * rich in CR, LF, '-', digits and UTF-8 lead bytes, if the limiter lets the whole input
   * through, no line Angus reads is longer than the line limit and no reply Angus assembles is
   * longer than the reply limit. For ASCII input both count the same replies.
   */
  @Test
  @DisplayName("item01: the limiter never lets Angus hold more than the limits (differential)")
  void item01_neverLetsAngusHoldMore_differential() throws IOException {
    byte[] alphabet = "\r\n\r\n--250 x\u00c3\u00a9".getBytes(StandardCharsets.ISO_8859_1);
    Random random = new Random(20261206);
    int failedInputs = 0;
    for (int round = 0; round < 20_000; round++) {
      int maxLine = 4 + random.nextInt(12);
      int maxReply = maxLine + random.nextInt(40);
      byte[] input = new byte[random.nextInt(120)];
      boolean ascii = random.nextBoolean();
      for (int i = 0; i < input.length; i++) {
        byte b = alphabet[random.nextInt(alphabet.length)];
        input[i] = ascii && b < 0 ? (byte) 'y' : b;
      }
      SmtpReplyLimiter limiter = new SmtpReplyLimiter(maxLine, maxReply);
      for (byte b : input) {
        limiter.feed(b);
      }
      long limiterEnds = limiter.repliesEnded();
      if (limiter.failure() != null) {
        failedInputs++;
        continue;
      }
      for (boolean utf8 : new boolean[] {false, true}) {
        LineInputStream angus = new LineInputStream(new ByteArrayInputStream(input), utf8);
        int replyLength = 0;
        int angusEnds = 0;
        String line;
        int lines = 0;
        while ((line = angus.readLine()) != null) {
          assertTrue(line.length() <= maxLine, "line " + line.length() + " > " + maxLine
              + " in " + show(input));
          replyLength += line.length() + 1;
          // Angus adds "\n" after each line; a last line cut by the end of input has no
          // terminator byte the limiter could count.
          int slack = endsWithTerminator(input) ? 0 : 1;
          assertTrue(replyLength <= maxReply + slack, "reply " + replyLength + " > " + maxReply
              + " in " + show(input));
          boolean last = line.length() < 4 || line.charAt(3) != '-';
          if (last) {
            replyLength = 0;
            angusEnds++;
          }
          lines++;
        }
        if (ascii && endsWithTerminator(input)) {
          assertEquals(angusEnds, limiterEnds, "replies in " + show(input) + " (" + lines
              + " lines)");
        }
      }
    }
    assertTrue(failedInputs > 1000 && failedInputs < 19_000,
        "the random inputs exercise both outcomes: " + failedInputs);
  }

  private static boolean endsWithTerminator(byte[] input) {
    return input.length > 0 && input[input.length - 1] == '\n';
  }

  private static String show(byte[] input) {
    StringBuilder b = new StringBuilder("\"");
    for (byte x : input) {
      int c = x & 0xff;
      b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
    }
    return b.append('"').toString();
  }
}
