package org.mtasts.testkit.https;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.KeyType;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** SNI routing, certificates, TLS versions and handshake faults, with real JDK handshakes. */
class PolicyServerTlsTest {
  private static final TestCertificateAuthority CA = TestCertificateAuthority.create("TLS Root");
  private static final String HOST = "mta-sts.example.com";
  private static final String OTHER = "mta-sts.example.net";

  private PolicyServer server;

  @BeforeEach
  void start() throws IOException {
    server = PolicyServer.create(CA).start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void sni_selects_each_hosts_own_certificate() throws Exception {
    server.host(HOST).servePolicy("policy for example.com\n");
    server.host(OTHER).servePolicy("policy for example.net\n");

    for (String host : List.of(HOST, OTHER)) {
      try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), host, true)) {
        Certificate presented = ssl.getSession().getPeerCertificates()[0];
        assertEquals(server.host(host).certificate().certificate(), presented);
        WireClient.sendGet(ssl, host, PolicyServer.POLICY_PATH);
        assertEquals(
            "policy for " + host.substring("mta-sts.".length()) + "\n",
            WireClient.readAll(ssl).bodyText());
      }
    }
    assertEquals(
        List.of(Optional.of(HOST), Optional.of(OTHER)),
        server.connections().stream().map(RecordedConnection::sni).toList());
    assertEquals(Optional.of(HOST), server.requests(HOST).get(0).sni());
  }

  @Test
  void rsa_and_ec_certificates_are_both_presented() throws Exception {
    server.host(HOST).certificate(CA.leaf(HOST).keyType(KeyType.RSA_2048).build());
    server.host(OTHER);

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      assertEquals("RSA", ssl.getSession().getPeerCertificates()[0].getPublicKey().getAlgorithm());
    }
    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), OTHER, true)) {
      assertEquals("EC", ssl.getSession().getPeerCertificates()[0].getPublicKey().getAlgorithm());
    }
  }

  @Test
  void fallback_host_certificate_can_be_replaced() throws Exception {
    IssuedCertificate named = CA.issue("mta-sts.unknown.example");
    server.fallbackHost().certificate(named).servePolicy(PolicyResponse.SAMPLE_POLICY);

    assertEquals(named, server.defaultCertificate());
    assertEquals(
        PolicyResponse.SAMPLE_POLICY,
        WireClient.get(server, CA.clientContext(), "mta-sts.unknown.example").bodyText());
    assertEquals(1, server.requestCount("mta-sts.unknown.example"));
  }

  @Test
  void unknown_sni_gets_the_default_certificate_and_404() throws Exception {
    try (SSLSocket ssl =
        WireClient.open(server, CA.clientContext(), "mta-sts.unknown.example", false)) {
      assertEquals(
          server.defaultCertificate().certificate(), ssl.getSession().getPeerCertificates()[0]);
      WireClient.sendGet(ssl, "mta-sts.unknown.example", PolicyServer.POLICY_PATH);
      assertEquals(404, WireClient.readAll(ssl).status());
    }
    assertThrows(
        SSLHandshakeException.class,
        () -> WireClient.open(server, CA.clientContext(), "mta-sts.unknown.example", true).close());
    assertEquals(Optional.of("mta-sts.unknown.example"), server.connections().get(0).sni());
  }

  @Test
  void no_sni_gets_the_default_certificate_and_is_routed_by_host_header() throws Exception {
    server.host(HOST).servePolicy(PolicyResponse.SAMPLE_POLICY);

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), null, false)) {
      assertEquals(
          server.defaultCertificate().certificate(), ssl.getSession().getPeerCertificates()[0]);
      WireClient.sendGet(ssl, HOST + ":443", PolicyServer.POLICY_PATH);
      assertEquals(PolicyResponse.SAMPLE_POLICY, WireClient.readAll(ssl).bodyText());
    }
    RecordedRequest request = server.requests().get(0);
    assertEquals(Optional.empty(), request.sni());
    assertEquals(HOST, request.host());
    assertEquals(Optional.of(HOST + ":443"), request.hostHeader());
    assertEquals(Optional.empty(), server.connections().get(0).sni());
  }

  static Stream<Arguments> badCertificates() {
    return Stream.of(
        Arguments.of(
            "expired", (Function<String, IssuedCertificate>) h -> CA.leaf(h).expired().build()),
        Arguments.of(
            "not yet valid",
            (Function<String, IssuedCertificate>) h -> CA.leaf(h).notYetValid().build()),
        Arguments.of(
            "wrong name",
            (Function<String, IssuedCertificate>) h -> CA.issue("mta-sts.provider.example")),
        Arguments.of(
            "self-signed",
            (Function<String, IssuedCertificate>) h -> CA.leaf(h).selfSigned().build()),
        Arguments.of(
            "other CA",
            (Function<String, IssuedCertificate>)
                h -> TestCertificateAuthority.create("Untrusted").issue(h)));
  }

  @ParameterizedTest(name = "{0} certificate is refused by a verifying client (§3.3)")
  @MethodSource("badCertificates")
  void bad_certificates_fail_a_verifying_client(
      String kind, Function<String, IssuedCertificate> make) throws Exception {
    IssuedCertificate bad = make.apply(HOST);
    server.host(HOST).certificate(bad).servePolicy(PolicyResponse.SAMPLE_POLICY);

    assertThrows(
        SSLHandshakeException.class,
        () -> WireClient.open(server, CA.clientContext(), HOST, true).close());

    assertTrue(server.awaitConnectionCount(HOST, 1, Duration.ofSeconds(2)));
    RecordedConnection connection = server.connections(HOST).get(0);
    assertFalse(connection.handshakeCompleted());
    // What the server saw: the client's alert, or a broken pipe if it hung up first.
    assertTrue(connection.failure().isPresent(), connection.toString());
    assertEquals(0, server.requestCount(HOST));
  }

  /**
   * The server presents a certificate whose name is only in the subject CN; the JDK's own "HTTPS"
   * endpoint identification falls back to the CN when there is no DNS SAN and accepts it. RFC 8461
   * clients must refuse it (RFC 6125 §6.4.4), so they need their own DNS-ID check; this test pins
   * the JDK behaviour that makes that necessary.
   */
  @Test
  void cn_only_certificate_is_presented_and_jdk_https_verification_accepts_it() throws Exception {
    IssuedCertificate cnOnly = CA.leaf(HOST).withoutSubjectAlternativeNames().build();
    server.host(HOST).certificate(cnOnly).servePolicy(PolicyResponse.SAMPLE_POLICY);

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      java.security.cert.X509Certificate presented =
          (java.security.cert.X509Certificate) ssl.getSession().getPeerCertificates()[0];
      assertEquals(cnOnly.certificate(), presented);
      assertEquals(null, presented.getSubjectAlternativeNames());
    }
  }

  @Test
  void certificate_change_applies_to_the_next_connection() throws Exception {
    server.host(HOST).servePolicy(PolicyResponse.SAMPLE_POLICY);
    javax.net.ssl.SSLContext client = CA.clientContext(); // one client, one session cache
    WireClient.open(server, client, HOST, true).close();

    server.host(HOST).certificate(CA.leaf(HOST).expired().build());

    assertThrows(
        SSLHandshakeException.class, () -> WireClient.open(server, client, HOST, true).close());
  }

  @Test
  void tls_versions_can_be_restricted_per_host() throws Exception {
    server.host(HOST).tlsProtocols("TLSv1.2");
    server.host(OTHER).tlsProtocols("TLSv1.3");

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      assertEquals("TLSv1.2", ssl.getSession().getProtocol());
    }
    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), OTHER, true)) {
      assertEquals("TLSv1.3", ssl.getSession().getProtocol());
    }
    SSLSocket onlyTls13 = WireClient.connect(server, CA.clientContext(), HOST, true);
    SSLParameters parameters = onlyTls13.getSSLParameters();
    parameters.setProtocols(new String[] {"TLSv1.3"});
    onlyTls13.setSSLParameters(parameters);
    assertThrows(SSLHandshakeException.class, onlyTls13::startHandshake);
    onlyTls13.close();
  }

  @Test
  void tls_1_0_and_1_1_cannot_be_enabled_for_real() {
    IllegalArgumentException failure =
        assertThrows(
            IllegalArgumentException.class, () -> server.host(HOST).tlsProtocols("TLSv1.1"));
    assertTrue(failure.getMessage().contains("LEGACY_TLS_1_0"), failure.getMessage());
    assertThrows(IllegalArgumentException.class, () -> server.host(HOST).tlsProtocols("TLSv1"));
  }

  @ParameterizedTest(name = "{0}: a JDK client refuses the old ServerHello with protocol_version")
  @EnumSource(
      value = TlsFault.class,
      names = {"LEGACY_TLS_1_0", "LEGACY_TLS_1_1"})
  void legacy_tls_server_hello_is_refused_by_a_modern_client(TlsFault fault) throws Exception {
    server.host(HOST).tlsFault(fault).servePolicy(PolicyResponse.SAMPLE_POLICY);

    SSLHandshakeException failure =
        assertThrows(
            SSLHandshakeException.class,
            () -> WireClient.open(server, CA.clientContext(), HOST, true).close());

    String version = fault == TlsFault.LEGACY_TLS_1_0 ? "TLS10" : "TLS11";
    assertTrue(failure.getMessage().contains(version), failure.getMessage());
    assertTrue(server.awaitConnectionCount(HOST, 1, Duration.ofSeconds(2)));
    String recorded = server.connections(HOST).get(0).failure().orElseThrow();
    assertTrue(recorded.contains("fatal alert protocol_version (70)"), recorded);
    assertEquals(0, server.requestCount(HOST));
  }

  @Test
  void close_after_client_hello_fails_the_handshake() throws Exception {
    server.host(HOST).tlsFault(TlsFault.CLOSE_AFTER_CLIENT_HELLO);

    assertThrows(
        IOException.class, () -> WireClient.open(server, CA.clientContext(), HOST, true).close());

    assertTrue(server.awaitConnectionCount(HOST, 1, Duration.ofSeconds(2)));
    assertEquals(
        Optional.of("fault CLOSE_AFTER_CLIENT_HELLO"), server.connections(HOST).get(0).failure());
  }

  @Test
  void stalled_handshake_never_completes_and_close_ends_it() throws Exception {
    server.host(HOST).tlsFault(TlsFault.STALL_AFTER_CLIENT_HELLO);

    SSLSocket ssl = WireClient.connect(server, CA.clientContext(), HOST, true);
    ssl.setSoTimeout(300);
    assertThrows(SocketTimeoutException.class, ssl::startHandshake);
    ssl.close();

    SSLSocket waiting = WireClient.connect(server, CA.clientContext(), HOST, true);
    waiting.setSoTimeout(0);
    java.util.concurrent.CompletableFuture<Throwable> ended =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                waiting.startHandshake();
                return null;
              } catch (IOException e) {
                return e;
              }
            });
    assertTrue(server.awaitConnectionCount(HOST, 2, Duration.ofSeconds(2)));
    long start = System.nanoTime();
    server.close();
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos());
    assertTrue(
        ended.get(2, java.util.concurrent.TimeUnit.SECONDS) instanceof IOException,
        "the client's handshake ends with an error once the server closes");
    waiting.close();
  }

  @Test
  void handshake_delay_slows_the_handshake() throws Exception {
    server.host(HOST).handshakeDelay(Duration.ofMillis(300));

    long start = System.nanoTime();
    WireClient.open(server, CA.clientContext(), HOST, true).close();

    assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
  }

  @Test
  void plain_http_on_the_tls_port_gets_no_http_answer() throws Exception {
    try (Socket plain = new Socket()) {
      plain.connect(server.address(), 2000);
      plain.setSoTimeout(2000);
      OutputStream out = plain.getOutputStream();
      out.write(
          "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.com\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      InputStream in = plain.getInputStream();
      assertEquals(0, in.readAllBytes().length);
    }
    RecordedConnection connection = server.connections().get(0);
    assertTrue(connection.plaintext());
    assertEquals(
        Optional.of("not TLS: GET /.well-known/mta-sts.txt HTTP/1.1"), connection.failure());
    assertEquals(0, server.requestCount());
  }
}
