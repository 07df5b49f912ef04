package org.mtasts.javamail;

import static org.mtasts.fuzz.Checks.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.util.LineInputStream;
import org.junit.jupiter.api.Timeout;
import org.mtasts.javamail.SmtpReplyLimiter.Step;

/**
 * Fuzz target for the SMTP reply bounds of issue 12, item 1 ({@link SmtpReplyLimiter}): whatever
 * an MX host sends, the limiter never lets Angus Mail's reader hold a line or a reply longer than
 * the limits (checked against Angus's own {@code LineInputStream}), never fails the line limit
 * where Angus saw no longer line (ASCII input), stays failed once failed, and counts the same replies as Angus's
 * last-line rule for ASCII input.
 *
 * <p>In this package because the limiter is package-private; the fuzz module runs on the class
 * path. The first two input bytes choose small limits so that the fuzzer reaches them; the rest
 * is what the server sent. Nothing is expected to be thrown. The seeds are in {@code
 * SmtpReplyFuzzTestInputs/replies/}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS) // in fuzzing mode: libFuzzer's -timeout per input
class SmtpReplyFuzzTest {

  @FuzzTest
  void replies(byte[] data) throws IOException {
    if (data.length < 2) {
      return;
    }
    int maxLine = 4 + (data[0] & 0x3f);
    int maxReply = maxLine + (data[1] & 0xff) * 4;
    byte[] input = Arrays.copyOfRange(data, 2, data.length);

    SmtpReplyLimiter limiter = new SmtpReplyLimiter(maxLine, maxReply);
    int accepted = 0;
    Step failedAt = null;
    for (byte b : input) {
      Step step = limiter.feed(b);
      if (step == Step.LINE_TOO_LONG || step == Step.REPLY_TOO_LONG) {
        failedAt = step;
        break;
      }
      accepted++;
    }
    if (failedAt != null) {
      check(limiter.failure() == failedAt, "failure() is the step that failed");
      check(limiter.feed((byte) 'x') == failedAt && limiter.feed((byte) '\n') == failedAt,
          "a failed limiter stays failed");
    } else {
      check(limiter.failure() == null, "no failure step, yet failure() is set");
    }

    // What the limiter let through never makes Angus hold more than the limits.
    byte[] through = Arrays.copyOf(input, accepted);
    AngusView view = angus(through);
    check(view.longestLine <= maxLine,
        "Angus read a line of " + view.longestLine + " > " + maxLine + " bytes");
    check(view.longestReply <= maxReply + 1, // a last line cut by the end has no terminator
        "Angus assembled a reply of " + view.longestReply + " > " + maxReply + " bytes");

    // No false alarm: for ASCII input, the line limit fails only on a line Angus reads as longer.
    if (failedAt == Step.LINE_TOO_LONG && isAscii(input)) {
      AngusView whole = angus(Arrays.copyOf(input, accepted + 1));
      check(whole.longestLine > maxLine, "the line limit failed though Angus saw no line over "
          + maxLine + " bytes");
    }

    // Same reply count as Angus's last-line rule for ASCII input that ends in a terminator.
    if (failedAt == null && isAscii(input) && input.length > 0
        && input[input.length - 1] == '\n') {
      check(view.replies == limiter.repliesEnded(),
          "limiter counted " + limiter.repliesEnded() + " replies, Angus " + view.replies);
    }
  }

  /** Lines and replies as Angus reads them (ISO-8859-1 decoding: one char per byte). */
  private static AngusView angus(byte[] input) throws IOException {
    AngusView view = new AngusView();
    LineInputStream in = new LineInputStream(new ByteArrayInputStream(input), false);
    int reply = 0;
    String line;
    while ((line = in.readLine()) != null) {
      view.longestLine = Math.max(view.longestLine, line.length());
      reply += line.length() + 1;
      view.longestReply = Math.max(view.longestReply, reply);
      if (line.length() < 4 || line.charAt(3) != '-') {
        reply = 0;
        view.replies++;
      }
    }
    return view;
  }

  private static boolean isAscii(byte[] input) {
    for (byte b : input) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static final class AngusView {
    int longestLine;
    int longestReply;
    long replies;
  }
}
