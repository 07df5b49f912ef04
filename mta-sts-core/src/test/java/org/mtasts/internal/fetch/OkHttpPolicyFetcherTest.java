package org.mtasts.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.mtasts.FetchFailure;
import org.mtasts.FetchedPolicy;
import org.mtasts.HostResolver;
import org.mtasts.PolicyFetchException;
import org.mtasts.dns.DnsClient;
import org.mtasts.internal.tls.TlsProviders;
import org.mtasts.policy.Mode;
import org.mtasts.report.ResultType;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.https.PolicyResponse;
import org.mtasts.testkit.https.PolicyServer;
import org.mtasts.testkit.https.RecordedRequest;
import org.mtasts.testkit.https.TlsFault;
import org.mtasts.testkit.tls.TestCertificateAuthority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The policy fetch against the testkit's HTTPS server over real loopback TLS. */
class OkHttpPolicyFetcherTest {
  private static final String DOMAIN = "example.com";
  private static final String HOST = "mta-sts.example.com";
  private static final String POLICY =
      "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 86400\n";

  private static TestCertificateAuthority ca;
  private static PolicyServer server;

  @BeforeAll
  static void startServer() throws IOException {
    ca = TestCertificateAuthority.create("Fetch Test Root");
    server = PolicyServer.create(ca).start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void resetHost() {
    server.host(HOST).reset().certificate(ca.issue(HOST)).servePolicy(POLICY);
  }

  private static OkHttpPolicyFetcher.Builder fetcher() {
    return OkHttpPolicyFetcher.builder()
        .hostResolver(HostResolver.overriding(Map.of(HOST, server.address()), HostResolver.none()))
        .trustManager(ca.trustManager())
        .allowPrivateAddresses(true)
        .deadline(Duration.ofSeconds(10));
  }

  private static FetchedPolicy fetch(OkHttpPolicyFetcher fetcher) throws Exception {
    try {
      return fetcher.fetch(DOMAIN).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static PolicyFetchException fetchFails(OkHttpPolicyFetcher fetcher) throws Exception {
    try {
      FetchedPolicy unexpected = fetch(fetcher);
      throw new AssertionError("fetch should have failed but gave " + unexpected);
    } catch (PolicyFetchException e) {
      assertEquals(DOMAIN, e.domain());
      return e;
    }
  }

  private static int requests() {
    return server.requestCount(HOST);
  }

  @Test
  void stsFetch01_getsThePolicyOverHttpsWithSniAndUserAgent() throws Exception {
    int before = requests();
    FetchedPolicy fetched = fetch(fetcher().build());
    assertEquals(Mode.ENFORCE, fetched.policy().mode());
    assertEquals(2, fetched.policy().mxPatterns().size());
    assertEquals(Duration.ofSeconds(86400), fetched.policy().maxAge());
    assertTrue(fetched.url().startsWith("https://mta-sts.example.com:"), fetched.url());
    assertTrue(fetched.url().endsWith("/.well-known/mta-sts.txt"), fetched.url());
    assertTrue(fetched.tlsVersion().orElseThrow().matches("TLSv1\\.[23]"));
    assertEquals(before + 1, requests());
    RecordedRequest request = last(server.requests(HOST));
    assertEquals("GET", request.method());
    assertEquals("/.well-known/mta-sts.txt", request.target());
    assertEquals(HOST, request.sni().orElseThrow(), "STS-FETCH-06 SNI");
    assertTrue(request.header("User-Agent").orElseThrow().contains("mta-sts-java"));
  }

  @Test
  void tlsSessionCacheIsSmall() {
    // The JDK's default (20,480 sessions for a day) held 158 MB after 12,000 cold fetches
    // (issue 8); policy hosts are fetched about once a day, so sessions are rarely resumed.
    assertEquals(64, OkHttpPolicyFetcher.sslContext(ca.trustManager(), TlsProviders.configured())
        .getClientSessionContext().getSessionCacheSize());
  }

  @Test
  void stsFetch01_hostWithSeveralAddresses_triesTheNextWhenOneRefuses() throws Exception {
    // The server listens on 127.0.0.1 only: 127.0.0.2 (also loopback) refuses the connection.
    InetSocketAddress refusing =
        new InetSocketAddress(InetAddress.getByName("127.0.0.2"), server.address().getPort());
    for (List<InetSocketAddress> addresses :
        List.of(List.of(refusing, server.address()), List.of(server.address(), refusing))) {
      OkHttpPolicyFetcher fetcher =
          fetcher().hostResolver((host, port) -> host.equals(HOST) ? addresses : List.of()).build();
      int before = requests();
      assertEquals(Mode.ENFORCE, fetch(fetcher).policy().mode(), addresses.toString());
      assertEquals(before + 1, requests());
    }
  }

  @Test
  void stsFetch01_onlyAddressRefuses_connectFailed() throws Exception {
    InetSocketAddress refusing =
        new InetSocketAddress(InetAddress.getByName("127.0.0.2"), server.address().getPort());
    OkHttpPolicyFetcher fetcher =
        fetcher().hostResolver((host, port) -> List.of(refusing)).build();
    PolicyFetchException e = fetchFails(fetcher);
    assertEquals(FetchFailure.CONNECT_FAILED, e.failure(), e.getMessage());
  }

  @Test
  void stsFetch10_noConditionalRequestsNoCookiesAndCacheHeadersIgnored() throws Exception {
    server.host(HOST).respond(
        PolicyResponse.builder()
            .body(POLICY)
            .header("Cache-Control", "max-age=60")
            .header("ETag", "\"abc\"")
            .header("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
            .header("Set-Cookie", "session=1")
            .build());
    OkHttpPolicyFetcher fetcher = fetcher().build();
    FetchedPolicy first = fetch(fetcher);
    FetchedPolicy second = fetch(fetcher);
    assertEquals(Duration.ofSeconds(86400), first.policy().maxAge());
    assertEquals(first.policy(), second.policy());
    RecordedRequest request = last(server.requests(HOST));
    for (String conditional :
        List.of("If-None-Match", "If-Modified-Since", "Cookie", "Cache-Control")) {
      assertTrue(request.header(conditional).isEmpty(), conditional + " must not be sent");
    }
  }

  @ParameterizedTest(name = "STS-FETCH-08 HTTP {0} is a fetch error")
  @ValueSource(ints = {201, 203, 204, 206, 304, 404, 410, 500, 503})
  void stsFetch08_onlyStatus200YieldsAPolicy(int status) throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().status(status).body(POLICY).build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.HTTP_STATUS, e.failure());
    assertEquals(ResultType.STS_POLICY_FETCH_ERROR, e.failure().resultType());
    assertTrue(e.getMessage().contains(String.valueOf(status)), e.getMessage());
  }

  @ParameterizedTest(name = "STS-FETCH-09 HTTP {0} redirect is refused and not followed")
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void stsFetch09_redirectsAreNeverFollowed(int status) throws Exception {
    String target = "https://mta-sts.example.com/.well-known/mta-sts.txt?x";
    server.host(HOST).respond(PolicyResponse.redirect(status, target));
    int before = server.requestCount();
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.REDIRECT_REFUSED, e.failure());
    assertTrue(e.getMessage().contains(target), e.getMessage());
    assertEquals(before + 1, server.requestCount(), "EDGE-81 no second request");
  }

  @ParameterizedTest(name = "STS-FETCH-11 Content-Type ''{0}'' is accepted")
  @ValueSource(
      strings = {
        "text/plain",
        "text/plain; charset=utf-8",
        "TEXT/PLAIN;charset=US-ASCII",
        "text/plain; format=flowed",
        "text/plain; charset=iso-8859-1",
        "text/plain; charset=utf-16"
      })
  void stsFetch11_textPlainWithAnyParametersIsAccepted(String contentType) throws Exception {
    server.host(HOST).respond(
        PolicyResponse.builder().body(POLICY).contentType(contentType).build());
    FetchedPolicy fetched = fetch(fetcher().build());
    assertEquals(Mode.ENFORCE, fetched.policy().mode(), "EDGE-79 body decoded as UTF-8");
    assertEquals(contentType, fetched.contentType().orElseThrow());
  }

  @ParameterizedTest(name = "STS-FETCH-11 D-05 Content-Type ''{0}'' is refused")
  @ValueSource(strings = {"text/html", "application/octet-stream", "text/plain+xml", "text"})
  void stsFetch11_otherMediaTypesAreRefused(String contentType) throws Exception {
    server.host(HOST).respond(
        PolicyResponse.builder().body(POLICY).contentType(contentType).build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.MEDIA_TYPE, e.failure());
    assertEquals(ResultType.STS_POLICY_INVALID, e.failure().resultType());
  }

  @Test
  void stsFetch11_sec11_twoContentTypesAreAmbiguousAndRefused() throws Exception {
    // Which one counts depends on the reader; a policy must not hinge on that (D-05, D-13).
    server.host(HOST).respond(
        PolicyResponse.builder()
            .body(POLICY)
            .noContentType()
            .header("Content-Type", "text/html")
            .header("Content-Type", "text/plain")
            .build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.MEDIA_TYPE, e.failure(), e.getMessage());
    assertTrue(e.getMessage().contains("text/html"), e.getMessage());
  }

  @Test
  void edge80_missingContentTypeIsRefusedUnlessTheCheckIsOff() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().body(POLICY).noContentType().build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.MEDIA_TYPE, e.failure());
    assertTrue(e.getMessage().contains("no Content-Type"), e.getMessage());

    FetchedPolicy lenient = fetch(fetcher().requireTextPlain(false).build());
    assertEquals(Mode.ENFORCE, lenient.policy().mode());
    assertTrue(lenient.contentType().isEmpty());
  }

  @Test
  void stsFetch13_bodyOfExactlyTheLimitIsAccepted() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().paddedBody(POLICY, 65_536).build());
    FetchedPolicy fetched = fetch(fetcher().build());
    assertEquals(Mode.ENFORCE, fetched.policy().mode());
  }

  @ParameterizedTest(name = "STS-FETCH-13 D-07 body of {0} bytes fails, never truncated")
  @ValueSource(longs = {65_537, 1 << 20})
  void stsFetch13_bodyOverTheLimitFails(long size) throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().paddedBody(POLICY, size).build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.BODY_TOO_LARGE, e.failure());
  }

  @Test
  void sec08_endlessBodyStopsAtTheLimitNotAtTheDeadline() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().endlessBody(POLICY).build());
    long start = System.nanoTime();
    PolicyFetchException e = fetchFails(fetcher().deadline(Duration.ofSeconds(20)).build());
    assertEquals(FetchFailure.BODY_TOO_LARGE, e.failure());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "stopped reading early");
  }

  @Test
  void sec08_hugeResponseHeadersAreBoundedByOkHttp() throws Exception {
    // OkHttp stops reading a header section at 256 KiB (HTTP/1.1 and HPACK alike).
    PolicyResponse.Builder response = PolicyResponse.builder().body(POLICY);
    String value = "v".repeat(8_000);
    for (int i = 0; i < 128; i++) {
      response.header("X-Filler-" + i, value);
    }
    server.host(HOST).respond(response.build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.IO_ERROR, e.failure(), e.getMessage());
    // OkHttp reports it as a header line it could not find within the remaining limit.
    assertTrue(e.getMessage().contains("limit="), e.getMessage());
  }

  @Test
  void stsFetch18_gzipBombFailsAtTheDecodedLimit() throws Exception {
    server.host(HOST).respond(PolicyResponse.gzipBomb(10L << 20));
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.BODY_TOO_LARGE, e.failure());
  }

  @Test
  void stsFetch18_gzipBodyIsDecodedTransparently() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().body(POLICY).gzipAlways().build());
    assertEquals(Mode.ENFORCE, fetch(fetcher().build()).policy().mode());
  }

  @Test
  void stsFetch12_tricklingBodyIsCutByTheOneDeadline() throws Exception {
    server.host(HOST).respond(
        PolicyResponse.builder().body(POLICY).trickleBody(1, Duration.ofMillis(200)).build());
    long start = System.nanoTime();
    PolicyFetchException e =
        fetchFails(
            fetcher().deadline(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(30)).build());
    long elapsed = System.nanoTime() - start;
    assertEquals(FetchFailure.TIMEOUT, e.failure(), e.getMessage());
    assertTrue(elapsed < TimeUnit.SECONDS.toNanos(5), "deadline fired: " + elapsed / 1_000_000);
  }

  @Test
  void sec09_slowHeadersAndStalledHandshakeHitTheDeadline() throws Exception {
    server.host(HOST).respond(
        PolicyResponse.builder().body(POLICY).headersDelay(Duration.ofSeconds(30)).build());
    assertEquals(
        FetchFailure.TIMEOUT, fetchFails(fetcher().deadline(Duration.ofSeconds(1)).build())
            .failure());
    server.host(HOST).tlsFault(TlsFault.STALL_AFTER_CLIENT_HELLO);
    assertEquals(
        FetchFailure.TIMEOUT, fetchFails(fetcher().deadline(Duration.ofSeconds(1)).build())
            .failure());
  }

  @Test
  void connectionClosedMidResponseIsAnIoError() throws Exception {
    server.host(HOST).respond(
        PolicyResponse.builder().body(POLICY).disconnectAfterBodyBytes(10).build());
    assertEquals(FetchFailure.IO_ERROR, fetchFails(fetcher().build()).failure());
    server.host(HOST).respond(PolicyResponse.builder().body(POLICY).disconnectAfterRequest()
        .build());
    assertEquals(FetchFailure.IO_ERROR, fetchFails(fetcher().build()).failure());
  }

  @Test
  void stsFetch04_expiredCertificateIsRefused() throws Exception {
    int before = requests();
    server.host(HOST).certificate(ca.leaf(HOST).expired().build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.CERTIFICATE_EXPIRED, e.failure(), e.getMessage());
    assertEquals(ResultType.STS_WEBPKI_INVALID, e.failure().resultType());
    assertEquals(before, requests(), "no HTTP request over an untrusted connection");
  }

  @Test
  void stsFetch04_untrustedCertificatesAreRefused() throws Exception {
    int before = requests();
    server.host(HOST).certificate(ca.leaf(HOST).selfSigned().build());
    assertEquals(FetchFailure.CERTIFICATE_UNTRUSTED, fetchFails(fetcher().build()).failure());
    server.host(HOST).certificate(ca.leaf(HOST).notYetValid().build());
    assertEquals(FetchFailure.CERTIFICATE_UNTRUSTED, fetchFails(fetcher().build()).failure());
    server.host(HOST).certificate(TestCertificateAuthority.create("Other Root").issue(HOST));
    assertEquals(FetchFailure.CERTIFICATE_UNTRUSTED, fetchFails(fetcher().build()).failure());
    assertEquals(before, requests(), "no HTTP request over an untrusted connection");
  }

  @ParameterizedTest(name = "STS-FETCH-03 certificate for ''{0}'' is not valid for the policy host")
  @ValueSource(strings = {"example.com", "mta-sts.provider.example", "m*.example.com",
      "*.*.example.com", "other.example.com"})
  void stsFetch03_certificateMustNameThePolicyHost(String name) throws Exception {
    server.host(HOST).certificate(ca.issue(name));
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.CERTIFICATE_HOST_MISMATCH, e.failure(), e.getMessage());
    assertEquals(ResultType.STS_WEBPKI_INVALID, e.failure().resultType());
  }

  @Test
  void stsFetch03_commonNameWithoutSanIsRefused() throws Exception {
    server.host(HOST).certificate(ca.leaf(HOST).withoutSubjectAlternativeNames().build());
    assertEquals(
        FetchFailure.CERTIFICATE_HOST_MISMATCH, fetchFails(fetcher().build()).failure());
  }

  @Test
  void stsFetch03_wildcardForTheWholeLeftmostLabelIsAccepted() throws Exception {
    server.host(HOST).certificate(ca.issue("*.example.com"));
    assertEquals(Mode.ENFORCE, fetch(fetcher().build()).policy().mode());
  }

  @ParameterizedTest(name = "STS-FETCH-07 D-04 server offering only {0} is refused")
  @ValueSource(strings = {"LEGACY_TLS_1_0", "LEGACY_TLS_1_1"})
  void stsFetch07_tlsOlderThan12IsRefused(String fault) throws Exception {
    server.host(HOST).tlsFault(TlsFault.valueOf(fault));
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.TLS_HANDSHAKE_FAILED, e.failure(), e.getMessage());
  }

  @Test
  void stsFetch07_tls12OnlyServerIsAccepted() throws Exception {
    server.host(HOST).tlsProtocols("TLSv1.2");
    assertEquals("TLSv1.2", fetch(fetcher().build()).tlsVersion().orElseThrow());
  }

  @Test
  void stsFetch17_invalidUtf8IsAnInvalidPolicy() throws Exception {
    byte[] body = (POLICY + "note: \u00ff\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    body[body.length - 3] = (byte) 0xff;
    server.host(HOST).respond(PolicyResponse.builder().body(body).build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.INVALID_ENCODING, e.failure());
    assertEquals(ResultType.STS_POLICY_INVALID, e.failure().resultType());
  }

  @Test
  void invalidPolicyBodyIsASyntaxFailureNamingTheLine() throws Exception {
    server.host(HOST).respond(
        PolicyResponse.policy("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n"));
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.POLICY_SYNTAX, e.failure());
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void d33_privateAddressesAreRefusedByDefaultWithoutConnecting() throws Exception {
    int connections = server.connectionCount(HOST);
    PolicyFetchException e =
        fetchFails(
            OkHttpPolicyFetcher.builder()
                .hostResolver(
                    HostResolver.overriding(Map.of(HOST, server.address()), HostResolver.none()))
                .trustManager(ca.trustManager())
                .build());
    assertEquals(FetchFailure.ADDRESS_REFUSED, e.failure());
    assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
    assertTrue(e.getMessage().contains("allow private addresses"), e.getMessage());
    assertEquals(connections, server.connectionCount(HOST), "never connected");
  }

  @Test
  void unknownPolicyHostIsADnsFailure() throws Exception {
    PolicyFetchException e =
        fetchFails(OkHttpPolicyFetcher.builder().hostResolver(HostResolver.none()).build());
    assertEquals(FetchFailure.DNS_FAILURE, e.failure());
    assertEquals(ResultType.STS_POLICY_FETCH_ERROR, e.failure().resultType());
  }

  @Test
  void refusedConnectionIsAConnectFailure() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    InetSocketAddress closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort);
    PolicyFetchException e =
        fetchFails(
            fetcher()
                .hostResolver(HostResolver.overriding(Map.of(HOST, closed), HostResolver.none()))
                .build());
    assertEquals(FetchFailure.CONNECT_FAILED, e.failure(), e.getMessage());
  }

  @Test
  void stsFetch02_neverSpeaksPlainHttp() throws Exception {
    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Integer> firstByte =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket socket = plain.accept()) {
                  InputStream in = socket.getInputStream();
                  int b = in.read();
                  socket.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\n".getBytes());
                  return b;
                } catch (IOException e) {
                  return -2;
                }
              });
      PolicyFetchException e =
          fetchFails(
              fetcher()
                  .hostResolver(
                      HostResolver.overriding(
                          Map.of(HOST, (InetSocketAddress) plain.getLocalSocketAddress()),
                          HostResolver.none()))
                  .build());
      assertEquals(0x16, firstByte.get(10, TimeUnit.SECONDS), "a TLS handshake record, not GET");
      assertInstanceOf(PolicyFetchException.class, e);
      assertFalse(e.failure() == FetchFailure.POLICY_SYNTAX);
    }
  }

  @Test
  void resolvesThePolicyHostThroughTheLibrarysDnsClient() throws Exception {
    try (TestDnsServer dns = new TestDnsServer().start()) {
      dns.a(HOST, "127.0.0.1");
      DnsClient client = DnsClient.builder().server(dns.address()).build();
      HostResolver viaDns = HostResolver.dns(client);
      // The address comes from DNS; only the port is moved to the test server's.
      HostResolver resolver =
          (host, port) ->
              viaDns.resolve(host, port).stream()
                  .map(a -> new InetSocketAddress(a.getAddress(), server.port()))
                  .toList();
      FetchedPolicy fetched = fetch(fetcher().hostResolver(resolver).build());
      assertEquals(Mode.ENFORCE, fetched.policy().mode());
      assertEquals(1, dns.queryCount(HOST, "A"));
    }
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }

  // ---- issue 12 item 4: the policy host's text is made printable (SEC-20) ---------------------

  /** No CR, LF, ESC or other control character in the text, nor anywhere in the cause chain. */
  private static void assertPrintable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertPrintable(String.valueOf(t.getMessage()));
    }
  }

  private static void assertPrintable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      assertTrue(c >= 0x20 && c != 0x7f, String.format("U+%04X at %d in: %s", (int) c, i, text));
    }
  }

  @Test
  void item04_hostileLocationHeader_printableInTheFailure_SEC_20() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().status(301)
        .rawHeaderLine("Location: https://x.example/\r\u001b[2J\u001b[31mWARN forged line")
        .build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.REDIRECT_REFUSED, e.failure());
    assertPrintable(e);
    assertTrue(e.getMessage().contains(
        "redirecting to https://x.example/\\u000d\\u001b[2J\\u001b[31mWARN forged line"),
        e.getMessage());
  }

  @Test
  void item04_locationHeaderWithLineFeed_isCutThereAndPrintable_SEC_20() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().status(302)
        .rawHeaderLine("Location: https://x.example/a\u001b\nX-Forged: \u001b]0;title\u0007")
        .build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.REDIRECT_REFUSED, e.failure());
    assertPrintable(e);
    assertTrue(e.getMessage().contains("https://x.example/a\\u001b;"), e.getMessage());
  }

  @Test
  void item04_hostileContentType_printableInTheFailure_SEC_20() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().body(POLICY).noContentType()
        .rawHeaderLine("Content-Type: text/html\r\u001b[31m\u0000").build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.MEDIA_TYPE, e.failure());
    assertPrintable(e);
    assertTrue(e.getMessage().contains("text/html\\u000d\\u001b[31m\\u0000"), e.getMessage());
  }

  @Test
  void item04_acceptedContentTypeWithControlCharacters_printableInTheResult_SEC_20()
      throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().body(POLICY).noContentType()
        .rawHeaderLine("Content-Type: text/plain; x=\"\u001b[31m\rx\"").build());
    FetchedPolicy fetched = fetch(fetcher().build());
    assertEquals("text/plain; x=\"\\u001b[31m\\u000dx\"", fetched.contentType().orElseThrow());
  }

  @Test
  void item04_malformedStatusLine_printableInTheFailureAndItsCauses_SEC_20() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().body(POLICY)
        .rawStatusLine("HTTP/1.1 2\u001b[31m00 OK\rINFO forged").build());
    PolicyFetchException e = fetchFails(fetcher().build());
    assertEquals(FetchFailure.IO_ERROR, e.failure());
    assertPrintable(e);
    assertTrue(e.getMessage().contains("2\\u001b[31m00 OK\\u000dINFO forged"), e.getMessage());
  }
}
