package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bounded input of an MX connection on an injected clock (issue 12, items 1 and 2): reply
 * lines, whole replies, the reply time and the delivery deadline; the first crossed bound is
 * sticky, reaches the session recorder and closes the connection.
 */
class BoundedInputStreamTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final SessionRecorder recorder = new SessionRecorder();
  private final AtomicBoolean closed = new AtomicBoolean();

  private MxBounds bounds(long deadlineMillis, int replyTimeoutMillis) {
    MxBounds b = new MxBounds("mx.example", recorder, Deadline.after(deadlineMillis, now::get),
        replyTimeoutMillis);
    b.onFailure(() -> closed.set(true));
    return b;
  }

  /** A server that sends {@code pattern} over and over, one byte per read, each after {@code
   * millisPerByte} on the fake clock. */
  private InputStream trickle(String pattern, long millisPerByte) {
    byte[] bytes = pattern.getBytes(StandardCharsets.US_ASCII);
    return new InputStream() {
      private long i;

      @Override
      public int read() {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millisPerByte));
        return bytes[(int) (i++ % bytes.length)];
      }

      @Override
      public int read(byte[] b, int off, int len) {
        b[off] = (byte) read();
        return 1;
      }
    };
  }

  @Test
  @DisplayName("item01: a reply sent a byte at a time is cut at the reply time (SEC-09 class)")
  void item01_trickledReply_cutAtReplyTime_SEC_09() throws Exception {
    BoundedInputStream in = new BoundedInputStream(trickle("220-slow\r\n", 100),
        bounds(3_600_000, 1_000), null, new SmtpReplyLimiter());
    int bytes = 0;
    MxLimitException e = null;
    while (e == null && bytes < 1000) {
      try {
        in.read();
        bytes++;
      } catch (MxLimitException crossed) {
        e = crossed;
      }
    }
    assertEquals(MxLimitException.Limit.REPLY_TIME, e.limit());
    assertEquals(11, bytes, "the first byte, then one second of a byte every 100 ms");
    assertTrue(e.getMessage().contains("mx.example sent one reply for longer than 1000 ms"),
        e.getMessage());
    assertSame(recorder.limit(), recorder.limit());
    assertEquals(MxLimitException.Limit.REPLY_TIME, recorder.limit().limit());
    assertTrue(closed.get(), "connection closed");
    assertThrows(MxLimitException.class, in::read, "sticky");
  }

  @Test
  void item01_replyTime_startsAfreshWithEachReply() throws Exception {
    // 9 bytes a reply at 100 ms: 800 ms from first to last byte, under 1 s, many times.
    BoundedInputStream in = new BoundedInputStream(trickle("250 ok\r\n\n", 100),
        bounds(3_600_000, 1_000), null, new SmtpReplyLimiter());
    for (int i = 0; i < 900; i++) {
      in.read();
    }
    assertNull(recorder.limit());
  }

  @Test
  @DisplayName("item02: the delivery deadline ends a trickle that keeps each reply short")
  void item02_deadline_endsAnEndlessTrickle() throws Exception {
    BoundedInputStream in = new BoundedInputStream(trickle("250 ok\r\n", 100),
        bounds(5_000, 1_000), null, new SmtpReplyLimiter());
    int bytes = 0;
    MxLimitException e = null;
    while (e == null && bytes < 1000) {
      try {
        in.read();
        bytes++;
      } catch (MxLimitException crossed) {
        e = crossed;
      }
    }
    assertEquals(MxLimitException.Limit.DEADLINE, e.limit());
    assertEquals(50, bytes);
    assertTrue(e.getMessage().contains("delivery deadline of 5000 ms"), e.getMessage());
  }

  @Test
  @DisplayName("item01: no byte past the line limit is handed on (SEC-08 class)")
  void item01_hugeLine_nothingPastTheLimitIsReturned_SEC_08() throws Exception {
    byte[] line = ("220 " + "x".repeat(100_000)).getBytes(StandardCharsets.US_ASCII);
    BoundedInputStream in = new BoundedInputStream(new ByteArrayInputStream(line),
        bounds(3_600_000, 60_000), null, new SmtpReplyLimiter());
    byte[] buffer = new byte[2048];
    int total = 0;
    MxLimitException e = null;
    try {
      while (total < line.length) {
        total += in.read(buffer, 0, buffer.length);
      }
    } catch (MxLimitException crossed) {
      e = crossed;
    }
    assertEquals(MxLimitException.Limit.LINE, e.limit());
    assertTrue(e.getMessage().contains("reply line longer than 4096 bytes"), e.getMessage());
    assertTrue(total <= SmtpReplyLimiter.DEFAULT_MAX_LINE);
  }

  @Test
  void readTimeout_shrinksToTheDeadlineAndTheReplyTime() throws Exception {
    MxBounds b = bounds(5_000, 1_000);
    assertEquals(5_000, b.readTimeout(300_000), "the deadline is nearer than the read timeout");
    assertEquals(5_000, b.readTimeout(0), "no read timeout: the deadline still bounds a read");
    assertEquals(2_000, b.readTimeout(2_000));
    b.replyStarted();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
    assertEquals(600, b.readTimeout(300_000), "what is left of the reply time");
    b.replyEnded();
    assertEquals(4_600, b.readTimeout(300_000));
  }

  @Test
  void tlsRecords_areNotSmtpLines_afterStartTls() throws Exception {
    byte[] record = new byte[16_000]; // a TLS record: no line ends at all
    BoundedInputStream in = new BoundedInputStream(new ByteArrayInputStream(record),
        bounds(3_600_000, 60_000), null, new SmtpReplyLimiter());
    in.carryTls();
    assertEquals(16_000, in.readNBytes(16_000).length);
    assertNull(recorder.limit());
  }
}
