package org.mtasts.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mtasts.dns.DnsAnswer.Status;
import org.mtasts.testkit.dns.DnssecFault;
import org.mtasts.testkit.dns.TestDnsServer;

/**
 * DNSSEC for DANE end to end: the public builder's dnsjava client against the testkit's loopback
 * DNS server serving signed zones (a test root whose DS is the trust anchor, {@code example.com}
 * signed, {@code example.net} in no signed zone, so insecure), over real UDP/TCP sockets.
 */
class DnssecIntegrationTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final byte[] DATA =
      HexFormat.of().parseHex("0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6");
  private static final TlsaRecord EE = TlsaRecord.of(3, 1, 1, DATA);

  private TestDnsServer dns;

  @BeforeEach
  void world() throws Exception {
    dns = new TestDnsServer().clock(CLOCK).start();
    dns.signZone("example.com")
        .mx("example.com", 10, "mx1.example.com")
        .a("mx1.example.com", "192.0.2.25")
        .tlsa("_25._tcp.mx1.example.com", 3, 1, 1, DATA)
        .a("mx2.example.com", "192.0.2.26")
        .cname("_25._tcp.mx3.example.com", "_25._tcp.mx1.example.com")
        .cname("_25._tcp.mx4.example.com", "_25._tcp.mx.example.net")
        .tlsa("_25._tcp.mx.example.net", 3, 1, 1, DATA)
        .a("mx.example.net", "192.0.2.27");
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  private DnsClient.Builder builder() {
    return DnsClient.builder().server(dns.address()).timeout(Duration.ofSeconds(2)).clock(CLOCK);
  }

  private DnsClient validating() {
    return builder().dnssecTrustAnchors(dns.dnssecTrustAnchor()).build();
  }

  private DnsClient trustingAd() {
    return builder().trustResolverAd().build();
  }

  private static <T> T answer(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static DnsException failure(CompletionStage<?> stage) {
    CompletionException e =
        assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    return assertInstanceOf(DnsException.class, e.getCause());
  }

  @Test
  @DisplayName("STS-DANE-02: a TLSA RRset in a signed zone is secure (authenticated)")
  void tlsa_signedZone_secure_STS_DANE_02() {
    DnsAnswer<TlsaRecord> answer = answer(validating().tlsa("_25._tcp.mx1.example.com"));

    assertEquals(List.of(EE), answer.records());
    assertTrue(answer.authenticated());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: a TLSA RRset in no signed zone is insecure: used, not authenticated, no error")
  void tlsa_unsignedZone_insecure_STS_DANE_02() {
    DnsAnswer<TlsaRecord> answer = answer(validating().tlsa("_25._tcp.mx.example.net"));

    assertEquals(List.of(EE), answer.records());
    assertFalse(answer.authenticated());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DnssecFault.class)
  @DisplayName(
      "STS-DANE-03: a TLSA RRset whose signature is bad, expired or missing is bogus: the lookup"
          + " fails with DnssecValidationException, never an answer")
  void tlsa_bogus_fails_STS_DANE_03(DnssecFault fault) {
    dns.dnssecFault("_25._tcp.mx1.example.com", "TLSA", fault);

    DnsException e = failure(validating().tlsa("_25._tcp.mx1.example.com"));

    assertInstanceOf(DnssecValidationException.class, e, e.getMessage());
    assertEquals("TLSA", e.queryType());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: no TLSA record at a name of a signed zone is a secure denial: NODATA and"
          + " NXDOMAIN authenticated (NSEC)")
  void tlsa_secureDenial_STS_DANE_02() {
    DnsClient client = validating();
    dns.a("_25._tcp.mx2.example.com", "192.0.2.99");

    DnsAnswer<TlsaRecord> nodata = answer(client.tlsa("_25._tcp.mx2.example.com"));
    DnsAnswer<TlsaRecord> nxdomain = answer(client.tlsa("_25._tcp.nothing.example.com"));

    assertEquals(Status.NODATA, nodata.status());
    assertTrue(nodata.authenticated());
    assertEquals(Status.NXDOMAIN, nxdomain.status());
    assertTrue(nxdomain.authenticated());
  }

  @Test
  @DisplayName(
      "STS-DANE-03: a denial whose NSEC signature is broken is bogus, not 'no TLSA record'")
  void tlsa_bogusDenial_fails_STS_DANE_03() {
    dns.a("_25._tcp.mx2.example.com", "192.0.2.99");
    dns.dnssecFault("_25._tcp.mx2.example.com", "NSEC", DnssecFault.BAD_SIGNATURE);

    assertInstanceOf(
        DnssecValidationException.class, failure(validating().tlsa("_25._tcp.mx2.example.com")));
  }

  @Test
  @DisplayName(
      "STS-DANE-02: a TLSA name behind a CNAME is secure only if every link is: signed to signed"
          + " is, signed to an unsigned zone is not")
  void tlsa_cname_STS_DANE_02() {
    DnsClient client = validating();

    DnsAnswer<TlsaRecord> signed = answer(client.tlsa("_25._tcp.mx3.example.com"));
    DnsAnswer<TlsaRecord> toUnsigned = answer(client.tlsa("_25._tcp.mx4.example.com"));

    assertEquals(List.of(EE), signed.records());
    assertEquals("_25._tcp.mx1.example.com", signed.canonicalName());
    assertTrue(signed.authenticated());
    assertEquals(List.of(EE), toUnsigned.records());
    assertEquals("_25._tcp.mx.example.net", toUnsigned.canonicalName());
    assertFalse(toUnsigned.authenticated());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: MX and address answers of a signed zone are secure too; of an unsigned one not")
  void mxAndAddresses_STS_DANE_02() {
    DnsClient client = validating();

    assertTrue(answer(client.mx("example.com")).authenticated());
    assertTrue(answer(client.addresses("mx1.example.com")).authenticated());
    assertFalse(answer(client.addresses("mx.example.net")).authenticated());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: trusting the resolver's AD flag: set -> authenticated, not set -> insecure")
  void trustResolverAd_adBit_STS_DANE_02() {
    dns.adBit(true);
    DnsAnswer<TlsaRecord> withAd = answer(trustingAd().tlsa("_25._tcp.mx1.example.com"));
    DnsAnswer<TlsaRecord> unsignedZone = answer(trustingAd().tlsa("_25._tcp.mx.example.net"));
    dns.adBit(false);
    DnsAnswer<TlsaRecord> withoutAd = answer(trustingAd().tlsa("_25._tcp.mx1.example.com"));

    assertTrue(withAd.authenticated());
    assertFalse(unsignedZone.authenticated());
    assertEquals(List.of(EE), withoutAd.records());
    assertFalse(withoutAd.authenticated());
  }

  @Test
  @DisplayName(
      "STS-DANE-03: trusting the resolver's AD flag: bogus data, which the resolver answers with"
          + " SERVFAIL, fails the lookup")
  void trustResolverAd_bogus_servfail_STS_DANE_03() {
    dns.adBit(true).dnssecFault("_25._tcp.mx1.example.com", "TLSA", DnssecFault.BAD_SIGNATURE);

    assertInstanceOf(
        DnsServerFailureException.class, failure(trustingAd().tlsa("_25._tcp.mx1.example.com")));
  }

  @Test
  @DisplayName(
      "STS-DANE-02: the probe with the test root's anchor says AVAILABLE; with the server"
          + " stripping DNSSEC, UNAVAILABLE 'resolver does not return DNSSEC records'")
  void probe_anchors_STS_DANE_02() {
    DnssecSupport available = answer(validating().dnssecSupport());
    dns.stripDnssec(true);
    DnssecSupport stripped = answer(validating().dnssecSupport());

    assertEquals(DnssecSupport.Status.AVAILABLE, available.status(), available.reason());
    assertTrue(dns.queryCount(".", "DNSKEY") > 0);
    assertEquals(DnssecSupport.Status.UNAVAILABLE, stripped.status());
    assertTrue(
        stripped.reason().startsWith("resolver does not return DNSSEC records"),
        stripped.reason());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: the built-in IANA root anchors do not validate the test root: UNAVAILABLE,"
          + " naming the anchors, not the resolver")
  void probe_rootAnchorsAgainstTestRoot_unavailable_STS_DANE_02() {
    DnssecSupport support = answer(builder().dnssecRootTrustAnchors().build().dnssecSupport());

    assertEquals(DnssecSupport.Status.UNAVAILABLE, support.status());
    assertTrue(
        support.reason().startsWith("the trust anchors do not validate the DNSKEY RRset of ."),
        support.reason());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: the probe trusting the AD flag: AD set -> AVAILABLE, not set -> UNAVAILABLE,"
          + " DNSSEC stripped -> UNAVAILABLE")
  void probe_trustResolverAd_STS_DANE_02() {
    dns.adBit(true);
    DnssecSupport available = answer(trustingAd().dnssecSupport());
    dns.adBit(false);
    DnssecSupport notValidating = answer(trustingAd().dnssecSupport());
    dns.stripDnssec(true);
    DnssecSupport stripped = answer(trustingAd().dnssecSupport());

    assertEquals(DnssecSupport.Status.AVAILABLE, available.status(), available.reason());
    assertEquals(DnssecSupport.Status.UNAVAILABLE, notValidating.status());
    assertTrue(
        notValidating.reason().startsWith("resolver does not validate DNSSEC"),
        notValidating.reason());
    assertEquals(DnssecSupport.Status.UNAVAILABLE, stripped.status());
    assertTrue(
        stripped.reason().startsWith("resolver does not return DNSSEC records"),
        stripped.reason());
  }

  @Test
  @DisplayName("A client without DNSSEC says OFF and asks nothing; its answers are never secure")
  void probe_noValidation_off() {
    DnsClient client = builder().build();

    assertEquals(DnssecSupport.Status.OFF, answer(client.dnssecSupport()).status());
    assertEquals(0, dns.queryCount(".", "DNSKEY"));
    assertFalse(answer(client.tlsa("_25._tcp.mx1.example.com")).authenticated());
  }
}
