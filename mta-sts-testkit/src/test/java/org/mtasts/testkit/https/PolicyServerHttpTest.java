package org.mtasts.testkit.https;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * Each HTTP behaviour of the policy server, checked on the wire: with the JDK {@link HttpClient}
 * (which sends SNI {@code localhost}, so those tests use host {@code localhost}) and with {@link
 * WireClient}, which shows the raw bytes.
 */
class PolicyServerHttpTest {
  private static final TestCertificateAuthority CA = TestCertificateAuthority.create("HTTP Root");
  private static final String HOST = "mta-sts.example.com";
  private static final String POLICY = PolicyResponse.SAMPLE_POLICY;
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .sslContext(CA.clientContext())
          .followRedirects(HttpClient.Redirect.NEVER)
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private PolicyServer server;

  @BeforeEach
  void start() throws IOException {
    server = PolicyServer.create(CA).start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> httpGet(String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.policyUri("localhost")).timeout(Duration.ofSeconds(5));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void policy_is_served_with_200_and_text_plain() throws Exception {
    server.host("localhost").servePolicy(POLICY);

    HttpResponse<String> response = httpGet();

    assertEquals(200, response.statusCode());
    assertEquals(POLICY, response.body());
    assertEquals(Optional.of("text/plain"), response.headers().firstValue("Content-Type"));
    assertEquals(Optional.of("close"), response.headers().firstValue("Connection"));

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), "localhost");
    assertEquals("HTTP/1.1 200 OK", wire.statusLine());
    assertEquals(
        List.of("Content-Type", "Content-Length", "Connection"),
        wire.headers().stream().map(HttpHeader::name).toList());
    assertEquals(Optional.of(Integer.toString(POLICY.length())), wire.header("Content-Length"));
    assertEquals(POLICY, wire.bodyText());
  }

  @Test
  void missing_content_type_is_really_absent() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().body(POLICY).noContentType().build());

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), HOST);

    assertEquals(200, wire.status());
    assertTrue(wire.headerValues("Content-Type").isEmpty(), wire.headers().toString());
    assertEquals(POLICY, wire.bodyText());
  }

  @Test
  void content_type_and_extra_headers_are_sent_as_set() throws Exception {
    server
        .host(HOST)
        .respond(
            PolicyResponse.builder()
                .body(POLICY)
                .contentType("text/plain; charset=utf-16")
                .header("Cache-Control", "max-age=60")
                .header("ETag", "\"v1\"")
                .build());

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), HOST);

    assertEquals(List.of("text/plain; charset=utf-16"), wire.headerValues("Content-Type"));
    assertEquals(Optional.of("max-age=60"), wire.header("Cache-Control"));
    assertEquals(Optional.of("\"v1\""), wire.header("ETag"));
  }

  @ParameterizedTest(name = "status {0} (RFC 8461 §3.3: only 200 is a policy)")
  @ValueSource(ints = {201, 203, 204, 206, 304, 404, 410, 500, 503})
  void any_status_is_sent(int status) throws Exception {
    server.host("localhost").respond(PolicyResponse.builder().status(status).body("").build());

    assertEquals(status, httpGet().statusCode());
    WireClient.Response wire = WireClient.get(server, CA.clientContext(), "localhost");
    assertEquals(status, wire.status());
  }

  @Test
  void no_content_length_on_204() throws Exception {
    server.host(HOST).respond(PolicyResponse.status(204));

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), HOST);

    assertEquals("HTTP/1.1 204 No Content", wire.statusLine());
    assertTrue(wire.header("Content-Length").isEmpty(), wire.headers().toString());
    assertEquals(0, wire.body().length);
  }

  @Test
  void http2_preferring_client_falls_back_to_http_1_1() throws Exception {
    server.host("localhost").servePolicy(POLICY);
    HttpClient http2 =
        HttpClient.newBuilder()
            .sslContext(CA.clientContext())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    HttpResponse<String> response =
        http2.send(
            HttpRequest.newBuilder(server.policyUri("localhost")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertEquals(HttpClient.Version.HTTP_1_1, response.version());
    assertEquals(POLICY, response.body());
  }

  @ParameterizedTest(name = "redirect {0} is sent and not followed by the server (§3.3)")
  @ValueSource(ints = {301, 302, 307, 308})
  void redirect_carries_location_and_nothing_follows(int status) throws Exception {
    String location = "https://mta-sts.attacker.example/.well-known/mta-sts.txt?x";
    server.host("localhost").respond(PolicyResponse.redirect(status, location));

    HttpResponse<String> response = httpGet();

    assertEquals(status, response.statusCode());
    assertEquals(Optional.of(location), response.headers().firstValue("Location"));
    assertEquals(1, server.requestCount());
    assertEquals(1, server.requestCount("localhost"));
    assertEquals(0, server.requestCount("mta-sts.attacker.example"));
  }

  @Test
  void unknown_path_gets_404_and_other_methods_405() throws Exception {
    server.host(HOST).servePolicy(POLICY);

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      WireClient.sendGet(ssl, HOST, PolicyServer.POLICY_PATH + "?x");
      assertEquals(404, WireClient.readAll(ssl).status());
    }
    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      WireClient.send(ssl, "POST", HOST, PolicyServer.POLICY_PATH);
      WireClient.Response wire = WireClient.readAll(ssl);
      assertEquals(405, wire.status());
      assertEquals(Optional.of("GET, HEAD"), wire.header("Allow"));
    }
    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      WireClient.send(ssl, "HEAD", HOST, PolicyServer.POLICY_PATH);
      WireClient.Response wire = WireClient.readAll(ssl);
      assertEquals(200, wire.status());
      assertEquals(Optional.of(Integer.toString(POLICY.length())), wire.header("Content-Length"));
      assertEquals(0, wire.body().length);
    }
    assertEquals(
        List.of("/.well-known/mta-sts.txt?x", PolicyServer.POLICY_PATH, PolicyServer.POLICY_PATH),
        server.requests(HOST).stream().map(RecordedRequest::target).toList());
    assertEquals("/.well-known/mta-sts.txt", server.requests(HOST).get(0).path());
  }

  @Test
  void huge_body_has_honest_length_and_looks_like_a_policy() throws Exception {
    int size = 1 << 20;
    server.host(HOST).respond(PolicyResponse.builder().paddedBody(POLICY, size).build());

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), HOST);

    assertEquals(Optional.of(Integer.toString(size)), wire.header("Content-Length"));
    assertEquals(size, wire.body().length);
    String text = wire.bodyText();
    assertTrue(text.startsWith(POLICY));
    assertTrue(text.endsWith("x\n"));
    assertTrue(text.substring(POLICY.length()).lines().allMatch(l -> l.matches("filler: x+")));
  }

  @Test
  void lying_short_content_length_hides_a_megabyte() throws Exception {
    server
        .host(HOST)
        .respond(PolicyResponse.builder().paddedBody(POLICY, 1 << 20).contentLength(100).build());

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), HOST);

    assertEquals(List.of("100"), wire.headerValues("Content-Length"));
    assertEquals(1 << 20, wire.body().length);
  }

  @Test
  void lying_long_content_length_ends_in_a_truncated_body() throws Exception {
    server
        .host("localhost")
        .respond(PolicyResponse.builder().body(POLICY).contentLength(1000).build());

    IOException failure = assertThrows(IOException.class, this::httpGet);
    assertTrue(failure.getMessage() != null, failure.toString());

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), "localhost");
    assertEquals(Optional.of("1000"), wire.header("Content-Length"));
    assertEquals(POLICY, wire.bodyText());
  }

  @Test
  void chunked_body_is_framed_in_chunks() throws Exception {
    int size = 100_000;
    server.host(HOST).respond(PolicyResponse.builder().paddedBody(POLICY, size).chunked().build());

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), HOST);

    assertEquals(Optional.of("chunked"), wire.header("Transfer-Encoding"));
    assertTrue(wire.header("Content-Length").isEmpty());
    byte[] decoded = WireClient.dechunk(wire.body());
    assertEquals(size, decoded.length);
    assertTrue(wire.body().length > size, "chunk framing adds bytes");
    assertArrayEquals(
        PolicyResponse.builder().paddedBody(POLICY, size).build().bodyBytes(), decoded);

    server.host("localhost").respond(PolicyResponse.builder().body(POLICY).chunked().build());
    assertEquals(POLICY, httpGet().body());
  }

  @Test
  void close_delimited_body_has_no_length() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().body(POLICY).closeDelimited().build());

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), HOST);

    assertTrue(wire.header("Content-Length").isEmpty());
    assertTrue(wire.header("Transfer-Encoding").isEmpty());
    assertEquals(POLICY, wire.bodyText());
  }

  @Test
  void gzip_bomb_inflates_to_ten_mebibytes() throws Exception {
    int inflated = 10 << 20;
    server.host(HOST).respond(PolicyResponse.gzipBomb(inflated));

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), HOST);

    assertEquals(Optional.of("gzip"), wire.header("Content-Encoding"));
    assertEquals(Optional.of(Integer.toString(wire.body().length)), wire.header("Content-Length"));
    assertTrue(wire.body().length < 100_000, "compressed: " + wire.body().length);
    byte[] plain = gunzip(wire.body());
    assertEquals(inflated, plain.length);
    assertTrue(new String(plain, 0, POLICY.length(), StandardCharsets.UTF_8).equals(POLICY));
  }

  @Test
  void gzip_only_when_accept_encoding_allows_it() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().body(POLICY).gzip().build());

    WireClient.Response identity = WireClient.get(server, CA.clientContext(), HOST);
    assertTrue(identity.header("Content-Encoding").isEmpty());
    assertEquals(POLICY, identity.bodyText());

    WireClient.Response refused =
        WireClient.get(server, CA.clientContext(), HOST, "Accept-Encoding: gzip;q=0, identity");
    assertTrue(refused.header("Content-Encoding").isEmpty());

    WireClient.Response gzipped =
        WireClient.get(server, CA.clientContext(), HOST, "Accept-Encoding: br, gzip");
    assertEquals(Optional.of("gzip"), gzipped.header("Content-Encoding"));
    assertEquals(POLICY, new String(gunzip(gzipped.body()), StandardCharsets.UTF_8));
  }

  @Test
  void trickling_body_delivers_first_bytes_then_stalls() throws Exception {
    server
        .host(HOST)
        .respond(
            PolicyResponse.builder().body(POLICY).trickleBody(4, Duration.ofSeconds(30)).build());

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      WireClient.sendGet(ssl, HOST, PolicyServer.POLICY_PATH);
      InputStream in = ssl.getInputStream();
      WireClient.Response head = WireClient.readHead(in);
      assertEquals(Optional.of(Integer.toString(POLICY.length())), head.header("Content-Length"));
      byte[] first = in.readNBytes(4);
      assertEquals("vers", new String(first, StandardCharsets.US_ASCII));
      ssl.setSoTimeout(300);
      assertThrows(SocketTimeoutException.class, in::read, "body must still be incomplete");
      WireClient.abandon(ssl);
    }
  }

  @Test
  void trickling_response_delays_even_the_status_line() throws Exception {
    server
        .host(HOST)
        .respond(
            PolicyResponse.builder()
                .body(POLICY)
                .trickleResponse(1, Duration.ofSeconds(30))
                .build());

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      WireClient.sendGet(ssl, HOST, PolicyServer.POLICY_PATH);
      InputStream in = ssl.getInputStream();
      assertEquals('H', in.read());
      ssl.setSoTimeout(300);
      assertThrows(SocketTimeoutException.class, in::read);
      WireClient.abandon(ssl);
    }
  }

  @Test
  void slow_headers_arrive_after_the_delay() throws Exception {
    server
        .host(HOST)
        .respond(
            PolicyResponse.builder().body(POLICY).headersDelay(Duration.ofSeconds(30)).build());
    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      WireClient.sendGet(ssl, HOST, PolicyServer.POLICY_PATH);
      ssl.setSoTimeout(300);
      assertThrows(SocketTimeoutException.class, () -> ssl.getInputStream().read());
      WireClient.abandon(ssl);
    }

    server
        .host(HOST)
        .respond(
            PolicyResponse.builder().body(POLICY).headersDelay(Duration.ofMillis(200)).build());
    long start = System.nanoTime();
    WireClient.Response wire = WireClient.get(server, CA.clientContext(), HOST);
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos());
    assertEquals(POLICY, wire.bodyText());
  }

  @Test
  void endless_body_never_ends_and_close_stops_it() throws Exception {
    server
        .host(HOST)
        .respond(
            PolicyResponse.builder()
                .endlessBody(POLICY)
                .trickleBody(16, Duration.ofMillis(20))
                .build());

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      WireClient.sendGet(ssl, HOST, PolicyServer.POLICY_PATH);
      InputStream in = ssl.getInputStream();
      assertEquals(Optional.of("chunked"), WireClient.readHead(in).header("Transfer-Encoding"));
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      long deadline = System.nanoTime() + Duration.ofMillis(400).toNanos();
      byte[] buffer = new byte[256];
      while (System.nanoTime() < deadline) {
        int n = in.read(buffer);
        assertTrue(n > 0, "the body must not end");
        received.write(buffer, 0, n);
      }
      String text = received.toString(StandardCharsets.ISO_8859_1);
      assertTrue(received.size() >= 64, "bytes keep coming: " + received.size());
      assertFalse(text.contains("\r\n0\r\n\r\n"), "no last chunk");

      long closeStart = System.nanoTime();
      server.close();
      Duration closing = Duration.ofNanos(System.nanoTime() - closeStart);
      assertTrue(closing.compareTo(Duration.ofSeconds(1)) < 0, "close() took " + closing);
      ssl.setSoTimeout(2000);
      try {
        while (in.read(buffer) >= 0) {
          // drain what was in flight until the connection ends
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("connection still open after close()", e);
      } catch (IOException expected) {
        // ended without close_notify: also an end
      }
    }
  }

  @Test
  void endless_fast_body_streams_megabytes() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().endlessBody(POLICY).build());

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      WireClient.sendGet(ssl, HOST, PolicyServer.POLICY_PATH);
      InputStream in = ssl.getInputStream();
      WireClient.readHead(in);
      byte[] twoMegabytes = in.readNBytes(2 << 20);
      assertEquals(2 << 20, twoMegabytes.length);
    }
  }

  @Test
  void disconnect_after_headers_truncates_the_response() throws Exception {
    server
        .host("localhost")
        .respond(PolicyResponse.builder().body(POLICY).disconnectAfterHeaders().build());

    assertThrows(IOException.class, this::httpGet);

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), "localhost");
    assertEquals(Optional.of(Integer.toString(POLICY.length())), wire.header("Content-Length"));
    assertEquals(0, wire.body().length);
  }

  @Test
  void disconnect_after_body_bytes_truncates_the_body() throws Exception {
    server
        .host("localhost")
        .respond(PolicyResponse.builder().body(POLICY).disconnectAfterBodyBytes(10).build());

    assertThrows(IOException.class, this::httpGet);

    WireClient.Response wire = WireClient.get(server, CA.clientContext(), "localhost");
    assertEquals(POLICY.substring(0, 10), wire.bodyText());

    server
        .host(HOST)
        .respond(
            PolicyResponse.builder().body(POLICY).chunked().disconnectAfterBodyBytes(10).build());
    WireClient.Response chunked = WireClient.get(server, CA.clientContext(), HOST);
    assertEquals("a\r\n" + POLICY.substring(0, 10) + "\r\n", chunked.bodyText());
  }

  @Test
  void disconnect_after_handshake_reads_no_request() throws Exception {
    server.host(HOST).respond(PolicyResponse.builder().disconnectAfterHandshake().build());

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      assertEquals(-1, ssl.getInputStream().read());
    }
    assertTrue(server.awaitConnectionCount(HOST, 1, Duration.ofSeconds(2)));
    assertTrue(server.connections(HOST).get(0).handshakeCompleted());
    assertEquals(0, server.requestCount(HOST));
  }

  @Test
  void disconnect_after_request_records_it_and_sends_nothing() throws Exception {
    server
        .host(HOST)
        .respond(PolicyResponse.builder().body(POLICY).disconnectAfterRequest().build());

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      WireClient.sendGet(ssl, HOST, PolicyServer.POLICY_PATH);
      assertEquals(0, ssl.getInputStream().readAllBytes().length);
    }
    assertEquals(1, server.requestCount(HOST));
  }

  @Test
  void queued_responses_come_first_then_the_standing_one() throws Exception {
    server
        .host(HOST)
        .servePolicy(POLICY)
        .enqueue(PolicyResponse.status(500))
        .enqueue(PolicyResponse.builder().disconnectAfterHandshake().build())
        .enqueue(PolicyResponse.status(503));

    assertEquals(500, WireClient.get(server, CA.clientContext(), HOST).status());
    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      assertEquals(-1, ssl.getInputStream().read());
    }
    assertEquals(503, WireClient.get(server, CA.clientContext(), HOST).status());
    assertEquals(200, WireClient.get(server, CA.clientContext(), HOST).status());
    assertEquals(200, WireClient.get(server, CA.clientContext(), HOST).status());
    assertEquals(4, server.requestCount(HOST));
  }

  @Test
  void requests_are_recorded_with_every_header_in_order() throws Exception {
    server.host("localhost").servePolicy(POLICY);

    httpGet("User-Agent", "mta-sts-java-test/1");

    assertTrue(server.awaitRequestCount("localhost", 1, Duration.ofSeconds(2)));
    RecordedRequest request = server.requests().get(0);
    assertEquals("GET", request.method());
    assertEquals(PolicyServer.POLICY_PATH, request.target());
    assertEquals("HTTP/1.1", request.version());
    assertEquals("localhost", request.host());
    assertEquals(Optional.of("localhost"), request.sni());
    assertEquals(Optional.of("localhost:" + server.port()), request.hostHeader());
    assertEquals(Optional.of("mta-sts-java-test/1"), request.header("user-agent"));
    assertTrue(request.header("If-None-Match").isEmpty());
    assertTrue(request.header("If-Modified-Since").isEmpty());
    assertTrue(request.tlsProtocol().startsWith("TLSv1."));

    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), "localhost", true)) {
      WireClient.sendGet(ssl, "localhost", PolicyServer.POLICY_PATH, "X-B: 2", "X-A: 1", "x-b: 3");
      WireClient.readAll(ssl);
    }
    RecordedRequest raw = server.requests("localhost").get(1);
    assertEquals(
        List.of("Host", "X-B", "X-A", "x-b"),
        raw.headers().stream().map(HttpHeader::name).toList());
    assertEquals(List.of("2", "3"), raw.headers("X-B"));
    assertEquals(2, server.requestCount("LOCALHOST."));
    assertEquals(2, server.requestCount());

    server.resetRecordings();
    assertEquals(0, server.requestCount());
    assertTrue(server.connections().isEmpty());
    assertFalse(server.awaitRequestCount("localhost", 1, Duration.ofMillis(50)));
  }

  @Test
  void malformed_request_gets_400() throws Exception {
    server.host(HOST);
    try (SSLSocket ssl = WireClient.open(server, CA.clientContext(), HOST, true)) {
      ssl.getOutputStream().write("NONSENSE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(400, WireClient.readAll(ssl).status());
    }
    assertEquals(0, server.requestCount());
  }

  @Test
  void behaviour_changes_while_running() throws Exception {
    PolicyHost host = server.host(HOST);
    assertEquals(404, WireClient.get(server, CA.clientContext(), HOST).status());
    host.servePolicy(POLICY);
    assertEquals(200, WireClient.get(server, CA.clientContext(), HOST).status());
    host.respond(PolicyResponse.status(500));
    assertEquals(500, WireClient.get(server, CA.clientContext(), HOST).status());
    host.reset();
    assertEquals(404, WireClient.get(server, CA.clientContext(), HOST).status());
    assertEquals(4, host.requestCount());
    assertEquals(4, host.connectionCount());
  }

  private static byte[] gunzip(byte[] gzipped) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      return in.readAllBytes();
    }
  }
}
