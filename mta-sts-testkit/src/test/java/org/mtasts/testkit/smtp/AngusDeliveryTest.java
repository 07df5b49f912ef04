package org.mtasts.testkit.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mtasts.testkit.support.PinnedSocketFactory;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * The receivers seen by an independent client, Angus Mail's SMTP transport, configured as an
 * MTA-STS sender would be: MX host name as the host (SNI and identity check against it), the test
 * CA as the only trust anchor, STARTTLS required unless a test says otherwise.
 */
class AngusDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String MX = "mx1.example.com";
  private static final TestCertificateAuthority CA =
      TestCertificateAuthority.create("SMTP Test Root");
  private static final IssuedCertificate GOOD = CA.issue(MX);

  @Test
  void goodStartTls_deliversOverTls_withSniAndEnvelope() throws Exception {
    try (SmtpReceiver mx = receiver(SmtpBehaviour.startTls(GOOD))) {
      MimeMessage message = message(session(mx, true), "alice@example.org", "bob@example.com");
      message.setText("first line\n.dot line\nlast line\n");
      Transport.send(message);

      ReceivedMessage received = mx.awaitMessages(1, WAIT).get(0);
      assertTrue(received.tlsActive());
      assertTrue(
          List.of("TLSv1.3", "TLSv1.2").contains(received.tlsProtocol().orElseThrow()),
          received.toString());
      assertTrue(received.cipherSuite().isPresent());
      assertEquals(Optional.of(MX), received.sniHostName());
      assertEquals("alice@example.org", received.mailFrom());
      assertEquals(List.of("bob@example.com"), received.recipients());
      assertEquals("client.example.org", received.ehloName());
      assertEquals(Optional.of("Test message"), received.header("Subject"));
      assertEquals("first line\r\n.dot line\r\nlast line\r\n", received.body());

      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertEquals(List.of("client.example.org", "client.example.org"), session.greetings());
      assertEquals(1, mx.connectionCount());
      assertEquals(1, mx.tlsHandshakes());
    }
  }

  @Test
  void tls12OnlyReceiver_negotiatesTls12WithAngus() throws Exception {
    SmtpBehaviour behaviour =
        SmtpBehaviour.builder().startTls(GOOD).tlsProtocols("TLSv1.2").build();
    try (SmtpReceiver mx = receiver(behaviour)) {
      Transport.send(message(session(mx, true), "alice@example.org", "bob@example.com"));
      assertEquals(Optional.of("TLSv1.2"), mx.awaitMessages(1, WAIT).get(0).tlsProtocol());
    }
  }

  @Test
  void noStartTls_failsWhenRequired_andNoMailIsSent() throws Exception {
    try (SmtpReceiver mx = receiver(SmtpBehaviour.plaintext())) {
      MessagingException e =
          assertThrows(
              MessagingException.class,
              () -> Transport.send(message(session(mx, true), "a@example.org", "b@example.com")));
      assertTrue(e.getMessage().contains("STARTTLS is required"), e.getMessage());
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertFalse(session.hasCommand("MAIL"));
      assertFalse(session.hasCommand("STARTTLS"));
      assertEquals(1, mx.connectionCount());
      assertEquals(List.of(), mx.messages());
    }
  }

  @Test
  void noStartTls_deliversInPlaintextWhenNotRequired() throws Exception {
    try (SmtpReceiver mx = receiver(SmtpBehaviour.plaintext())) {
      Transport.send(message(session(mx, false), "a@example.org", "b@example.com"));
      ReceivedMessage received = mx.awaitMessages(1, WAIT).get(0);
      assertFalse(received.tlsActive());
      assertEquals(Optional.empty(), received.sniHostName());
    }
  }

  @Test
  void refused454_failsTheStartTlsClient() throws Exception {
    try (SmtpReceiver mx = receiver(SmtpBehaviour.builder().startTlsRefused().build())) {
      MessagingException e =
          assertThrows(
              MessagingException.class,
              () -> Transport.send(message(session(mx, true), "a@example.org", "b@example.com")));
      assertTrue(e.getMessage().contains("454 4.7.0 TLS not available"), e.getMessage());
      assertFalse(mx.awaitSessions(1, WAIT).get(0).hasCommand("MAIL"));
    }
  }

  @Test
  void brokenHandshake_failsTheClient() throws Exception {
    for (SmtpBehaviour behaviour :
        List.of(
            SmtpBehaviour.builder().startTlsThenGarbage().build(),
            SmtpBehaviour.builder().startTlsThenClose().build())) {
      try (SmtpReceiver mx = receiver(behaviour)) {
        MessagingException e =
            assertThrows(
                MessagingException.class,
                () -> Transport.send(message(session(mx, true), "a@example.org", "b@example.com")));
        assertTrue(e.getMessage().contains("Could not convert socket to TLS"), e.getMessage());
        mx.awaitSessions(1, WAIT);
        assertEquals(1, mx.handshakeFailures(), behaviour.toString());
        assertEquals(1, mx.connectionCount(), "no plaintext retry by Angus itself");
      }
    }
  }

  @Test
  void legacyTls11Only_failsTheClientWithProtocolVersion() throws Exception {
    try (SmtpReceiver mx = receiver(SmtpBehaviour.builder().legacyTlsOnly("TLSv1.1").build())) {
      MessagingException e =
          assertThrows(
              MessagingException.class,
              () -> Transport.send(message(session(mx, true), "a@example.org", "b@example.com")));
      assertInstanceOf(SSLHandshakeException.class, e.getCause(), e.toString());
      assertEquals(
          Optional.of("client alert: fatal protocol_version (70)"),
          mx.awaitSessions(1, WAIT).get(0).handshakeFailure());
    }
  }

  static Stream<Arguments> badCertificates() {
    TestCertificateAuthority other = TestCertificateAuthority.create("Untrusted Root");
    return Stream.of(
        Arguments.of("wrong name", CA.issue("other.example.com")),
        Arguments.of("expired", CA.leaf(MX).expired().build()),
        Arguments.of("not yet valid", CA.leaf(MX).notYetValid().build()),
        Arguments.of("self-signed", CA.leaf(MX).selfSigned().build()),
        Arguments.of("untrusted root", other.issue(MX)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCertificates")
  void badCertificate_failsTheVerifyingClient_beforeMail(String kind, IssuedCertificate bad)
      throws Exception {
    try (SmtpReceiver mx = receiver(SmtpBehaviour.startTls(bad))) {
      MessagingException e =
          assertThrows(
              MessagingException.class,
              () -> Transport.send(message(session(mx, true), "a@example.org", "b@example.com")));
      assertInstanceOf(SSLHandshakeException.class, e.getCause(), e.toString());
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertTrue(session.handshakeFailure().isPresent(), session.toString());
      assertEquals(Optional.of(MX), session.sniHostName(), "SNI recorded although TLS failed");
      assertFalse(session.hasCommand("MAIL"));
      assertEquals(1, mx.handshakeFailures());
      assertEquals(List.of(), mx.messages());
    }
  }

  /**
   * STS-JM-03: the JDK's identity check, as Angus uses it, falls back to the common name when a
   * certificate has no DNS SAN. The receiver presents such a certificate faithfully; refusing it is
   * the MTA-STS library's job.
   */
  @Test
  void cnOnlyCertificate_isPresentedAsIs_andTheJdkCheckAcceptsIt() throws Exception {
    IssuedCertificate cnOnly = CA.leaf(MX).withoutSubjectAlternativeNames().build();
    assertNull(cnOnly.certificate().getSubjectAlternativeNames());
    try (SmtpReceiver mx = receiver(SmtpBehaviour.startTls(cnOnly))) {
      Session session = session(mx, true);
      List<X509Certificate> seen = new ArrayList<>();
      session.getProperties().put("mail.smtp.ssl.hostnameverifier", recordingVerifier(seen));
      Transport.send(message(session, "a@example.org", "b@example.com"));
      assertEquals(List.of(cnOnly.certificate()), seen);
      assertTrue(mx.awaitMessages(1, WAIT).get(0).tlsActive());
    }
  }

  @Test
  void rcptRefusedForEveryone_isSeenAsAddressFailure() throws Exception {
    SmtpBehaviour behaviour =
        SmtpBehaviour.builder()
            .startTls(GOOD)
            .rcptReply(SmtpReply.of(550, "5.1.1 No such user"))
            .build();
    try (SmtpReceiver mx = receiver(behaviour)) {
      SendFailedException e =
          assertThrows(
              SendFailedException.class,
              () -> Transport.send(message(session(mx, true), "a@example.org", "b@example.com")));
      assertEquals(List.of("b@example.com"), strings(e.getInvalidAddresses()));
      SMTPAddressFailedException failure = addressFailure(e, "b@example.com");
      assertEquals(550, failure.getReturnCode());
      assertTrue(failure.getMessage().contains("5.1.1 No such user"), failure.getMessage());
      assertEquals(List.of(), mx.messages());
    }
  }

  @Test
  void rcptRefusedForOneRecipient_temporarily_withPartialSend() throws Exception {
    SmtpBehaviour behaviour =
        SmtpBehaviour.builder()
            .startTls(GOOD)
            .rcptReply("Busy@Example.com", SmtpReply.of(450, "4.2.1 Mailbox busy, try later"))
            .build();
    try (SmtpReceiver mx = receiver(behaviour)) {
      Session session = session(mx, true);
      session.getProperties().put("mail.smtp.sendpartial", "true");
      SendFailedException e =
          assertThrows(
              SendFailedException.class,
              () ->
                  Transport.send(
                      message(session, "a@example.org", "busy@example.com", "ok@example.com")));
      // Angus files a 4xx recipient under "valid but unsent" (worth retrying), not "invalid".
      assertEquals(List.of("busy@example.com"), strings(e.getValidUnsentAddresses()));
      assertEquals(List.of("ok@example.com"), strings(e.getValidSentAddresses()));
      assertEquals(450, addressFailure(e, "busy@example.com").getReturnCode());
      assertEquals(List.of("ok@example.com"), mx.awaitMessages(1, WAIT).get(0).recipients());
    }
  }

  @Test
  void mailRefused_isSeenAsSenderFailure() throws Exception {
    SmtpBehaviour behaviour =
        SmtpBehaviour.builder()
            .startTls(GOOD)
            .mailReply(SmtpReply.of(553, "5.7.1 Sender not allowed"))
            .build();
    try (SmtpReceiver mx = receiver(behaviour)) {
      SendFailedException e =
          assertThrows(
              SendFailedException.class,
              () -> Transport.send(message(session(mx, true), "a@example.org", "b@example.com")));
      SMTPSenderFailedException failure = find(e, SMTPSenderFailedException.class);
      assertEquals(553, failure.getReturnCode());
    }
  }

  @Test
  void dataRefusedAfterTheDot_permanentlyAndTemporarily() throws Exception {
    for (SmtpReply reply :
        List.of(
            SmtpReply.of(554, "5.7.1 Message rejected"), SmtpReply.of(451, "4.3.0 Try later"))) {
      SmtpBehaviour behaviour = SmtpBehaviour.builder().startTls(GOOD).dataReply(reply).build();
      try (SmtpReceiver mx = receiver(behaviour)) {
        SendFailedException e =
            assertThrows(
                SendFailedException.class,
                () -> Transport.send(message(session(mx, true), "a@example.org", "b@example.com")));
        SMTPSendFailedException failure = find(e, SMTPSendFailedException.class);
        assertEquals(reply.code(), failure.getReturnCode());
        assertTrue(failure.getMessage().contains(reply.text()), failure.getMessage());
        assertTrue(mx.awaitSessions(1, WAIT).get(0).hasCommand("DATA"));
        assertEquals(List.of(), mx.messages());
      }
    }
  }

  @Test
  void injection_isNotTakenAsAReplyByAngus() throws Exception {
    SmtpBehaviour behaviour = SmtpBehaviour.builder().startTls(GOOD).injectAfterStartTls().build();
    try (SmtpReceiver mx = receiver(behaviour)) {
      // Either outcome is safe: Angus drops its plaintext buffer at STARTTLS and delivers after
      // a fresh EHLO, or it feeds the injected bytes to TLS and the handshake fails. What must
      // never happen is a delivery whose post-TLS EHLO reply was the injected line.
      try {
        Transport.send(message(session(mx, true), "a@example.org", "b@example.com"));
        ReceivedMessage received = mx.awaitMessages(1, WAIT).get(0);
        assertTrue(received.tlsActive());
        SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
        assertEquals(2, session.greetings().size(), "EHLO sent again after TLS");
      } catch (MessagingException e) {
        assertEquals(List.of(), mx.messages());
      }
      assertTrue(
          mx.awaitSessions(1, WAIT).get(0).transcript().contains("S: 250 injected"),
          "the injection was sent");
    }
  }

  @Test
  void concurrentDeliveries_areAllCaptured() throws Exception {
    int count = 6;
    try (SmtpReceiver mx = receiver(SmtpBehaviour.startTls(GOOD))) {
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<?>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          String to = "user" + i + "@example.com";
          sends.add(
              pool.submit(
                  () -> {
                    Transport.send(message(session(mx, true), "a@example.org", to));
                    return null;
                  }));
        }
        for (Future<?> send : sends) {
          send.get();
        }
      } finally {
        pool.shutdown();
      }
      List<ReceivedMessage> received = mx.awaitMessages(count, WAIT);
      assertEquals(count, received.size());
      assertEquals(count, mx.connectionCount());
      assertEquals(
          count,
          received.stream().map(m -> m.recipients().get(0)).distinct().count(),
          "each message once");
    }
  }

  private static SmtpReceiver receiver(SmtpBehaviour behaviour) {
    return SmtpReceiver.builder(MX).behaviour(behaviour).start();
  }

  /**
   * An Angus session for the receiver's MX name; the TCP connection is pinned to the receiver's
   * loopback port, the test CA is the only trust anchor, and the server identity is checked.
   */
  private static Session session(SmtpReceiver mx, boolean startTlsRequired) {
    Properties properties = new Properties();
    properties.put("mail.smtp.host", mx.hostName());
    properties.put("mail.smtp.port", Integer.toString(mx.port()));
    properties.put("mail.smtp.localhost", "client.example.org");
    properties.put("mail.smtp.connectiontimeout", "5000");
    properties.put("mail.smtp.timeout", "5000");
    properties.put("mail.smtp.socketFactory", new PinnedSocketFactory(mx.address()));
    properties.put("mail.smtp.socketFactory.fallback", "false");
    properties.put("mail.smtp.starttls.enable", "true");
    properties.put("mail.smtp.starttls.required", Boolean.toString(startTlsRequired));
    properties.put("mail.smtp.ssl.socketFactory", CA.clientContext().getSocketFactory());
    properties.put("mail.smtp.ssl.checkserveridentity", "true");
    return Session.getInstance(properties);
  }

  private static MimeMessage message(Session session, String from, String... to)
      throws MessagingException {
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress(from));
    for (String recipient : to) {
      message.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
    }
    message.setSubject("Test message");
    message.setText("hello\n");
    return message;
  }

  private static List<String> strings(Address[] addresses) {
    List<String> strings = new ArrayList<>();
    for (Address address : addresses == null ? new Address[0] : addresses) {
      strings.add(address.toString());
    }
    return strings;
  }

  private static SMTPAddressFailedException addressFailure(SendFailedException e, String address) {
    for (Exception next = e; next != null; next = nextOf(next)) {
      if (next instanceof SMTPAddressFailedException
          && ((SMTPAddressFailedException) next).getAddress().toString().equals(address)) {
        return (SMTPAddressFailedException) next;
      }
    }
    throw new AssertionError("no SMTPAddressFailedException for " + address, e);
  }

  private static <T extends Exception> T find(Exception e, Class<T> type) {
    for (Exception next = e; next != null; next = nextOf(next)) {
      if (type.isInstance(next)) {
        return type.cast(next);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in the chain", e);
  }

  private static Exception nextOf(Exception e) {
    return e instanceof MessagingException ? ((MessagingException) e).getNextException() : null;
  }

  private static javax.net.ssl.HostnameVerifier recordingVerifier(List<X509Certificate> seen) {
    Function<javax.net.ssl.SSLSession, Boolean> record =
        sslSession -> {
          try {
            seen.add((X509Certificate) sslSession.getPeerCertificates()[0]);
            return true;
          } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return false;
          }
        };
    return (host, sslSession) -> record.apply(sslSession);
  }
}
