package org.mtasts.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.KeyType;
import org.mtasts.testkit.tls.TestCertificateAuthority;

class MxTlsVerifierTest {
  private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Verifier CA");
  private static final TestCertificateAuthority OTHER_CA =
      TestCertificateAuthority.create("Other CA");
  private static final MxTlsVerifier VERIFIER = MxTlsVerifier.create(CA.trustManager());

  private static X509Certificate[] chain(IssuedCertificate certificate) {
    return certificate.chain().toArray(new X509Certificate[0]);
  }

  static Stream<Arguments> certificates() {
    return Stream.of(
        row("STS-TLS-06 SAN equals the MX host", "mx1.example.com",
            ca -> ca.issue("mx1.example.com"), null),
        row("STS-TLS-06 SAN among several", "mx2.example.com",
            ca -> ca.issue("mx1.example.com", "mx2.example.com"), null),
        row("STS-TLS-06 wildcard SAN *.example.com", "mx1.example.com",
            ca -> ca.issue("*.example.com"), null),
        row("EDGE-93 implicit MX example.com vs *.example.com", "example.com",
            ca -> ca.issue("*.example.com"), RefusalReason.CERTIFICATE_HOST_MISMATCH),
        row("STS-TLS-06 wildcard covers one label only", "a.b.example.com",
            ca -> ca.issue("*.example.com"), RefusalReason.CERTIFICATE_HOST_MISMATCH),
        row("EDGE-94 CN-only certificate (no SAN)", "mx1.example.com",
            ca -> ca.leaf("mx1.example.com").withoutSubjectAlternativeNames().build(),
            RefusalReason.CERTIFICATE_HOST_MISMATCH),
        row("STS-TLS-06 CN names the host, SAN does not", "mx1.example.com",
            ca -> ca.leaf("other.example.com").commonName("mx1.example.com").build(),
            RefusalReason.CERTIFICATE_HOST_MISMATCH),
        row("STS-TLS-07 partial wildcard mx*.example.com (D-21)", "mx1.example.com",
            ca -> ca.issue("mx*.example.com"), RefusalReason.CERTIFICATE_HOST_MISMATCH),
        row("STS-TLS-07 partial wildcard *mx.example.com (D-21)", "mx.example.com",
            ca -> ca.issue("*mx.example.com"), RefusalReason.CERTIFICATE_HOST_MISMATCH),
        row("STS-TLS-07 *.*.example.com", "a.b.example.com",
            ca -> ca.issue("*.*.example.com"), RefusalReason.CERTIFICATE_HOST_MISMATCH),
        row("case-insensitive: upper-case SAN", "mx1.example.com",
            ca -> ca.issue("MX1.EXAMPLE.COM"), null),
        row("case-insensitive: upper-case MX host", "MX1.Example.Com",
            ca -> ca.issue("mx1.example.com"), null),
        row("trailing dot on the MX host from DNS", "mx1.example.com.",
            ca -> ca.issue("mx1.example.com"), null),
        row("trailing dot on the SAN", "mx1.example.com",
            ca -> ca.issue("mx1.example.com."), null),
        row("STS-MATCH-04 U-label MX host vs A-label SAN", "mx.bücher.example",
            ca -> ca.issue("mx.xn--bcher-kva.example"), null),
        row("STS-MATCH-04 A-label MX host vs A-label SAN", "MX.XN--BCHER-KVA.example",
            ca -> ca.issue("mx.xn--bcher-kva.example"), null),
        row("STS-TLS-12 SAN for the recipient domain only", "mx1.example.com",
            ca -> ca.issue("example.com"), RefusalReason.CERTIFICATE_HOST_MISMATCH),
        row("RSA key", "mx1.example.com",
            ca -> ca.leaf("mx1.example.com").keyType(KeyType.RSA_2048).build(), null),
        row("STS-TLS-04 expired", "mx1.example.com",
            ca -> ca.leaf("mx1.example.com").expired().build(), RefusalReason.CERTIFICATE_EXPIRED),
        row("STS-TLS-04 not yet valid", "mx1.example.com",
            ca -> ca.leaf("mx1.example.com").notYetValid().build(),
            RefusalReason.CERTIFICATE_NOT_TRUSTED),
        row("STS-TLS-05 self-signed", "mx1.example.com",
            ca -> ca.leaf("mx1.example.com").selfSigned().build(),
            RefusalReason.CERTIFICATE_NOT_TRUSTED),
        row("STS-TLS-05 other CA", "mx1.example.com",
            ca -> OTHER_CA.issue("mx1.example.com"), RefusalReason.CERTIFICATE_NOT_TRUSTED),
        row("chain before name: expired and wrong name", "mx1.example.com",
            ca -> ca.leaf("other.example.com").expired().build(),
            RefusalReason.CERTIFICATE_EXPIRED),
        row("chain before name: untrusted and wrong name", "mx1.example.com",
            ca -> OTHER_CA.issue("other.example.com"), RefusalReason.CERTIFICATE_NOT_TRUSTED));
  }

  private static Arguments row(
      String rule,
      String mxHost,
      Function<TestCertificateAuthority, IssuedCertificate> certificate,
      RefusalReason expected) {
    return Arguments.of(rule, mxHost, certificate, expected);
  }

  @ParameterizedTest(name = "{0}: {1} -> {3}")
  @MethodSource("certificates")
  void verify(
      String rule,
      String mxHost,
      Function<TestCertificateAuthority, IssuedCertificate> certificate,
      RefusalReason expected) {
    CertificateCheck check = VERIFIER.verify(mxHost, chain(certificate.apply(CA)));
    assertEquals(Optional.ofNullable(expected), check.refusal(), check.message());
    assertEquals(expected == null, check.passed());
  }

  @Test
  void hostMismatch_messageNamesTheHostAndTheCertificateNames() {
    CertificateCheck check = VERIFIER.verify("mx1.example.com", chain(CA.issue("*.example.org")));
    assertTrue(check.message().contains("mx1.example.com"), check.message());
    assertTrue(check.message().contains("*.example.org"), check.message());
    CertificateCheck cnOnly =
        VERIFIER.verify(
            "mx1.example.com",
            chain(CA.leaf("mx1.example.com").withoutSubjectAlternativeNames().build()));
    assertTrue(cnOnly.message().contains("common name"), cnOnly.message());
  }

  @Test
  void leafOnly_withoutTheRoot_isTrustedWhenTheRootIsAnAnchor() {
    IssuedCertificate issued = CA.issue("mx1.example.com");
    assertTrue(
        VERIFIER.verify("mx1.example.com", new X509Certificate[] {issued.certificate()}).passed());
  }

  @Test
  void emptyChain_isNotTrusted() {
    assertEquals(
        Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED),
        VERIFIER.verify("mx1.example.com", new X509Certificate[0]).refusal());
  }

  @Test
  @DisplayName("STS-TLS-04 a clock after notAfter makes a certificate expired")
  void clock_afterNotAfter_expired() {
    IssuedCertificate issued = CA.issue("mx1.example.com");
    Instant later = issued.certificate().getNotAfter().toInstant().plus(Duration.ofSeconds(1));
    MxTlsVerifier future =
        MxTlsVerifier.builder()
            .trustManager(CA.trustManager())
            .clock(Clock.fixed(later, ZoneOffset.UTC))
            .build();
    assertEquals(
        Optional.of(RefusalReason.CERTIFICATE_EXPIRED),
        future.verify("mx1.example.com", chain(issued)).refusal());
    Instant earlier = issued.certificate().getNotBefore().toInstant().minusSeconds(1);
    MxTlsVerifier past =
        MxTlsVerifier.builder()
            .trustManager(CA.trustManager())
            .clock(Clock.fixed(earlier, ZoneOffset.UTC))
            .build();
    assertEquals(
        Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED),
        past.verify("mx1.example.com", chain(issued)).refusal());
  }

  @Test
  @DisplayName("a clock cannot make an expired certificate acceptable to the trust manager")
  void clock_beforeExpiry_doesNotOverrideTheTrustManager() {
    IssuedCertificate expired = CA.leaf("mx1.example.com").expired().build();
    Instant during = expired.certificate().getNotAfter().toInstant().minus(Duration.ofDays(1));
    MxTlsVerifier past =
        MxTlsVerifier.builder()
            .trustManager(CA.trustManager())
            .clock(Clock.fixed(during, ZoneOffset.UTC))
            .build();
    assertEquals(
        Optional.of(RefusalReason.CERTIFICATE_EXPIRED),
        past.verify("mx1.example.com", chain(expired)).refusal());
  }

  @Test
  @DisplayName("STS-TLS-12 the reference identity is a host name, never an IP address")
  void mxHost_ipAddress_rejected() {
    X509Certificate[] good = chain(CA.issue("mx1.example.com"));
    assertThrows(InvalidDomainException.class, () -> VERIFIER.verify("192.0.2.1", good));
    assertThrows(InvalidDomainException.class, () -> VERIFIER.verify("[192.0.2.1]", good));
    assertThrows(InvalidDomainException.class, () -> VERIFIER.verify("2001:db8::1", good));
    assertThrows(
        InvalidDomainException.class, () -> VERIFIER.socketFactory("192.0.2.1", true, o -> {}));
  }

  @Test
  void defaultTrustStore_doesNotTrustTheTestCa() {
    assertEquals(
        Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED),
        MxTlsVerifier.create().verify("mx1.example.com", chain(CA.issue("mx1.example.com")))
            .refusal());
  }

  @Test
  void trustManager_thatThrowsIllegalArgument_isNotTrusted() {
    X509TrustManager odd =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {
            throw new IllegalArgumentException("odd trust manager");
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    assertEquals(
        Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED),
        MxTlsVerifier.create(odd).verify("mx1.example.com", chain(CA.issue("mx1.example.com")))
            .refusal());
  }

  @Test
  void classify_exceptionsSeenByCallers() {
    assertEquals(
        Optional.of(RefusalReason.TLS_VERSION),
        MxTlsVerifier.classify(
            new SSLHandshakeException(
                "The server selected protocol version TLS11 is not accepted by client"
                    + " preferences [TLS13, TLS12]")));
    assertEquals(
        Optional.of(RefusalReason.TLS_VERSION),
        MxTlsVerifier.classify(
            new SSLHandshakeException("Received fatal alert: protocol_version")));
    assertEquals(
        Optional.of(RefusalReason.TLS_VERSION),
        MxTlsVerifier.classify(
            new SSLHandshakeException(
                "No appropriate protocol (protocol is disabled or cipher suites are"
                    + " inappropriate)")));
    assertEquals(
        Optional.of(RefusalReason.TLS_HANDSHAKE_FAILED),
        MxTlsVerifier.classify(new SSLHandshakeException("Remote host terminated the handshake")));
    assertEquals(
        Optional.of(RefusalReason.TLS_HANDSHAKE_FAILED),
        MxTlsVerifier.classify(new IOException("wrapped", new SSLException("Unsupported record"))));
    SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
    untrusted.initCause(new CertificateException("unable to find valid certification path"));
    assertEquals(
        Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED), MxTlsVerifier.classify(untrusted));
    SSLHandshakeException expired = new SSLHandshakeException("PKIX path validation failed");
    expired.initCause(
        new CertificateException(
            "validity check failed",
            new java.security.cert.CertificateExpiredException("NotAfter: yesterday")));
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_EXPIRED), MxTlsVerifier.classify(expired));
    assertEquals(Optional.empty(), MxTlsVerifier.classify(new ConnectException("refused")));
    assertEquals(Optional.empty(), MxTlsVerifier.classify(new IOException("closed")));
  }

  @Test
  void builder_settingsCanBeMadeOnce() {
    MxTlsVerifier.Builder builder = MxTlsVerifier.builder().trustManager(CA.trustManager());
    assertThrows(IllegalStateException.class, () -> builder.trustManager(CA.trustManager()));
    builder.clock(Clock.systemUTC());
    assertThrows(IllegalStateException.class, () -> builder.clock(Clock.systemUTC()));
  }

  @Test
  void nullParameters() {
    X509Certificate[] good = chain(CA.issue("mx1.example.com"));
    List<Executable> calls =
        List.of(
            () -> MxTlsVerifier.create(null),
            () -> MxTlsVerifier.builder().trustManager(null),
            () -> MxTlsVerifier.builder().clock(null),
            () -> VERIFIER.verify((String) null, good),
            () -> VERIFIER.verify("mx1.example.com", null),
            () -> VERIFIER.verify("mx1.example.com", new X509Certificate[] {good[0], null}),
            () -> VERIFIER.socketFactory((String) null, true, o -> {}),
            () -> VERIFIER.socketFactory("mx1.example.com", true, null),
            () -> MxTlsVerifier.classify(null),
            () -> CertificateCheck.refused(null, "m"),
            () -> CertificateCheck.refused(RefusalReason.CERTIFICATE_EXPIRED, null),
            () -> TlsOutcome.completed(null, true, "TLSv1.3", "S", CertificateCheck.ok(), null,
                null),
            () -> TlsOutcome.completed("mx", true, null, "S", CertificateCheck.ok(), null, null),
            () -> TlsOutcome.completed("mx", true, "TLSv1.3", null, CertificateCheck.ok(), null,
                null),
            () -> TlsOutcome.completed("mx", true, "TLSv1.3", "S", null, null, null),
            () -> TlsOutcome.failed(null, true, RefusalReason.TLS_VERSION, "m", null, null),
            () -> TlsOutcome.failed("mx", true, null, "m", null, null),
            () -> TlsOutcome.failed("mx", true, RefusalReason.TLS_VERSION, null, null, null));
    for (Executable call : calls) {
      assertThrows(NullPointerException.class, call);
    }
  }

  @Test
  void values_equalityAndText() {
    CertificateCheck refused =
        CertificateCheck.refused(RefusalReason.CERTIFICATE_EXPIRED, "expired yesterday");
    assertEquals(
        refused, CertificateCheck.refused(RefusalReason.CERTIFICATE_EXPIRED, "expired yesterday"));
    assertEquals(refused.hashCode(),
        CertificateCheck.refused(RefusalReason.CERTIFICATE_EXPIRED, "expired yesterday")
            .hashCode());
    assertTrue(refused.toString().contains("certificate-expired"), refused.toString());
    assertTrue(CertificateCheck.ok().passed());
    assertEquals(Optional.empty(), CertificateCheck.ok().refusal());

    TlsOutcome testing =
        TlsOutcome.completed("mx1.example.com", false, "TLSv1.3", "TLS_AES_128_GCM_SHA256",
            refused, null, null);
    assertTrue(testing.handshakeCompleted());
    assertEquals(false, testing.passed());
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_EXPIRED), testing.refusal());
    assertTrue(testing.toString().contains("testing"), testing.toString());
    TlsOutcome failed =
        TlsOutcome.failed("mx1.example.com", true, RefusalReason.TLS_VERSION, "TLS 1.1 only",
            null, null);
    assertEquals(false, failed.handshakeCompleted());
    assertEquals(Optional.empty(), failed.protocol());
    assertEquals(Optional.empty(), failed.localAddress());
  }
}
