package org.mtasts.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtasts.tls.DaneTestData.rrset;
import static org.mtasts.tls.DaneTestData.tlsa;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mtasts.MutableClock;
import org.mtasts.testkit.smtp.SessionRecord;
import org.mtasts.testkit.smtp.SmtpBehaviour;
import org.mtasts.testkit.smtp.SmtpReceiver;
import org.mtasts.testkit.smtp.SmtpTestClient;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * Real STARTTLS handshakes on loopback between {@link MxTlsVerifier#socketFactory(DaneTlsa,
 * boolean, java.util.function.Consumer) DANE sockets} and testkit {@link SmtpReceiver}s (RFC 7672
 * §3, §8.1). The surefire configuration runs this class with the JDK's TLS and again with
 * Conscrypt's.
 */
class DaneHandshakeTest {
  private static final String MX = "mx1.example.com";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final TestCertificateAuthority CA = TestCertificateAuthority.create("DANE CA");
  private static final MxTlsVerifier VERIFIER = MxTlsVerifier.create(CA.trustManager());

  private final List<TlsOutcome> outcomes = new CopyOnWriteArrayList<>();

  private static SmtpReceiver receiver(IssuedCertificate certificate) {
    return SmtpReceiver.builder(MX).behaviour(SmtpBehaviour.startTls(certificate)).start();
  }

  private SSLSocketFactory factory(DaneTlsa dane, boolean requireWebPki) {
    return VERIFIER.socketFactory(dane, requireWebPki, outcomes::add);
  }

  private TlsOutcome onlyOutcome() {
    assertEquals(1, outcomes.size(), outcomes.toString());
    return outcomes.get(0);
  }

  @Test
  @DisplayName("STS-DANE-05 a self-signed, expired certificate for another name that matches a"
      + " DANE-EE record completes the handshake; SMTP continues")
  void selfSignedDaneEe_completes_STS_DANE_05() throws Exception {
    IssuedCertificate odd = CA.leaf("wrong-name.invalid").selfSigned().expired().build();
    try (SmtpReceiver mx = receiver(odd);
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      client.upgrade(factory(rrset(MX, tlsa(3, 1, 1, odd.certificate())), false), MX);
      assertTrue(client.command("EHLO client.example").startsWith("250"));
      assertTrue(client.command("MAIL FROM:<a@client.example>").startsWith("250"));
      client.command("QUIT");

      TlsOutcome outcome = onlyOutcome();
      assertTrue(outcome.handshakeCompleted(), outcome.toString());
      assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcome.dane());
      assertFalse(outcome.enforced());
      // The WebPKI verdict is kept, and reported: self-signed is not trusted.
      assertFalse(outcome.passed());
      assertTrue(outcome.refusal().isPresent(), outcome.toString());
      assertFalse(outcome.webPki().orElseThrow().passed());
      assertEquals(outcome.refusal(), outcome.webPki().orElseThrow().refusal());
      TlsFacts facts = outcome.facts();
      assertTrue(facts.tlsNegotiated());
      assertEquals(Optional.of(DaneResult.AUTHENTICATED), facts.dane());
      assertEquals(outcome.refusal(), facts.problem());
      assertEquals(1, mx.tlsHandshakes());
    }
  }

  @Test
  @DisplayName("STS-DANE-07 SNI is the TLSA base domain; the WebPKI check stays on the MX host")
  void sni_isTheTlsaBaseDomain_STS_DANE_07() throws Exception {
    String base = "mail.hosting.example";
    IssuedCertificate certificate = CA.issue(base);
    DaneTlsa dane = new DaneTlsa(MX, base, List.of(tlsa(2, 0, 1, CA.certificate())));
    try (SmtpReceiver mx = receiver(certificate);
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      client.upgrade(factory(dane, false), "127.0.0.1");
      client.command("QUIT");
      assertEquals(Optional.of(base), mx.awaitSessions(1, WAIT).get(0).sniHostName());
      TlsOutcome outcome = onlyOutcome();
      assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcome.dane(), outcome.toString());
      assertEquals(MX, outcome.mxHost());
      // The certificate names the base domain only: WebPKI for the MX host name fails.
      assertEquals(Optional.of(RefusalReason.CERTIFICATE_HOST_MISMATCH), outcome.refusal());
    }
  }

  @Test
  @DisplayName("STS-DANE-07 setSSLParameters keeps SNI on the TLSA base domain")
  void setSslParameters_keepsSniOnTheBaseDomain_STS_DANE_07() throws Exception {
    String base = "mail.hosting.example";
    IssuedCertificate certificate = CA.issue(base);
    DaneTlsa dane = new DaneTlsa(MX, base, List.of(tlsa(3, 1, 1, certificate.certificate())));
    try (SmtpReceiver mx = receiver(certificate);
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      SSLSocket tls = client.layer(factory(dane, false), MX);
      javax.net.ssl.SSLParameters parameters = tls.getSSLParameters();
      parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName(MX)));
      tls.setSSLParameters(parameters);
      tls.startHandshake();
      client.useLayeredStreams();
      client.command("QUIT");
      assertEquals(Optional.of(base), mx.awaitSessions(1, WAIT).get(0).sniHostName());
    }
  }

  @Test
  @DisplayName("STS-DANE-01 a WebPKI-valid certificate that matches no TLSA record: handshake"
      + " aborted before any SMTP command, tlsa-invalid")
  void mismatch_abortsBeforeApplicationData_STS_DANE_01() throws Exception {
    IssuedCertificate published = CA.issue(MX);
    try (SmtpReceiver mx = receiver(CA.issue(MX));
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> client.upgrade(
          factory(rrset(MX, tlsa(3, 1, 1, published.certificate())), false), MX));
      assertEquals(Optional.of(RefusalReason.TLSA_INVALID), MxTlsVerifier.classify(e),
          e.toString());

      TlsOutcome outcome = onlyOutcome();
      assertFalse(outcome.handshakeCompleted(), outcome.toString());
      assertEquals(Optional.of(RefusalReason.TLSA_INVALID), outcome.refusal());
      assertEquals(Optional.of(DaneResult.FAILED), outcome.dane());
      // Both verdicts: MTA-STS alone would have passed this certificate.
      assertTrue(outcome.webPki().orElseThrow().passed(), outcome.toString());
      assertTrue(outcome.message().contains("3 1 1 "), outcome.message());
      TlsFacts facts = outcome.facts();
      assertFalse(facts.tlsNegotiated());
      assertEquals(Optional.of(RefusalReason.TLSA_INVALID), facts.failure());
      assertEquals(Optional.of(DaneResult.FAILED), facts.dane());

      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertTrue(session.handshakeFailure().isPresent(), session.toString());
      assertEquals(List.of("EHLO", "STARTTLS"), verbs(session));
      assertEquals(0, mx.tlsHandshakes());
    }
  }

  private static List<String> verbs(SessionRecord session) {
    return session.commands().stream().map(c -> c.split(" ", 2)[0]).toList();
  }

  @Test
  @DisplayName("STS-DANE-01 mismatch on an implicit handshake: no stream is handed out")
  void mismatch_implicitHandshake_noStreams_STS_DANE_01() throws Exception {
    IssuedCertificate published = CA.issue(MX);
    try (SmtpReceiver mx = receiver(CA.issue(MX));
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      SSLSocket tls = client.layer(
          factory(rrset(MX, tlsa(3, 0, 2, published.certificate())), false), MX);
      assertThrows(SSLHandshakeException.class, tls::getOutputStream);
      assertThrows(Exception.class, tls::getOutputStream);
      assertThrows(Exception.class, tls::getInputStream);
      assertEquals(Optional.of(DaneResult.FAILED), onlyOutcome().dane());
      assertEquals(List.of("EHLO", "STARTTLS"), verbs(mx.awaitSessions(1, WAIT).get(0)));
    }
  }

  @Test
  @DisplayName("D-23 strict: requireWebPki aborts a DANE-passing self-signed certificate")
  void requireWebPki_selfSignedDaneEe_aborted() throws Exception {
    IssuedCertificate selfSigned = CA.leaf(MX).selfSigned().build();
    try (SmtpReceiver mx = receiver(selfSigned);
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> client.upgrade(
          factory(rrset(MX, tlsa(3, 1, 1, selfSigned.certificate())), true), MX));
      assertEquals(Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED), MxTlsVerifier.classify(e));

      TlsOutcome outcome = onlyOutcome();
      assertFalse(outcome.handshakeCompleted());
      assertTrue(outcome.enforced());
      assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcome.dane(), outcome.toString());
      assertEquals(Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED), outcome.refusal());
      TlsFacts facts = outcome.facts();
      assertEquals(Optional.of(DaneResult.AUTHENTICATED), facts.dane());
      assertEquals(Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED), facts.failure());
      assertFalse(mx.awaitSessions(1, WAIT).get(0).hasCommand("MAIL"));
    }
  }

  @Test
  @DisplayName("D-23 strict: a certificate that passes both completes, and passes")
  void requireWebPki_bothPass_completes() throws Exception {
    IssuedCertificate good = CA.issue(MX);
    try (SmtpReceiver mx = receiver(good);
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      client.upgrade(factory(rrset(MX, tlsa(2, 1, 2, CA.certificate())), true), MX);
      assertTrue(client.command("EHLO client.example").startsWith("250"));
      TlsOutcome outcome = onlyOutcome();
      assertTrue(outcome.passed(), outcome.toString());
      assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcome.dane());
      assertTrue(outcome.webPki().orElseThrow().passed());
      assertTrue(outcome.message().contains("DANE-TA"), outcome.message());
      assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcome.facts().dane());
      assertEquals(Optional.empty(), outcome.facts().failure());
    }
  }

  @Test
  @DisplayName("STS-DANE-05 a later session through the same factory (resumed or not) is held to"
      + " the DANE rules at its own time")
  void laterSession_sameFactory_daneCheckedAgain_STS_DANE_05() throws Exception {
    // On JDK 17 the second handshake resumes the first session, so the trust manager is skipped
    // and only the post-handshake check of the socket can refuse it; the test holds either way.
    IssuedCertificate certificate = CA.issue(MX);
    MutableClock clock = new MutableClock(Instant.now());
    MxTlsVerifier verifier =
        MxTlsVerifier.builder().trustManager(CA.trustManager()).clock(clock).build();
    SSLSocketFactory dane =
        verifier.socketFactory(rrset(MX, tlsa(2, 0, 1, CA.certificate())), false, outcomes::add);
    try (SmtpReceiver mx = receiver(certificate)) {
      try (SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
        client.upgrade(dane, MX);
        client.command("QUIT");
      }
      clock.advance(
          Duration.between(clock.instant(), certificate.certificate().getNotAfter().toInstant())
              .plusSeconds(1));
      try (SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
        SSLHandshakeException e =
            assertThrows(SSLHandshakeException.class, () -> client.upgrade(dane, MX));
        assertEquals(Optional.of(RefusalReason.TLSA_INVALID), MxTlsVerifier.classify(e));
      }
      assertEquals(2, outcomes.size(), outcomes.toString());
      assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcomes.get(0).dane());
      assertEquals(Optional.of(DaneResult.FAILED), outcomes.get(1).dane());
      assertTrue(outcomes.get(1).message().contains("expired"), outcomes.get(1).message());
      assertFalse(mx.awaitSessions(2, WAIT).get(1).hasCommand("MAIL"));
    }
  }

  @Test
  @DisplayName("STS-TLS-03 DANE sockets offer TLS 1.2 and 1.3 only: a TLS 1.1 MX fails before any"
      + " certificate is checked")
  void legacyTls_failsWithoutDaneVerdict() throws Exception {
    SmtpBehaviour legacy = SmtpBehaviour.builder().legacyTlsOnly("TLSv1.1").build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(legacy).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      assertThrows(SSLHandshakeException.class, () -> client.upgrade(
          factory(rrset(MX, tlsa(3, 1, 1, CA.issue(MX).certificate())), false), MX));
      TlsOutcome outcome = onlyOutcome();
      assertEquals(Optional.of(RefusalReason.TLS_VERSION), outcome.refusal());
      assertEquals(Optional.empty(), outcome.dane());
      assertEquals(Optional.empty(), outcome.facts().dane());
    }
  }

  @Test
  @DisplayName("STS-DANE-05 a TLS 1.2-only MX with a DANE-EE match completes on TLS 1.2")
  void tls12Only_daneEe_completes_STS_DANE_05() throws Exception {
    IssuedCertificate selfSigned = CA.leaf(MX).selfSigned().build();
    SmtpBehaviour tls12 =
        SmtpBehaviour.builder().startTls(selfSigned).tlsProtocols("TLSv1.2").build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(tls12).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      client.upgrade(factory(rrset(MX, tlsa(3, 0, 1, selfSigned.certificate())), false), MX);
      assertTrue(client.command("EHLO client.example").startsWith("250"));
      TlsOutcome outcome = onlyOutcome();
      assertEquals(Optional.of("TLSv1.2"), outcome.protocol());
      assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcome.dane());
    }
  }
}
