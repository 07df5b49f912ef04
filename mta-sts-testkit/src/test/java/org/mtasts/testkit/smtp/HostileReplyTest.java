package org.mtasts.testkit.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** The hostile replies of the receiver, read with a raw client that bounds what it reads. */
class HostileReplyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final TestCertificateAuthority CA =
      TestCertificateAuthority.create("Hostile Test Root");

  private static SmtpReceiver start(SmtpBehaviour behaviour) {
    return SmtpReceiver.builder("mx.hostile.example").behaviour(behaviour).start();
  }

  /** Reads {@code n} bytes from {@code in}, or fewer at end of stream. */
  private static String read(InputStream in, int n) throws IOException {
    return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
  }

  @Test
  void endlessContinuation_greeting_sendsContinuationLinesBeyondAnySaneReply() throws Exception {
    try (SmtpReceiver mx = start(SmtpBehaviour.builder()
            .hostile(HostileReply.Stage.GREETING, HostileReply.endlessContinuation(220)).build());
        Socket s = new Socket(mx.address().getAddress(), mx.port())) {
      s.setSoTimeout(5_000);
      String head = read(s.getInputStream(), 1024 * 1024);
      assertEquals(1024 * 1024, head.length(), "a megabyte and still going");
      assertTrue(head.startsWith("220-"), head.substring(0, 20));
      for (String line : head.substring(0, head.lastIndexOf("\r\n")).split("\r\n")) {
        assertTrue(line.startsWith("220-"), line); // never a last line
      }
    }
  }

  @Test
  void hugeLine_ehlo_neverEndsTheLine() throws Exception {
    try (SmtpReceiver mx = start(SmtpBehaviour.builder()
            .hostile(HostileReply.Stage.EHLO, HostileReply.hugeLine(250)).build());
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      assertTrue(client.readReply().startsWith("220 "));
      client.send("EHLO client.example\r\n");
      StringBuilder line = new StringBuilder();
      while (line.length() < 512 * 1024) {
        line.append(client.readOnce());
      }
      assertTrue(line.toString().startsWith("250 xxxx"), line.substring(0, 20));
      assertFalse(line.toString().contains("\n") || line.toString().contains("\r"),
          "no line end");
    }
  }

  @Test
  void trickle_sendsOneByteAtATime() throws Exception {
    try (SmtpReceiver mx = start(SmtpBehaviour.builder()
            .hostile(HostileReply.Stage.GREETING,
                HostileReply.trickle(220, Duration.ofMillis(20))).build());
        Socket s = new Socket(mx.address().getAddress(), mx.port())) {
      s.setSoTimeout(5_000);
      InputStream in = s.getInputStream();
      byte[] buffer = new byte[100];
      StringBuilder seen = new StringBuilder();
      for (int i = 0; i < 12; i++) {
        int n = in.read(buffer);
        assertEquals(1, n, "one byte per read: " + seen);
        seen.append((char) buffer[0]);
      }
      assertEquals("220-trickle\r", seen.toString());
    }
  }

  @Test
  void slowLines_greetingNeverEnds() throws Exception {
    try (SmtpReceiver mx = start(SmtpBehaviour.builder()
            .hostile(HostileReply.Stage.GREETING,
                HostileReply.slowLines(220, Duration.ofMillis(10))).build());
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      StringBuilder lines = new StringBuilder();
      while (lines.length() < 300) {
        lines.append(client.readOnce());
      }
      assertTrue(lines.toString().startsWith("220-still answering, line 1\r\n"
          + "220-still answering, line 2\r\n"), lines.toString());
    }
  }

  @Test
  void endlessContinuation_afterStartTls_travelsInsideTls() throws Exception {
    try (SmtpReceiver mx = start(SmtpBehaviour.builder()
            .startTls(CA.issue("mx.hostile.example"))
            .hostile(HostileReply.Stage.EHLO_AFTER_TLS, HostileReply.endlessContinuation(250))
            .build());
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      SSLContext context = CA.clientContext();
      client.startTls(context, "mx.hostile.example");
      client.send("EHLO client.example\r\n");
      StringBuilder reply = new StringBuilder();
      while (reply.length() < 256 * 1024) {
        reply.append(client.readOnce());
      }
      assertTrue(reply.toString().startsWith("250-hostile continuation line"));
      assertFalse(reply.toString().contains("250 "), "no last line");
      assertEquals(1, mx.tlsHandshakes());
    }
  }

  @Test
  void raw_rcpt_sendsControlCharactersAsGiven_andTheSessionGoesOn() throws Exception {
    String evil = "550-bad\u001b[31m red\r550-bare CR\n550 5.1.1 end\r\n";
    try (SmtpReceiver mx = start(SmtpBehaviour.builder()
            .hostile(HostileReply.Stage.RCPT, HostileReply.raw(evil)).build());
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO client.example");
      client.command("MAIL FROM:<a@client.example>");
      client.send("RCPT TO:<b@hostile.example>\r\n");
      StringBuilder got = new StringBuilder();
      while (!got.toString().endsWith("end\r\n")) {
        got.append(client.readOnce());
      }
      assertEquals(evil, got.toString());
      assertTrue(client.command("DATA").startsWith("554 "), "recipient was not accepted");
      assertEquals("221 2.0.0 mx.hostile.example closing connection", client.command("QUIT"));
    }
  }

  @Test
  void endlessReply_endsWithTheReceiver() throws Exception {
    SmtpReceiver mx = start(SmtpBehaviour.builder()
        .hostile(HostileReply.Stage.GREETING, HostileReply.slowLines(220, Duration.ofSeconds(30)))
        .build());
    try (Socket s = new Socket(mx.address().getAddress(), mx.port())) {
      s.setSoTimeout(5_000);
      assertTrue(read(s.getInputStream(), 4).startsWith("220-"));
      mx.close();
      List<SessionRecord> sessions = mx.awaitSessions(1, WAIT);
      assertTrue(sessions.get(0).transcript().toString().contains("hostile greeting reply"),
          sessions.get(0).transcript().toString());
    }
  }

  @Test
  void builderChecks() {
    assertThrows(IllegalArgumentException.class, () -> HostileReply.endlessContinuation(99));
    assertThrows(IllegalArgumentException.class,
        () -> HostileReply.trickle(220, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> HostileReply.raw(""));
    assertThrows(IllegalArgumentException.class, () -> HostileReply.raw("\u2028"));
    assertThrows(NullPointerException.class, () -> HostileReply.slowLines(220, null));
    assertThrows(IllegalStateException.class, () -> SmtpBehaviour.builder()
        .hostile(HostileReply.Stage.EHLO_AFTER_TLS, HostileReply.hugeLine(250)).build());
    assertEquals(HostileReply.hugeLine(250), HostileReply.hugeLine(250));
    assertNotEquals(HostileReply.hugeLine(250), HostileReply.hugeLine(220));
    assertEquals("raw(\"550 a\\u000d\\u000a\")", HostileReply.raw("550 a\r\n").toString());
    SmtpBehaviour b = SmtpBehaviour.builder()
        .hostile(HostileReply.Stage.GREETING, HostileReply.hugeLine(220)).build();
    assertTrue(b.toString().contains("GREETING=hugeLine(220)"), b.toString());
    assertEquals(null, b.toBuilder().hostile(HostileReply.Stage.GREETING, null).build()
        .hostile(HostileReply.Stage.GREETING));
  }
}
