package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The MX's own name for TLS-RPT's {@code receiving-mx-helo}, read from its replies (D-31). */
class HeloWatcherTest {

  /** Reads all of {@code replies} through a watcher, {@code chunk} bytes at a time. */
  static SessionRecorder watch(String replies, int chunk) throws IOException {
    SessionRecorder recorder = new SessionRecorder();
    recorder.connected(new InetSocketAddress(InetAddress.getLoopbackAddress(), 25),
        InetAddress.getLoopbackAddress());
    byte[] bytes = replies.getBytes(StandardCharsets.ISO_8859_1);
    HeloWatcher w = new HeloWatcher(new ByteArrayInputStream(bytes), recorder);
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[chunk];
    for (int n; (n = chunk == 1 ? single(w, buffer) : w.read(buffer, 0, chunk)) > 0; ) {
      seen.write(buffer, 0, n);
    }
    assertArrayEquals(bytes, seen.toByteArray(), "passed on unchanged");
    return recorder;
  }

  private static int single(HeloWatcher w, byte[] buffer) throws IOException {
    int b = w.read();
    if (b < 0) {
      return -1;
    }
    buffer[0] = (byte) b;
    return 1;
  }

  static String helo(String replies) throws IOException {
    String one = watch(replies, 1).endpoints().receivingMxHelo();
    assertEquals(one, watch(replies, 7).endpoints().receivingMxHelo(), "any chunking");
    return one;
  }

  @Test
  @DisplayName("D-31: the first line of the EHLO reply names the MX")
  void ehloFirstLine_D_31() throws IOException {
    assertEquals("edge1.example.net", helo("220-mx.example.com ESMTP\r\n220 more\r\n"
        + "250-edge1.example.net Hello client\r\n250-SIZE 1000\r\n250 STARTTLS\r\n"));
  }

  @Test
  @DisplayName("D-31: EHLO refused, HELO answered: the HELO reply's name")
  void heloAfterRefusedEhlo_D_31() throws IOException {
    assertEquals("helo.example.net", helo("220 mx.example.com\r\n500 what?\r\n"
        + "250 helo.example.net\r\n"));
  }

  @Test
  @DisplayName("D-31: no name in the EHLO reply: the greeting's")
  void greetingFallback_D_31() throws IOException {
    assertEquals("mx.example.com", helo("220 mx.example.com ESMTP\r\n250-\u0000x\r\n250 OK\r\n"));
    assertEquals("mx.example.com", helo("220 mx.example.com ESMTP\r\n"));
  }

  @Test
  @DisplayName("D-28: no usable name anywhere: unknown, never empty")
  void noName_unknown_D_28() throws IOException {
    assertNull(helo("554 \u001b[31mgo away\r\n"));
    assertNull(helo("220 " + "x".repeat(600) + "\r\n250 " + "y".repeat(300) + "\r\n"));
  }

  @Test
  void onlyTheFirst250Counts_laterRepliesIgnored() throws IOException {
    assertEquals("first.example", helo("220 g.example\r\n250 first.example\r\n"
        + "250 2.1.0 second.example ok\r\n"));
  }

  @Test
  void stopped_readsNothingMore() throws IOException {
    SessionRecorder recorder = new SessionRecorder();
    HeloWatcher w = new HeloWatcher(new ByteArrayInputStream(
        "220 g.example\r\n".getBytes(StandardCharsets.US_ASCII)), recorder);
    w.stop();
    w.readAllBytes();
    assertNull(recorder.endpoints().receivingMxHelo());
  }

  @Test
  @DisplayName("D-28: the addresses of the connection, or unknown before it")
  void endpoints_addresses() throws IOException {
    SessionRecorder before = new SessionRecorder();
    assertNull(before.endpoints().sendingIp());
    assertNull(before.endpoints().receivingIp());
    SessionRecorder after = watch("220 g.example\r\n", 3);
    assertEquals(InetAddress.getLoopbackAddress(), after.endpoints().sendingIp());
    assertEquals(InetAddress.getLoopbackAddress(), after.endpoints().receivingIp());
  }
}
