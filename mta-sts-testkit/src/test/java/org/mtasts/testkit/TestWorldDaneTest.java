package org.mtasts.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.dns.Tlsa;
import org.mtasts.testkit.dns.Validator;
import org.mtasts.testkit.dns.Validator.Result;
import org.mtasts.testkit.dns.Validator.Status;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.TLSARecord;

/**
 * A signed world with DANE MX hosts, seen by dnsjava's validating resolver and by real STARTTLS
 * handshakes: the TLSA records are secure where the world is signed, and match (or do not match)
 * the certificates the receivers really present.
 */
class TestWorldDaneTest {
  // Fixed, but at the real time: the JDK checks the receivers' certificates against its own clock.
  private static final Clock CLOCK = Clock.fixed(Instant.now(), ZoneOffset.UTC);

  private static TestWorld world;
  private static Validator validator;

  @BeforeAll
  static void start() {
    world =
        TestWorld.start(
            w ->
                w.dnssec()
                    .clock(CLOCK)
                    .domain(
                        "example.com",
                        d ->
                            d.policy("enforce", "mx1.example.com", "mx2.example.com")
                                .mx(10, "mx1.example.com", Mx.goodTls(), Dane.ee())
                                .mx(20, "mx2.example.com", Mx.goodTls(), Dane.mismatch())
                                .mx(30, "mx3.example.com", Mx.goodTls()))
                    .domain(
                        "selfsigned.example",
                        d -> d.mx(10, "mx.dane-only.example", Mx.selfSignedCertificate(), Dane.ee()))
                    .domain("ta.example", d -> d.mx(10, "mx.ta.example", Mx.goodTls(), Dane.ta()))
                    .domain(
                        "unsigned.example",
                        d -> d.unsigned().mx(10, "mx.unsigned.example", Mx.goodTls(), Dane.ee()))
                    .domain(
                        "mixed.example",
                        d ->
                            d.mx(
                                10,
                                "mx.insecure-host.example",
                                Mx.goodTls(),
                                Dane.ee().inUnsignedZone()))
                    .domain(
                        "unusable.example",
                        d -> d.mx(10, "mx.unusable.example", Mx.goodTls(), Dane.unusable()))
                    .domain(
                        "implicit.example", d -> d.implicitMx(Mx.goodTls(), Dane.ee(0, 2))));
    validator = new Validator(world.dnsAddress(), world.dnssecTrustAnchor(), CLOCK);
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  void daneEe_secureTlsa_matchesTheCertificateTheReceiverPresents_STS_DANE_02() throws Exception {
    assertEquals(Status.SECURE, validator.validate("example.com", "MX").status());
    assertEquals(Status.SECURE, validator.validate("mx1.example.com", "A").status());
    TLSARecord tlsa = onlyTlsa("_25._tcp.mx1.example.com");

    X509Certificate presented = presented("mx1.example.com", world.clientContext());

    assertEquals(List.of(3, 1, 1), fields(tlsa));
    assertArrayEquals(
        sha256(presented.getPublicKey().getEncoded()), tlsa.getCertificateAssociationData());
  }

  @Test
  void mismatch_secureTlsa_matchesNothingTheReceiverPresents() throws Exception {
    TLSARecord tlsa = onlyTlsa("_25._tcp.mx2.example.com");
    X509Certificate presented = presented("mx2.example.com", world.clientContext());

    assertEquals(List.of(3, 1, 1), fields(tlsa));
    assertFalse(
        Arrays.equals(
            sha256(presented.getPublicKey().getEncoded()), tlsa.getCertificateAssociationData()));
  }

  @Test
  void hostWithoutDane_inSignedZone_tlsaIsSecureNxdomain_STS_DANE_02() throws Exception {
    Result result = validator.validate("_25._tcp.mx3.example.com", "TLSA");

    assertEquals(Status.SECURE, result.status(), result.toString());
    assertEquals(Rcode.NXDOMAIN, result.rcode());
  }

  @Test
  void selfSigned_hostOutsideTheDomain_getsASignedZone_daneEeMatches_webPkiFails()
      throws Exception {
    assertEquals(Status.SECURE, validator.validate("mx.dane-only.example", "A").status());
    TLSARecord tlsa = onlyTlsa("_25._tcp.mx.dane-only.example");
    X509Certificate selfSigned =
        world.smtp("mx.dane-only.example").behaviour().certificate().orElseThrow().certificate();

    X509Certificate presented = presented("mx.dane-only.example", trusting(selfSigned));

    assertEquals(selfSigned, presented);
    assertArrayEquals(Tlsa.data(presented, 1, 1), tlsa.getCertificateAssociationData());
    assertThrows(
        SSLHandshakeException.class,
        () -> presented("mx.dane-only.example", world.clientContext()),
        "the world's CA does not vouch for it");
  }

  @Test
  void daneTa_isTheDigestOfTheWorldAuthority() throws Exception {
    TLSARecord tlsa = onlyTlsa("_25._tcp.mx.ta.example");

    assertEquals(List.of(2, 0, 1), fields(tlsa));
    assertArrayEquals(
        sha256(world.ca().certificate().getEncoded()), tlsa.getCertificateAssociationData());
  }

  @Test
  void unsignedDomain_mxAndTlsaAreInsecure_STS_DANE_02() throws Exception {
    assertEquals(Status.INSECURE, validator.validate("unsigned.example", "MX").status());
    Result tlsa = validator.validate("_25._tcp.mx.unsigned.example", "TLSA");
    assertEquals(Status.INSECURE, tlsa.status(), tlsa.toString());
    assertEquals(1, tlsa.response().getSection(Section.ANSWER).size(), "records still served");
  }

  @Test
  void hostInUnsignedZone_secureMx_insecureHostAndTlsa_STS_DANE_02() throws Exception {
    assertEquals(Status.SECURE, validator.validate("mixed.example", "MX").status());
    assertEquals(Status.INSECURE, validator.validate("mx.insecure-host.example", "A").status());
    assertEquals(
        Status.INSECURE, validator.validate("_25._tcp.mx.insecure-host.example", "TLSA").status());
  }

  @Test
  void unusable_isPkixEe_only() throws Exception {
    assertEquals(List.of(1, 1, 1), fields(onlyTlsa("_25._tcp.mx.unusable.example")));
  }

  @Test
  void implicitMx_tlsaAtTheDomain() throws Exception {
    TLSARecord tlsa = onlyTlsa("_25._tcp.implicit.example");
    X509Certificate presented = presented("implicit.example", world.clientContext());

    assertEquals(List.of(3, 0, 2), fields(tlsa));
    assertArrayEquals(
        MessageDigest.getInstance("SHA-512").digest(presented.getEncoded()),
        tlsa.getCertificateAssociationData());
  }

  @Test
  void trustAnchor_isTheDnsServers() {
    assertEquals(world.dns().dnssecTrustAnchor(), world.dnssecTrustAnchor());
  }

  @Test
  void setMx_newCertificate_tlsaStaysAsPublished_reset_restoresEverything() throws Exception {
    byte[] before = onlyTlsa("_25._tcp.mx1.example.com").getCertificateAssociationData();
    try {
      world.setMx("mx1.example.com", Mx.goodTls());
      X509Certificate rolled = presented("mx1.example.com", world.clientContext());
      assertNotEquals(
          Arrays.toString(before), Arrays.toString(sha256(rolled.getPublicKey().getEncoded())));
      assertArrayEquals(before, onlyTlsa("_25._tcp.mx1.example.com").getCertificateAssociationData());
    } finally {
      world.reset();
    }
    assertArrayEquals(before, onlyTlsa("_25._tcp.mx1.example.com").getCertificateAssociationData());
    assertEquals(Status.SECURE, validator.validate("example.com", "MX").status());
    assertEquals(Status.INSECURE, validator.validate("unsigned.example", "MX").status());
  }

  @Test
  void signedDomain_inAWorldWithoutDnssec_isTheOnlySecureOne() throws Exception {
    try (TestWorld small =
        TestWorld.start(
            w ->
                w.clock(CLOCK)
                    .domain("signed.example", d -> d.signed().mx(10, "mx.signed.example"))
                    .domain("plain.example", d -> d.mx(10, "mx.plain.example")))) {
      Validator v = new Validator(small.dnsAddress(), small.dnssecTrustAnchor(), CLOCK);
      assertEquals(Status.SECURE, v.validate("signed.example", "MX").status());
      assertEquals(Status.SECURE, v.validate("mx.signed.example", "A").status());
      assertEquals(Status.INSECURE, v.validate("plain.example", "MX").status());
    }
  }

  @Test
  void daneEe_forAHostWithoutTls_failsAtStart() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                TestWorld.start(
                    w ->
                        w.domain(
                            "notls.example",
                            d -> d.mx(10, "mx.notls.example", Mx.noStartTls(), Dane.ee()))));
    assertTrue(e.getMessage().contains("mx.notls.example"), e.getMessage());
  }

  @Test
  void oneHost_twoDifferentDaneRecipes_isRefused() {
    assertThrows(
        IllegalStateException.class,
        () ->
            TestWorld.start(
                w ->
                    w.domain("a.example", d -> d.mx(10, "mx.shared.example", Mx.goodTls(), Dane.ee()))
                        .domain(
                            "b.example",
                            d -> d.mx(10, "mx.shared.example", Mx.goodTls(), Dane.mismatch()))));
  }

  @Test
  void badArguments_areRefusedAtOnce() {
    DomainSpec spec = new DomainSpec("x.example");
    List<org.junit.jupiter.api.function.Executable> nulls =
        List.of(
            () -> spec.mx(10, "mx.x.example", Mx.goodTls(), null),
            () -> spec.mx(10, "mx.x.example", null, Dane.ee()),
            () -> spec.implicitMx(Mx.goodTls(), null),
            () -> Dane.ee().and(null),
            () -> Dane.record(3, 1, 1, null));
    for (org.junit.jupiter.api.function.Executable call : nulls) {
      assertThrows(NullPointerException.class, call);
    }
    assertThrows(IllegalArgumentException.class, () -> Dane.ee(2, 1));
    assertThrows(IllegalArgumentException.class, () -> Dane.ta(0, 3));
    assertThrows(IllegalArgumentException.class, () -> Dane.record(256, 1, 1, new byte[1]));
    assertTrue(spec.mxRecords.isEmpty(), "nothing half-applied");
    assertEquals(Dane.ee(), Dane.ee(1, 1));
    assertEquals("3 1 1 mismatch + 3 1 1", Dane.mismatch().and(Dane.ee()).toString());
  }

  private static TLSARecord onlyTlsa(String name) throws Exception {
    Result result = validator.validate(name, "TLSA");
    List<TLSARecord> records =
        result.response().getSection(Section.ANSWER).stream()
            .filter(TLSARecord.class::isInstance)
            .map(TLSARecord.class::cast)
            .collect(Collectors.toList());
    assertEquals(1, records.size(), result.toString());
    return records.get(0);
  }

  private static List<Integer> fields(TLSARecord r) {
    return List.of(r.getCertificateUsage(), r.getSelector(), r.getMatchingType());
  }

  private static X509Certificate presented(String host, SSLContext trust) throws Exception {
    try (Clients.Smtp smtp = new Clients.Smtp(world.address(host))) {
      smtp.reply();
      smtp.command("EHLO client.example");
      String reply = smtp.startTls(trust, host);
      assertTrue(reply.startsWith("220"), reply);
      return (X509Certificate) smtp.tlsSocket().getSession().getPeerCertificates()[0];
    }
  }

  private static SSLContext trusting(X509Certificate only) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("only", only);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static byte[] sha256(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }
}
