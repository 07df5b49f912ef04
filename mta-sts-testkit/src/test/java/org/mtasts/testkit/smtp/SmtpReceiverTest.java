package org.mtasts.testkit.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** The SMTP dialogue and the receiver's life cycle, driven by a raw-socket client. */
class SmtpReceiverTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final TestCertificateAuthority CA =
      TestCertificateAuthority.create("SMTP Test Root");

  @Test
  void untouchedReceiver_listensOnLoopback_andCountsNoConnection() {
    try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com").start()) {
      assertEquals("mx1.example.com", mx.hostName());
      assertEquals(InetAddress.getLoopbackAddress(), mx.address().getAddress());
      assertTrue(mx.port() > 0);
      assertEquals(0, mx.connectionCount());
      assertEquals(0, mx.startTlsAttempts());
      assertEquals(List.of(), mx.messages());
      assertEquals(List.of(), mx.sessions());
    }
  }

  @Test
  void plaintextDialogue_capturesEnvelopeAndUnstuffedData() throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com").start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      assertTrue(client.readReply().startsWith("220 mx1.example.com "));
      String ehlo = client.command("EHLO client.example.org");
      assertTrue(ehlo.startsWith("250-mx1.example.com "), ehlo);
      assertFalse(ehlo.contains("STARTTLS"), ehlo);
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<alice@example.org> SIZE=100"));
      assertTrue(client.command("RCPT TO:<bob@example.com>").startsWith("250 "));
      assertTrue(client.command("RCPT TO: <carol@example.com>").startsWith("250 "));
      assertTrue(client.command("DATA").startsWith("354 "));
      client.send(
          "Subject: Hello\r\n"
              + "X-Folded: one\r\n two\r\n"
              + "\r\n"
              + "..leading dot\r\n"
              + "second line\r\n"
              + ".\r\n");
      assertTrue(client.readReply().startsWith("250 2.0.0 "));

      ReceivedMessage message = mx.awaitMessages(1, WAIT).get(0);
      assertEquals("alice@example.org", message.mailFrom());
      assertEquals(List.of("bob@example.com", "carol@example.com"), message.recipients());
      assertEquals("client.example.org", message.ehloName());
      assertEquals(
          "Subject: Hello\r\nX-Folded: one\r\n two\r\n\r\n.leading dot\r\nsecond line\r\n",
          message.text());
      assertEquals(Optional.of("Hello"), message.header("subject"));
      assertEquals(Optional.of("one two"), message.header("X-Folded"));
      assertEquals(".leading dot\r\nsecond line\r\n", message.body());
      assertFalse(message.tlsActive());
      assertEquals(Optional.empty(), message.tlsProtocol());
      assertEquals(Optional.empty(), message.sniHostName());
      assertEquals("221 2.0.0 mx1.example.com closing connection", client.command("QUIT"));

      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertEquals(1, session.messagesAccepted());
      assertEquals(List.of("client.example.org"), session.greetings());
      assertTrue(session.hasCommand("MAIL"));
      assertTrue(
          session.transcript().contains("C: <message data, " + message.data().length + " octets>"));
      assertEquals(client.localAddress(), session.clientAddress());
      assertEquals(1, mx.connectionCount());
    }
  }

  @Test
  void nullSender_andHeloAndRset_work() throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com").start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      assertEquals("250 mx1.example.com", client.command("HELO client.example.org"));
      assertTrue(client.command("MAIL FROM:<>").startsWith("250 "));
      assertTrue(client.command("RSET").startsWith("250 "));
      assertTrue(client.command("RCPT TO:<bob@example.com>").startsWith("503 "), "RSET ended it");
      assertTrue(client.command("MAIL FROM:<>").startsWith("250 "));
      assertTrue(client.command("RCPT TO:<bob@example.com>").startsWith("250 "));
      assertTrue(client.command("DATA").startsWith("354 "));
      client.send("\r\n.\r\n");
      assertTrue(client.readReply().startsWith("250 "));
      ReceivedMessage message = mx.awaitMessages(1, WAIT).get(0);
      assertEquals("", message.mailFrom());
      assertEquals(List.of(), message.headers());
    }
  }

  @Test
  void badSequencesAndSyntax_getFiveHundredReplies() throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com").start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      assertTrue(client.command("MAIL FROM:<a@example.org>").startsWith("503 5.5.1"), "no EHLO");
      assertTrue(client.command("EHLO").startsWith("501 "));
      client.command("EHLO client.example.org");
      assertTrue(client.command("RCPT TO:<b@example.com>").startsWith("503 5.5.1"));
      assertTrue(client.command("DATA").startsWith("503 5.5.1"));
      assertTrue(client.command("MAIL FROM:a@example.org").startsWith("501 5.5.4"));
      assertTrue(client.command("MAIL FROM:<a@example.org> SIZE=999999999").startsWith("552 "));
      assertTrue(client.command("MAIL FROM:<a@example.org>").startsWith("250 "));
      assertTrue(client.command("MAIL FROM:<a@example.org>").startsWith("503 5.5.1"), "nested");
      assertTrue(client.command("RCPT TO:<>").startsWith("501 "));
      assertTrue(client.command("DATA").startsWith("554 5.5.1"), "no recipients");
      assertTrue(client.command("DATA now").startsWith("501 "));
      assertTrue(client.command("STARTTLS").startsWith("502 5.5.1"), "not offered");
      assertTrue(client.command("FROB").startsWith("500 5.5.2"));
      assertTrue(client.command("NOOP").startsWith("250 "));
      assertTrue(client.command("VRFY bob").startsWith("252 "));
      assertTrue(client.command("X".repeat(2000)).startsWith("500 5.5.2 Line too long"));
      assertTrue(client.command("NOOP").startsWith("250 "), "still in step after a long line");
    }
  }

  @Test
  void overlongDataLine_isRefusedAfterTheDot() throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com").start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO client.example.org");
      client.command("MAIL FROM:<a@example.org>");
      client.command("RCPT TO:<b@example.com>");
      client.command("DATA");
      client.send("Subject: x\r\n\r\n" + "y".repeat(999) + "\r\n.\r\n");
      assertTrue(client.readReply().startsWith("500 5.5.2 Line too long"));
      assertEquals("250 2.0.0 Ok", client.command("NOOP"));
      assertEquals(List.of(), mx.messages());
    }
  }

  @Test
  void stuckClient_getsTimeoutReplyAndIsDisconnected() throws Exception {
    try (SmtpReceiver mx =
            SmtpReceiver.builder("mx1.example.com").readTimeout(Duration.ofMillis(200)).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      // Say nothing: the receiver's read times out and it closes.
      assertTrue(client.readReply().startsWith("421 4.4.2"));
      assertEquals(0, client.readToEnd().length);
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertTrue(session.transcript().stream().anyMatch(line -> line.contains("read timeout")));
    }
  }

  @Test
  void behaviourChange_appliesToLaterConnectionsOnly() throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com").start();
        SmtpTestClient before = SmtpTestClient.connect(mx)) {
      before.readReply();
      mx.setBehaviour(SmtpBehaviour.startTls(CA.issue("mx1.example.com")));
      try (SmtpTestClient after = SmtpTestClient.connect(mx)) {
        after.readReply();
        assertTrue(after.command("EHLO a.example").contains("250 STARTTLS"));
      }
      // The first connection was accepted before the change: it keeps plaintext.
      assertFalse(before.command("EHLO a.example").contains("STARTTLS"));
      assertEquals(2, mx.connectionCount());
    }
  }

  @Test
  void awaitMessages_failsWithTheSessionsSeen() throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com").start()) {
      try (SmtpTestClient client = SmtpTestClient.connect(mx)) {
        client.readReply();
        client.command("QUIT");
      }
      mx.awaitSessions(1, WAIT);
      AssertionError error =
          assertThrows(AssertionError.class, () -> mx.awaitMessages(1, Duration.ofMillis(50)));
      assertTrue(error.getMessage().contains("C: QUIT"), error.getMessage());
    }
  }

  @Test
  void clear_forgetsCapturesAndCounters() throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com").start()) {
      try (SmtpTestClient client = SmtpTestClient.connect(mx)) {
        client.readReply();
        client.command("QUIT");
      }
      mx.awaitSessions(1, WAIT);
      mx.clear();
      assertEquals(0, mx.connectionCount());
      assertEquals(List.of(), mx.sessions());
    }
  }

  @Test
  void close_freesThePortAndEndsEveryThread() throws Exception {
    SmtpReceiver mx = SmtpReceiver.builder("mx-close.example.com").start();
    int port = mx.port();
    SmtpTestClient idle = SmtpTestClient.connect(mx);
    idle.readReply(); // a session thread is now blocked reading
    assertTrue(receiverThreads(port).size() >= 2, "accept and session threads run");

    mx.close();

    assertEquals(List.of(), receiverThreads(port));
    assertEquals(0, idle.readToEnd().length, "open connection was closed");
    idle.close();
    try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      assertEquals(port, again.getLocalPort());
    }
    assertThrows(
        IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
    assertEquals(1, mx.sessions().size(), "captures stay readable");
    assertThrows(IllegalStateException.class, mx::start);
    mx.close(); // idempotent
  }

  @Test
  void startTwice_isRefused() {
    try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com").start()) {
      assertThrows(IllegalStateException.class, mx::start);
    }
    SmtpReceiver unstarted = SmtpReceiver.builder("mx1.example.com").build();
    assertThrows(IllegalStateException.class, unstarted::address);
    unstarted.close();
  }

  @Test
  void ipv6Loopback_canPlayTheSameMxWithAnotherCertificate() throws Exception {
    InetAddress ipv6 = InetAddress.getByName("::1");
    try (ServerSocket probe = new ServerSocket(0, 1, ipv6)) {
      assumeTrue(probe.isBound(), "IPv6 loopback available");
    } catch (IOException e) {
      assumeTrue(false, "IPv6 loopback not available: " + e);
    }
    try (SmtpReceiver v4 =
            SmtpReceiver.builder("mx1.example.com")
                .behaviour(SmtpBehaviour.startTls(CA.issue("mx1.example.com")))
                .start();
        SmtpReceiver v6 =
            SmtpReceiver.builder("mx1.example.com")
                .bindAddress(ipv6)
                .behaviour(SmtpBehaviour.startTls(CA.issue("wrong.example.com")))
                .start();
        SmtpTestClient client = SmtpTestClient.connect(v6)) {
      assertEquals(ipv6, v6.address().getAddress());
      assertEquals(InetAddress.getLoopbackAddress(), v4.address().getAddress());
      assertTrue(client.readReply().startsWith("220 mx1.example.com "));
      assertEquals(1, v6.connectionCount());
      assertEquals(0, v4.connectionCount());
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SmtpReceiver.builder("mx1.example.com")
                .bindAddress(InetAddress.getByName("192.0.2.1")));
  }

  private static List<String> receiverThreads(int port) {
    String prefix = "smtp-receiver[mx-close.example.com:" + port + "]-";
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith(prefix) && thread.isAlive())
        .map(Thread::getName)
        .collect(Collectors.toList());
  }
}
