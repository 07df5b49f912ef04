package org.mtasts.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.SignatureException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;
import org.mtasts.FetchFailure;
import org.mtasts.FetchedPolicy;
import org.mtasts.HostResolver;
import org.mtasts.PolicyFetchException;
import org.mtasts.internal.fetch.OkHttpPolicyFetcher;
import org.mtasts.policy.Mode;
import org.mtasts.testkit.https.PolicyServer;
import org.mtasts.testkit.smtp.SessionRecord;
import org.mtasts.testkit.smtp.SmtpBehaviour;
import org.mtasts.testkit.smtp.SmtpReceiver;
import org.mtasts.testkit.smtp.SmtpTestClient;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsOutcome;
import org.mtasts.tls.TlsStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy fetch and the MX handshake with Conscrypt forced as the TLS implementation (issue
 * 16): the same guarantees as with the JDK's TLS. The whole fetch and MX TLS suites also run under
 * Conscrypt in the build's {@code tls-conscrypt} test execution; this class forces the provider
 * per fetcher and factory, so it holds in any execution.
 */
class ConscryptTlsTest {
  private static final String DOMAIN = "example.com";
  private static final String HOST = "mta-sts.example.com";
  private static final String MX = "mx1.example.com";
  private static final String POLICY =
      "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static TestCertificateAuthority ca;
  private static TestCertificateAuthority otherCa;
  private static PolicyServer server;

  private final List<TlsOutcome> outcomes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws java.io.IOException {
    ca = TestCertificateAuthority.create("Conscrypt Test Root");
    otherCa = TestCertificateAuthority.create("Unknown Root");
    server = PolicyServer.create(ca).start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static OkHttpPolicyFetcher conscryptFetcher() {
    return OkHttpPolicyFetcher.builder()
        .hostResolver(HostResolver.overriding(Map.of(HOST, server.address()), HostResolver.none()))
        .trustManager(ca.trustManager())
        .allowPrivateAddresses(true)
        .deadline(Duration.ofSeconds(10))
        .tlsProvider(TlsProviders.Choice.CONSCRYPT)
        .build();
  }

  private static FetchedPolicy fetch() throws Exception {
    try {
      return conscryptFetcher().fetch(DOMAIN).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static PolicyFetchException fetchFails() {
    return assertThrows(PolicyFetchException.class, ConscryptTlsTest::fetch);
  }

  private MxSocketFactory mxFactory(String mxHost, boolean enforce) {
    return new MxSocketFactory(
        new CertificateVerification(ca.trustManager(), Clock.systemUTC()),
        mxHost,
        enforce,
        outcomes::add,
        TlsStreams.NONE,
        TlsProviders.Choice.CONSCRYPT);
  }

  private TlsOutcome onlyOutcome() {
    assertEquals(1, outcomes.size(), outcomes.toString());
    return outcomes.get(0);
  }

  @Test
  void conscryptLoadsHere_andIsNeverInstalledJvmWide() throws Exception {
    assertTrue(TlsProviders.conscrypt().isPresent(), "Conscrypt is a test dependency");
    SSLContext context = TlsProviders.newContext(TlsProviders.Choice.CONSCRYPT);
    assertTrue(TlsProviders.isConscrypt(context), context.getProvider().toString());
    assertFalse(TlsProviders.isConscrypt(TlsProviders.newContext(TlsProviders.Choice.JDK)));
    assertTrue(
        java.util.Arrays.stream(java.security.Security.getProviders())
            .noneMatch(p -> p == TlsProviders.conscrypt().orElseThrow()),
        "the library must not add a provider to the JVM's list");
  }

  @Test
  @DisplayName("TLS 1.3 hands over \"GENERIC\"; the JDK's PKIX checks know it as \"UNKNOWN\"")
  void authType_generic_isTheJdksUnknown() {
    assertEquals("UNKNOWN", TlsProviders.jdkAuthType("GENERIC"));
    assertEquals("ECDHE_ECDSA", TlsProviders.jdkAuthType("ECDHE_ECDSA"));
    assertEquals("UNKNOWN", TlsProviders.jdkAuthType("UNKNOWN"));
  }

  /** {@code certificate} with the last byte of its signature changed: a forged signature. */
  private static X509Certificate forged(X509Certificate certificate) throws Exception {
    byte[] der = certificate.getEncoded();
    der[der.length - 1] ^= 0x01;
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
  }

  @Test
  @DisplayName("STS-FETCH-04 Conscrypt: the JDK's PKIX checks still refuse a forged CA signature,"
      + " now verified natively")
  void stsFetch04_conscrypt_forgedSignature_refusedByPkix() throws Exception {
    SSLContext context = TlsProviders.newContext(TlsProviders.Choice.CONSCRYPT);
    X509TrustManager checks = TlsProviders.forContext(context, ca.trustManager());
    X509Certificate good = ca.issue(HOST).certificate();
    checks.checkServerTrusted(new X509Certificate[] {good}, "GENERIC");
    CertificateException e = assertThrows(CertificateException.class,
        () -> checks.checkServerTrusted(new X509Certificate[] {forged(good)}, "GENERIC"));
    assertTrue(String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT)
        .contains("signature"), e.toString());
  }

  @Test
  @DisplayName("STS-TLS-05 Conscrypt: an MX chain with a forged CA signature is refused")
  void stsTls05_conscrypt_forgedSignature_refused() throws Exception {
    SSLContext context = TlsProviders.newContext(TlsProviders.Choice.CONSCRYPT);
    MxTrustManager checks = new MxTrustManager(
        new CertificateVerification(ca.trustManager(), Clock.systemUTC()), MX, true,
        chain -> TlsProviders.forPkix(context, chain));
    X509Certificate good = ca.issue(MX).certificate();
    checks.checkServerTrusted(new X509Certificate[] {good}, "GENERIC");
    MxCertificateException e = assertThrows(MxCertificateException.class,
        () -> checks.checkServerTrusted(new X509Certificate[] {forged(good)}, "GENERIC"));
    assertEquals(RefusalReason.CERTIFICATE_NOT_TRUSTED, e.reason(), e.toString());
  }

  @Test
  void nativeSignature_verifiesWithTheIssuersKeyOnly() throws Exception {
    X509Certificate[] chain = NativeSignatureCertificate.wrap(
        new X509Certificate[] {ca.issue(MX).certificate()},
        TlsProviders.conscrypt().orElseThrow());
    chain[0].verify(ca.certificate().getPublicKey());
    assertThrows(SignatureException.class,
        () -> chain[0].verify(otherCa.certificate().getPublicKey()));
    assertThrows(SignatureException.class,
        () -> forgedWrapped().verify(ca.certificate().getPublicKey()));
  }

  private static X509Certificate forgedWrapped() throws Exception {
    return NativeSignatureCertificate.wrap(
        new X509Certificate[] {forged(ca.issue(MX).certificate())},
        TlsProviders.conscrypt().orElseThrow())[0];
  }

  // ------------------------------------------------------------------------------ policy fetch

  @Test
  @DisplayName("STS-FETCH-01/06 / D-04 Conscrypt: the policy over TLS 1.2+, SNI sent, PKIX of the"
      + " configured anchors")
  void stsFetch01_conscrypt_fetchesThePolicy() throws Exception {
    server.host(HOST).reset().certificate(ca.issue(HOST)).servePolicy(POLICY);
    FetchedPolicy fetched = fetch();
    assertEquals(Mode.ENFORCE, fetched.policy().mode());
    assertTrue(fetched.tlsVersion().orElseThrow().matches("TLSv1\\.[23]"));
    assertEquals(HOST, server.requests(HOST).get(server.requests(HOST).size() - 1).sni()
        .orElseThrow(), "STS-FETCH-06 SNI");
  }

  static Stream<Arguments> badPolicyHostCertificates() {
    return Stream.of(
        Arguments.of("STS-FETCH-04 unknown CA",
            (Function<String, IssuedCertificate>) host -> otherCa.issue(host),
            FetchFailure.CERTIFICATE_UNTRUSTED),
        Arguments.of("STS-FETCH-04 self-signed",
            (Function<String, IssuedCertificate>) host -> ca.leaf(host).selfSigned().build(),
            FetchFailure.CERTIFICATE_UNTRUSTED),
        Arguments.of("STS-FETCH-04 expired",
            (Function<String, IssuedCertificate>) host -> ca.leaf(host).expired().build(),
            FetchFailure.CERTIFICATE_EXPIRED),
        Arguments.of("STS-FETCH-03 another host's name",
            (Function<String, IssuedCertificate>) host -> ca.issue("mta-sts.other.example"),
            FetchFailure.CERTIFICATE_HOST_MISMATCH),
        Arguments.of("STS-FETCH-03 common name only",
            (Function<String, IssuedCertificate>) host ->
                ca.leaf(host).withoutSubjectAlternativeNames().build(),
            FetchFailure.CERTIFICATE_HOST_MISMATCH));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("badPolicyHostCertificates")
  @DisplayName("STS-FETCH-03/04 Conscrypt: a policy host certificate that fails is refused")
  void stsFetch04_conscrypt_badCertificateIsRefused(
      String rule, Function<String, IssuedCertificate> certificate, FetchFailure expected) {
    server.host(HOST).reset().certificate(certificate.apply(HOST)).servePolicy(POLICY);
    int before = server.requestCount(HOST);
    PolicyFetchException e = fetchFails();
    assertEquals(expected, e.failure(), e.toString());
    assertEquals(before, server.requestCount(HOST), "no request over an untrusted connection");
  }

  // ------------------------------------------------------------------------------ MX TLS

  @Test
  @DisplayName("STS-TLS-02/03/06 Conscrypt: a good MX certificate passes, SNI = MX host")
  void stsTls06_conscrypt_goodCertificate_completes() throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder(MX)
            .behaviour(SmtpBehaviour.startTls(ca.issue(MX))).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      SSLSocket tls = client.upgrade(mxFactory(MX, true), MX);
      assertEquals("TLSv1.3", tls.getSession().getProtocol());
      assertTrue(client.command("EHLO client.example").startsWith("250"));
      client.command("QUIT");
      assertTrue(onlyOutcome().passed(), outcomes.toString());
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertEquals(Optional.of(MX), session.sniHostName());
    }
  }

  static Stream<Arguments> badMxCertificates() {
    return Stream.of(
        Arguments.of("STS-TLS-04 expired",
            (Function<String, IssuedCertificate>) host -> ca.leaf(host).expired().build(),
            RefusalReason.CERTIFICATE_EXPIRED),
        Arguments.of("STS-TLS-05 unknown CA",
            (Function<String, IssuedCertificate>) host -> otherCa.issue(host),
            RefusalReason.CERTIFICATE_NOT_TRUSTED),
        Arguments.of("STS-TLS-06 wrong name",
            (Function<String, IssuedCertificate>) host -> ca.issue("mx.other.example"),
            RefusalReason.CERTIFICATE_HOST_MISMATCH),
        Arguments.of("EDGE-94 CN-only",
            (Function<String, IssuedCertificate>) host ->
                ca.leaf(host).withoutSubjectAlternativeNames().build(),
            RefusalReason.CERTIFICATE_HOST_MISMATCH));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("badMxCertificates")
  @DisplayName("STS-APPLY-01 Conscrypt, enforce: a bad MX certificate aborts the handshake")
  void stsApply01_conscrypt_badCertificate_abortsHandshake(
      String rule, Function<String, IssuedCertificate> certificate, RefusalReason reason)
      throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder(MX)
            .behaviour(SmtpBehaviour.startTls(certificate.apply(MX))).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      assertThrows(SSLHandshakeException.class, () -> client.upgrade(mxFactory(MX, true), MX));
      TlsOutcome outcome = onlyOutcome();
      assertFalse(outcome.handshakeCompleted(), outcome.toString());
      assertEquals(Optional.of(reason), outcome.refusal(), outcome.toString());
      SessionRecord session = mx.awaitSessions(1, WAIT).get(0);
      assertFalse(session.hasCommand("MAIL"), session.toString());
      assertEquals(0, mx.tlsHandshakes());
    }
  }

  @Test
  @DisplayName("STS-TLS-03 / D-04 Conscrypt: an MX that speaks only TLS 1.1 is refused as"
      + " TLS_VERSION")
  void stsTls03_conscrypt_legacyTls11_refused() throws Exception {
    SmtpBehaviour legacy = SmtpBehaviour.builder().legacyTlsOnly("TLSv1.1").build();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX).behaviour(legacy).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      assertThrows(SSLHandshakeException.class, () -> client.upgrade(mxFactory(MX, true), MX));
      assertEquals(Optional.of(RefusalReason.TLS_VERSION), onlyOutcome().refusal(),
          outcomes.toString());
    }
  }
}
