package org.mtasts.testkit.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.security.AlgorithmConstraints;
import java.security.AlgorithmParameters;
import java.security.CryptoPrimitive;
import java.security.Key;
import java.security.Security;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** STARTTLS behaviours, checked on the wire with a raw-socket client and the JDK's TLS client. */
class StartTlsTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String MX = "mx1.example.com";
  private static final TestCertificateAuthority CA =
      TestCertificateAuthority.create("SMTP Test Root");
  private static final IssuedCertificate GOOD = CA.issue(MX);

  @Test
  void startTls_completesHandshake_recordsSni_andForgetsThePlaintextState() throws Exception {
    try (SmtpReceiver mx =
            SmtpReceiver.builder(MX).behaviour(SmtpBehaviour.startTls(GOOD)).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      assertTrue(client.command("EHLO before.example").endsWith("250 STARTTLS"));
      assertTrue(client.command("MAIL FROM:<a@example.org>").startsWith("250 "));
      assertEquals("220 2.0.0 Ready to start TLS", client.command("STARTTLS"));
      SSLSocket tls = client.startTls(CA.clientContext(), MX);
      assertEquals(GOOD.certificate(), tls.getSession().getPeerCertificates()[0]);

      // RFC 3207 §4.2: the greeting and the open transaction are gone.
      assertTrue(client.command("RCPT TO:<b@example.com>").startsWith("503 "));
      assertTrue(client.command("MAIL FROM:<a@example.org>").startsWith("503 5.5.1 Send EHLO"));
      String ehlo = client.command("EHLO after.example");
      assertFalse(ehlo.contains("STARTTLS"), ehlo);
      assertTrue(client.command("STARTTLS").startsWith("503 "), "TLS already active");
      client.command("MAIL FROM:<a@example.org>");
      client.command("RCPT TO:<b@example.com>");
      client.command("DATA");
      client.send("Subject: over TLS\r\n\r\nhi\r\n.\r\n");
      assertTrue(client.readReply().startsWith("250 "));

      ReceivedMessage message = mx.awaitMessages(1, WAIT).get(0);
      assertTrue(message.tlsActive());
      assertEquals(Optional.of(tls.getSession().getProtocol()), message.tlsProtocol());
      assertEquals(Optional.of(tls.getSession().getCipherSuite()), message.cipherSuite());
      assertEquals(Optional.of(MX), message.sniHostName());
      assertEquals("after.example", message.ehloName());
      client.command("QUIT");
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertEquals(List.of("before.example", "after.example"), session.greetings());
      assertTrue(session.startTlsAttempted());
      assertEquals(2, mx.startTlsAttempts(), "the one that worked and the one refused with 503");
      assertEquals(1, mx.tlsHandshakes());
      assertEquals(0, mx.handshakeFailures());
    }
  }

  @Test
  void tls12Only_negotiatesTls12() throws Exception {
    SmtpBehaviour behaviour =
        SmtpBehaviour.builder().startTls(GOOD).tlsProtocols("TLSv1.2").build();
    assertEquals("TLSv1.2", handshakeProtocol(behaviour));
  }

  @Test
  void tls13Only_negotiatesTls13() throws Exception {
    SmtpBehaviour behaviour =
        SmtpBehaviour.builder().startTls(GOOD).tlsProtocols("TLSv1.3").build();
    assertEquals("TLSv1.3", handshakeProtocol(behaviour));
  }

  @Test
  void tls13Only_refusesAClientLimitedToTls12() throws Exception {
    SmtpBehaviour behaviour =
        SmtpBehaviour.builder().startTls(GOOD).tlsProtocols("TLSv1.3").build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO c.example");
      client.command("STARTTLS");
      assertThrows(
          SSLHandshakeException.class, () -> client.startTls(CA.clientContext(), MX, "TLSv1.2"));
      assertTrue(mx.awaitSessions(1, WAIT).get(0).handshakeFailure().isPresent());
      assertEquals(1, mx.handshakeFailures());
    }
  }

  @Test
  void tls11_cannotBeEnabledForReal_inThisJvm() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SmtpBehaviour.builder().startTls(GOOD).tlsProtocols("TLSv1.1"));
    assertTrue(e.getMessage().contains("legacyTlsOnly"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> SmtpBehaviour.builder().tlsProtocols("TLSv9"));
  }

  /**
   * Why {@link SmtpBehaviour.Builder#legacyTlsOnly} exists: JDK 17 refuses TLS 1.1 on both sides
   * even when the socket enables it and its own algorithm constraints permit everything, because
   * {@code jdk.tls.disabledAlgorithms} is always applied on top. Only changing that process-wide
   * security property would help, and the testkit never does.
   */
  @Test
  void jdkRefusesTls11_evenWithPermissivePerSocketConstraints() throws Exception {
    assumeTrue(
        String.valueOf(Security.getProperty("jdk.tls.disabledAlgorithms")).contains("TLSv1.1"),
        "this JVM's security properties disable TLSv1.1");
    AlgorithmConstraints permitAll =
        new AlgorithmConstraints() {
          @Override
          public boolean permits(
              Set<CryptoPrimitive> primitives, String algorithm, AlgorithmParameters parameters) {
            return true;
          }

          @Override
          public boolean permits(Set<CryptoPrimitive> primitives, Key key) {
            return true;
          }

          @Override
          public boolean permits(
              Set<CryptoPrimitive> primitives,
              String algorithm,
              Key key,
              AlgorithmParameters parameters) {
            return true;
          }
        };
    try (SSLServerSocket server =
        (SSLServerSocket)
            GOOD.serverContext()
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      SSLParameters serverParameters = server.getSSLParameters();
      serverParameters.setProtocols(new String[] {"TLSv1.1"});
      serverParameters.setAlgorithmConstraints(permitAll);
      server.setSSLParameters(serverParameters);
      CompletableFuture<Exception> serverSide =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                  accepted.startHandshake();
                  return null;
                } catch (IOException e) {
                  return e;
                }
              });
      try (SSLSocket client =
          (SSLSocket)
              CA.clientContext()
                  .getSocketFactory()
                  .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        SSLParameters clientParameters = client.getSSLParameters();
        clientParameters.setProtocols(new String[] {"TLSv1.1"});
        clientParameters.setAlgorithmConstraints(permitAll);
        client.setSSLParameters(clientParameters);
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, client::startHandshake);
        assertTrue(e.getMessage().contains("No appropriate protocol"), e.getMessage());
      }
      server.close(); // unblocks accept() should the client have failed before connecting
      assertTrue(serverSide.get(5, TimeUnit.SECONDS) instanceof IOException);
    }
  }

  @Test
  void legacyTls11Only_clientRefusesTheServerHelloVersion() throws Exception {
    SmtpBehaviour behaviour = SmtpBehaviour.builder().legacyTlsOnly("TLSv1.1").build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      assertTrue(client.command("EHLO c.example").endsWith("250 STARTTLS"));
      assertEquals("220 2.0.0 Ready to start TLS", client.command("STARTTLS"));
      SSLHandshakeException e =
          assertThrows(SSLHandshakeException.class, () -> client.startTls(CA.clientContext(), MX));
      assertTrue(e.getMessage().contains("TLS11"), e.getMessage());

      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertEquals(
          Optional.of("client alert: fatal protocol_version (70)"), session.handshakeFailure());
      assertEquals(Optional.of(MX), session.sniHostName());
      assertEquals(1, mx.handshakeFailures());
      assertEquals(0, mx.tlsHandshakes());
    }
  }

  @Test
  void legacyTls11Only_withNoCbcSuiteOffered_answersHandshakeFailure() throws Exception {
    SmtpBehaviour behaviour = SmtpBehaviour.builder().legacyTlsOnly("TLSv1.1").build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO c.example");
      client.command("STARTTLS");
      SSLHandshakeException e =
          assertThrows(
              SSLHandshakeException.class,
              () ->
                  client.startTlsWithSuites(
                      CA.clientContext(),
                      MX,
                      "TLS_AES_128_GCM_SHA256",
                      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
      assertTrue(e.getMessage().contains("handshake_failure"), e.getMessage());
      assertTrue(
          mx.awaitSessions(1, WAIT)
              .get(0)
              .handshakeFailure()
              .orElseThrow()
              .contains("no cipher suite"));
    }
  }

  @Test
  void refused_answers454_andStaysInPlaintext() throws Exception {
    SmtpBehaviour behaviour = SmtpBehaviour.builder().startTlsRefused().build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      assertTrue(client.command("EHLO c.example").endsWith("250 STARTTLS"));
      assertEquals("454 4.7.0 TLS not available", client.command("STARTTLS"));
      assertEquals("250 2.0.0 Ok", client.command("NOOP"), "still a plaintext SMTP session");
      client.command("QUIT");
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertTrue(session.startTlsAttempted());
      assertEquals(Optional.empty(), session.handshakeFailure());
      assertEquals(1, mx.startTlsAttempts());
      assertEquals(0, mx.handshakeFailures());
    }
  }

  @Test
  void refused_withAScriptedReply() throws Exception {
    SmtpBehaviour behaviour =
        SmtpBehaviour.builder().startTlsRefused(SmtpReply.of(554, "5.7.0 No TLS for you")).build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO c.example");
      assertEquals("554 5.7.0 No TLS for you", client.command("STARTTLS"));
    }
  }

  @Test
  void thenGarbage_failsTheClientHandshake() throws Exception {
    SmtpBehaviour behaviour = SmtpBehaviour.builder().startTlsThenGarbage().build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO c.example");
      assertEquals("220 2.0.0 Ready to start TLS", client.command("STARTTLS"));
      SSLException e =
          assertThrows(SSLException.class, () -> client.startTls(CA.clientContext(), MX));
      assertTrue(
          e.getMessage().contains("Unsupported or unrecognized SSL message"), e.getMessage());
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertEquals(Optional.of(MX), session.sniHostName());
      assertTrue(session.handshakeFailure().orElseThrow().contains("non-TLS bytes"));
      assertEquals(1, mx.handshakeFailures());
    }
  }

  @Test
  void thenClose_failsTheClientHandshake() throws Exception {
    SmtpBehaviour behaviour = SmtpBehaviour.builder().startTlsThenClose().build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO c.example");
      assertEquals("220 2.0.0 Ready to start TLS", client.command("STARTTLS"));
      IOException e =
          assertThrows(IOException.class, () -> client.startTls(CA.clientContext(), MX));
      assertInstanceOf(SSLException.class, e, e.toString());
      assertEquals(1, mx.awaitSessions(1, WAIT).size());
      assertEquals(1, mx.handshakeFailures());
    }
  }

  @Test
  void injection_arrivesInTheSameReadAsThe220_andACorrectClientCarriesOn() throws Exception {
    SmtpBehaviour behaviour = SmtpBehaviour.builder().startTls(GOOD).injectAfterStartTls().build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO c.example");
      client.send("STARTTLS\r\n");
      // One read() returns both lines: they left the receiver in one write, one segment.
      assertEquals("220 2.0.0 Ready to start TLS\r\n250 injected\r\n", client.readOnce());
      // A correct client drops that plaintext (here: it was consumed above) and handshakes.
      client.startTls(CA.clientContext(), MX);
      assertTrue(client.command("EHLO c.example").startsWith("250-" + MX));
      client.command("QUIT");
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertTrue(session.transcript().contains("S: 250 injected"), session.transcript().toString());
      assertTrue(session.tlsProtocol().isPresent());
    }
  }

  @Test
  void clientPipeliningPastStartTls_isDiscarded() throws Exception {
    try (SmtpReceiver mx =
            SmtpReceiver.builder(MX).behaviour(SmtpBehaviour.startTls(GOOD)).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO c.example");
      client.send("STARTTLS\r\nNOOP\r\n"); // the client-side injection of RFC 3207 §4.2
      assertEquals("220 2.0.0 Ready to start TLS", client.readReply());
      client.startTls(CA.clientContext(), MX);
      assertTrue(client.command("EHLO c.example").startsWith("250-"), "NOOP was not answered");
      client.command("QUIT");
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertEquals("NOOP\r\n".length(), session.bytesDiscardedAtStartTls());
      assertFalse(session.hasCommand("NOOP"));
    }
  }

  @Test
  void requireTls_refusesMailInPlaintext_andAcceptsItAfterStartTls() throws Exception {
    SmtpBehaviour behaviour = SmtpBehaviour.builder().startTls(GOOD).requireTls(true).build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO c.example");
      assertEquals(
          "530 5.7.0 Must issue a STARTTLS command first",
          client.command("MAIL FROM:<a@example.org>"));
      client.command("STARTTLS");
      client.startTls(CA.clientContext(), MX);
      client.command("EHLO c.example");
      assertTrue(client.command("MAIL FROM:<a@example.org>").startsWith("250 "));
    }
  }

  private static String handshakeProtocol(SmtpBehaviour behaviour) throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(behaviour).start();
        SmtpTestClient client = SmtpTestClient.connect(mx)) {
      client.readReply();
      client.command("EHLO c.example");
      client.command("STARTTLS");
      String clientSide = client.startTls(CA.clientContext(), MX).getSession().getProtocol();
      client.command("EHLO c.example");
      client.command("QUIT");
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertEquals(Optional.of(clientSide), session.tlsProtocol());
      return clientSide;
    }
  }
}
