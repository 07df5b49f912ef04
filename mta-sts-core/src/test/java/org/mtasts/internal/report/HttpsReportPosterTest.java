package org.mtasts.internal.report;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mtasts.report.ReportDeliveryException;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * The HTTPS report POST (RFC 8460 §5.4) against WireMock over real TLS with a certificate from a
 * testkit CA: what counts as accepted, redirects (D-29), timeouts, faults, the address guard.
 */
class HttpsReportPosterTest {
  static final String JSON = "{\"organization-name\":\"Sender\",\"policies\":[]}";

  @TempDir static Path dir;
  static TestCertificateAuthority ca;
  static ReportEndpoint endpoint;

  @BeforeAll
  static void start() {
    ca = TestCertificateAuthority.create("Report Test CA");
    endpoint = ReportEndpoint.start(ca, "reports.example", dir);
  }

  @AfterAll
  static void stop() {
    endpoint.close();
  }

  @BeforeEach
  void reset() {
    endpoint.server.resetAll();
  }

  static HttpsReportPoster.Builder poster() {
    return HttpsReportPoster.builder()
        .hostResolver(endpoint.resolver())
        .trustManager(ca.trustManager())
        .allowPrivateAddresses(true)
        .deadline(Duration.ofSeconds(10));
  }

  static byte[] gzip(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @ParameterizedTest(name = "HTTP {0} = accepted (TLSRPT-DEL-08)")
  @ValueSource(ints = {200, 201, 202, 204})
  void twoHundreds_accepted_TLSRPT_DEL_08(int status) throws Exception {
    endpoint.server.stubFor(post(urlEqualTo("/v1/tlsrpt")).willReturn(aResponse().withStatus(status)));
    int got = poster().build().post(URI.create(endpoint.uri("/v1/tlsrpt")), gzip(JSON));
    assertEquals(status, got);
  }

  @Test
  void recordedBody_isAGzipOfValidJson_withTheReportMediaType_TLSRPT_DEL_02_TLSRPT_DEL_08()
      throws Exception {
    endpoint.server.stubFor(post(urlEqualTo("/v1/tlsrpt")).willReturn(aResponse().withStatus(200)));
    byte[] gz = gzip(JSON);
    poster().build().post(URI.create(endpoint.uri("/v1/tlsrpt")), gz);

    endpoint.server.verify(1, postRequestedFor(urlEqualTo("/v1/tlsrpt"))
        .withHeader("Content-Type", equalTo("application/tlsrpt+gzip")));
    LoggedRequest request = endpoint.server.findAll(postRequestedFor(anyUrl())).get(0);
    assertFalse(request.containsHeader("Content-Encoding"), "the body is the gzip file itself");
    // WireMock hands out a gzip body (recognised by its magic bytes) already inflated; the
    // length on the wire is that of the gzip file.
    assertEquals(String.valueOf(gz.length), request.getHeader("Content-Length"));
    assertEquals(JSON, new String(gunzip(gz), StandardCharsets.UTF_8));
    JsonNode report = new ObjectMapper().readTree(request.getBody());
    assertEquals(JSON, request.getBodyAsString());
    assertEquals("Sender", report.get("organization-name").asText());
    assertTrue(report.get("policies").isArray());
  }

  @ParameterizedTest(name = "HTTP {0} with Location is a failure, not followed (D-29)")
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void redirect_isAFailure_andNotFollowed_D_29(int status) {
    endpoint.server.stubFor(post(urlEqualTo("/v1/tlsrpt")).willReturn(
        aResponse().withStatus(status).withHeader("Location", endpoint.uri("/elsewhere"))));
    ReportDeliveryException e = assertThrows(ReportDeliveryException.class,
        () -> poster().build().post(URI.create(endpoint.uri("/v1/tlsrpt")), gzip(JSON)));
    assertTrue(e.getMessage().contains("HTTP " + status), e.getMessage());
    assertTrue(e.getMessage().contains("D-29"), e.getMessage());
    assertEquals(1, endpoint.server.getAllServeEvents().size(), "no second request");
    endpoint.server.verify(0, postRequestedFor(urlEqualTo("/elsewhere")));
  }

  @ParameterizedTest(name = "HTTP {0} is a failure (TLSRPT-DEL-08)")
  @ValueSource(ints = {400, 404, 413, 500, 503})
  void otherStatus_isAFailure_TLSRPT_DEL_08(int status) {
    endpoint.server.stubFor(post(urlEqualTo("/v1/tlsrpt"))
        .willReturn(aResponse().withStatus(status).withBody("try later")));
    ReportDeliveryException e = assertThrows(ReportDeliveryException.class,
        () -> poster().build().post(URI.create(endpoint.uri("/v1/tlsrpt")), gzip(JSON)));
    assertTrue(e.getMessage().contains("answered HTTP " + status + ": try later"), e.getMessage());
  }

  @Test
  void hostileErrorBody_quotedPrintableAndShort_SEC_20() {
    String hostile = "bad\r\nX-Injected: yes\u001b[31m" + "x".repeat(1_000_000);
    endpoint.server.stubFor(post(urlEqualTo("/v1/tlsrpt"))
        .willReturn(aResponse().withStatus(500).withBody(hostile)));
    ReportDeliveryException e = assertThrows(ReportDeliveryException.class,
        () -> poster().build().post(URI.create(endpoint.uri("/v1/tlsrpt")), gzip(JSON)));
    assertFalse(e.getMessage().contains("\r") || e.getMessage().contains("\n")
        || e.getMessage().contains("\u001b"), e.getMessage());
    assertTrue(e.getMessage().length() < 400, e.getMessage());
  }

  @Test
  void delayPastTheDeadline_failsAsTimeout_noHang() {
    endpoint.server.stubFor(post(urlEqualTo("/v1/tlsrpt"))
        .willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
    HttpsReportPoster poster = poster().deadline(Duration.ofMillis(500)).build();
    ReportDeliveryException e = assertTimeoutPreemptively(Duration.ofSeconds(4),
        () -> assertThrows(ReportDeliveryException.class,
            () -> poster.post(URI.create(endpoint.uri("/v1/tlsrpt")), gzip(JSON))));
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
  }

  @Test
  void connectionReset_isAFailure() {
    endpoint.server.stubFor(post(urlEqualTo("/v1/tlsrpt"))
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    ReportDeliveryException e = assertThrows(ReportDeliveryException.class,
        () -> poster().build().post(URI.create(endpoint.uri("/v1/tlsrpt")), gzip(JSON)));
    assertTrue(e.getMessage().startsWith("posting to https://reports.example/v1/tlsrpt failed"),
        e.getMessage());
  }

  @ParameterizedTest(name = "{0} instead of a status is a failure")
  @EnumSource(value = Fault.class, names = {"EMPTY_RESPONSE", "RANDOM_DATA_THEN_CLOSE"})
  void noStatus_isAFailure(Fault fault) {
    endpoint.server.stubFor(post(urlEqualTo("/v1/tlsrpt")).willReturn(aResponse().withFault(fault)));
    assertThrows(ReportDeliveryException.class,
        () -> poster().build().post(URI.create(endpoint.uri("/v1/tlsrpt")), gzip(JSON)));
  }

  @Test
  void loopbackEndpoint_refusedByTheAddressGuard_nothingSent_D_33_SEC_16() {
    endpoint.server.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200)));
    HttpsReportPoster guarded = HttpsReportPoster.builder()
        .hostResolver(endpoint.resolver())
        .trustManager(ca.trustManager())
        .build();
    ReportDeliveryException e = assertThrows(ReportDeliveryException.class,
        () -> guarded.post(URI.create(endpoint.uri("/v1/tlsrpt")), gzip(JSON)));
    assertTrue(e.getMessage().contains("127.0.0.1 (loopback address)"), e.getMessage());
    assertTrue(endpoint.server.getAllServeEvents().isEmpty());
  }

  @Test
  void certificateFromAnUnknownCa_refused_nothingPosted_SEC_23() {
    endpoint.server.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200)));
    HttpsReportPoster strict = HttpsReportPoster.builder()
        .hostResolver(endpoint.resolver())
        .trustManager(TestCertificateAuthority.create("Other CA").trustManager())
        .allowPrivateAddresses(true)
        .build();
    ReportDeliveryException e = assertThrows(ReportDeliveryException.class,
        () -> strict.post(URI.create(endpoint.uri("/v1/tlsrpt")), gzip(JSON)));
    assertTrue(e.getMessage().startsWith("TLS with reports.example failed"), e.getMessage());
    assertTrue(endpoint.server.getAllServeEvents().isEmpty());
  }

  @Test
  void certificateForAnotherName_refused_SEC_23() {
    endpoint.server.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200)));
    // The endpoint's certificate names reports.example, the URI another host mapped to it.
    HttpsReportPoster poster = HttpsReportPoster.builder()
        .hostResolver(org.mtasts.HostResolver.overriding(
            java.util.Map.of("other.example", endpoint.address()),
            org.mtasts.HostResolver.none()))
        .trustManager(ca.trustManager())
        .allowPrivateAddresses(true)
        .build();
    assertThrows(ReportDeliveryException.class,
        () -> poster.post(URI.create("https://other.example/v1/tlsrpt"), gzip(JSON)));
    assertTrue(endpoint.server.getAllServeEvents().isEmpty());
  }

  @Test
  void plainHttp_neverPosted_SEC_23() {
    ReportDeliveryException e = assertThrows(ReportDeliveryException.class,
        () -> poster().build().post(URI.create("http://reports.example/v1"), gzip(JSON)));
    assertTrue(e.getMessage().contains("not an https: URI"), e.getMessage());
  }

  @Test
  void unknownHost_isAFailure() {
    ReportDeliveryException e = assertThrows(ReportDeliveryException.class,
        () -> poster().build().post(URI.create("https://nowhere.example/"), gzip(JSON)));
    assertTrue(e.getMessage().startsWith("cannot resolve nowhere.example"), e.getMessage());
  }

  @Test
  void builderNeedsAResolver() {
    assertThrows(IllegalStateException.class, () -> HttpsReportPoster.builder().build());
    assertThrows(IllegalArgumentException.class,
        () -> HttpsReportPoster.builder().deadline(Duration.ZERO));
    assertThrows(NullPointerException.class,
        () -> poster().build().post(null, new byte[0]));
  }
}
