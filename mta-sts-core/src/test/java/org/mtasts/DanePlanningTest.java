package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.MxLookup;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.MxResolver;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneRequirement.Status;
import org.junit.jupiter.api.Test;

/**
 * {@link DanePlanning}: which MX hosts DANE protects, from the DNSSEC status of the MX, address
 * and TLSA answers (RFC 7672 §2.1, §2.2), with fake DNS answers.
 */
class DanePlanningTest {
  static final String EE = "3 1 1 " + "ab".repeat(32);
  static final String TA = "2 0 1 " + "cd".repeat(32);
  static final String PKIX_EE = "1 1 1 " + "ef".repeat(32);

  final FakeDaneDns dns = new FakeDaneDns();

  Map<String, DaneRequirement> plan(String domain) {
    MxLookup mx = MxResolver.create(dns).resolve(domain).toCompletableFuture().join();
    return new DanePlanning(dns).requirements(mx).toCompletableFuture().join();
  }

  DaneRequirement one(String domain, String host) {
    DaneRequirement r = plan(domain).get(host);
    assertTrue(r != null, "no requirement for " + host);
    return r;
  }

  @Test
  void secureMxAddressAndTlsa_authenticate_STS_DANE_02() {
    dns.mx("example.com", true, "mx1.example.com").address("mx1.example.com", true)
        .tlsa("_25._tcp.mx1.example.com", true, EE, TA);
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.AUTHENTICATE, r.status(), r.toString());
    assertEquals("mx1.example.com", r.tlsa().orElseThrow().tlsaBaseDomain());
    assertEquals(List.of(TlsaRecord.parse(EE), TlsaRecord.parse(TA)),
        r.tlsa().orElseThrow().records());
    assertTrue(r.requiresTls());
  }

  @Test
  void insecureMxRrset_none_noAddressOrTlsaLookup_STS_DANE_02() {
    dns.mx("example.com", false, "mx1.example.com").address("mx1.example.com", true)
        .tlsa("_25._tcp.mx1.example.com", true, EE);
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.NONE, r.status());
    assertTrue(r.message().contains("MX RRset of example.com"), r.message());
    assertEquals(List.of("MX example.com"), dns.asked,
        "a signed MX host under an unsigned MX RRset is not looked at (RFC 7672 §2.2.1)");
  }

  @Test
  void insecureAddress_none_noTlsaLookup_STS_DANE_02() {
    dns.mx("example.com", true, "mx1.example.net").address("mx1.example.net", false)
        .tlsa("_25._tcp.mx1.example.net", true, EE);
    DaneRequirement r = one("example.com", "mx1.example.net");
    assertEquals(Status.NONE, r.status());
    assertTrue(r.message().contains("addresses of mx1.example.net"), r.message());
    assertFalse(dns.asked.contains("TLSA _25._tcp.mx1.example.net"));
  }

  @Test
  void insecureTlsaAnswer_none_STS_DANE_02() {
    dns.mx("example.com", true, "mx1.example.com").address("mx1.example.com", true)
        .tlsa("_25._tcp.mx1.example.com", false, EE);
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.NONE, r.status());
    assertTrue(r.message().contains("TLSA answer at _25._tcp.mx1.example.com"), r.message());
  }

  @Test
  void secureEmptyTlsa_none() {
    dns.mx("example.com", true, "mx1.example.com").address("mx1.example.com", true)
        .tlsa("_25._tcp.mx1.example.com", true);
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.NONE, r.status());
    assertTrue(r.message().contains("no TLSA records"), r.message());
  }

  @Test
  void bogusTlsa_dnssecFailed_STS_DANE_03() {
    dns.mx("example.com", true, "mx1.example.com").address("mx1.example.com", true)
        .bogus("TLSA _25._tcp.mx1.example.com");
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.DNSSEC_FAILED, r.status());
    assertFalse(r.usable());
    assertTrue(r.message().contains("bogus"), r.message());
    assertTrue(r.message().contains("_25._tcp.mx1.example.com"), r.message());
  }

  @Test
  void cnameChainTooLong_underSecureMx_dnssecFailed_notQuietlyNone_STS_DANE_03() {
    dns.mx("example.com", true, "mx1.example.com", "mx2.example.com")
        .stage("A/AAAA mx1.example.com", CompletableFuture.completedFuture(DnsAnswer.empty(
            "mx1.example.com", DnsAnswer.Status.CNAME_CHAIN_TOO_LONG, Duration.ZERO)))
        .address("mx2.example.com", true)
        .stage("TLSA _25._tcp.mx2.example.com", CompletableFuture.completedFuture(DnsAnswer.empty(
            "_25._tcp.mx2.example.com", DnsAnswer.Status.CNAME_CHAIN_TOO_LONG, Duration.ZERO)));
    for (String host : List.of("mx1.example.com", "mx2.example.com")) {
      DaneRequirement r = one("example.com", host);
      assertEquals(Status.DNSSEC_FAILED, r.status(), r.message());
      assertTrue(r.message().contains("CNAME"), r.message());
    }
  }

  @Test
  void servfailTlsa_dnssecFailed_neverQuietlyNone_STS_DANE_03() {
    dns.mx("example.com", true, "mx1.example.com").address("mx1.example.com", true)
        .servfail("TLSA _25._tcp.mx1.example.com");
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.DNSSEC_FAILED, r.status());
    assertTrue(r.message().contains("SERVFAIL"), r.message());
  }

  @Test
  void failedAddressLookupUnderSecureMx_dnssecFailed_STS_DANE_03() {
    dns.mx("example.com", true, "mx1.example.com").bogus("A/AAAA mx1.example.com");
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.DNSSEC_FAILED, r.status());
    assertTrue(r.message().contains("address lookup of mx1.example.com"), r.message());
  }

  @Test
  void unusableRecordsOnly_tlsRequired_STS_DANE_04() {
    dns.mx("example.com", true, "mx1.example.com").address("mx1.example.com", true)
        .tlsa("_25._tcp.mx1.example.com", true, PKIX_EE, "3 1 1 00");
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.TLS_REQUIRED, r.status());
    assertTrue(r.requiresTls());
    assertTrue(r.tlsa().orElseThrow().usable().isEmpty());
  }

  @Test
  void secureCnameChain_tlsaAtTargetFirst_baseDomainIsTarget_RFC7672_2_2_3() {
    dns.mx("example.com", true, "mx1.example.com")
        .address("mx1.example.com", true, "mail.provider.example")
        .tlsa("_25._tcp.mail.provider.example", true, EE)
        .tlsa("_25._tcp.mx1.example.com", true, TA);
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.AUTHENTICATE, r.status());
    assertEquals("mail.provider.example", r.tlsa().orElseThrow().tlsaBaseDomain());
    assertEquals("mx1.example.com", r.tlsa().orElseThrow().mxHost());
    assertEquals(List.of(TlsaRecord.parse(EE)), r.tlsa().orElseThrow().records());
    assertFalse(dns.asked.contains("TLSA _25._tcp.mx1.example.com"));
  }

  @Test
  void secureCnameChain_targetSecurelyEmpty_fallsBackToMxHost_RFC7672_2_2_3() {
    dns.mx("example.com", true, "mx1.example.com")
        .address("mx1.example.com", true, "mail.provider.example")
        .tlsa("_25._tcp.mail.provider.example", true)
        .tlsa("_25._tcp.mx1.example.com", true, TA);
    DaneRequirement r = one("example.com", "mx1.example.com");
    assertEquals(Status.AUTHENTICATE, r.status());
    assertEquals("mx1.example.com", r.tlsa().orElseThrow().tlsaBaseDomain());
    assertEquals("_25._tcp.mx1.example.com", r.tlsa().orElseThrow().ownerName());
  }

  @Test
  void secureCnameChain_targetTlsaServfail_dnssecFailed_noFallback_STS_DANE_03() {
    dns.mx("example.com", true, "mx1.example.com")
        .address("mx1.example.com", true, "mail.provider.example")
        .servfail("TLSA _25._tcp.mail.provider.example")
        .tlsa("_25._tcp.mx1.example.com", true, TA);
    assertEquals(Status.DNSSEC_FAILED, one("example.com", "mx1.example.com").status());
  }

  @Test
  void implicitMx_secureAddress_tlsaAtDomain_STS_DANE_02() {
    dns.noMx("example.com", true).address("example.com", true)
        .tlsa("_25._tcp.example.com", true, EE);
    DaneRequirement r = one("example.com", "example.com");
    assertEquals(Status.AUTHENTICATE, r.status());
  }

  @Test
  void implicitMx_insecureAddress_none_STS_DANE_02() {
    dns.noMx("example.com", true).address("example.com", false)
        .tlsa("_25._tcp.example.com", true, EE);
    DaneRequirement r = one("example.com", "example.com");
    assertEquals(Status.NONE, r.status());
    assertTrue(r.message().contains("implicit MX"), r.message());
  }

  @Test
  void clientWithoutTlsaSupport_none() {
    FakeDaneDns old = new FakeDaneDns(false);
    old.mx("example.com", true, "mx1.example.com").address("mx1.example.com", true);
    MxLookup mx = MxResolver.create(old).resolve("example.com").toCompletableFuture().join();
    DaneRequirement r = new DanePlanning(old).requirements(mx).toCompletableFuture().join()
        .get("mx1.example.com");
    assertEquals(Status.NONE, r.status());
    assertTrue(r.message().contains("does not look up TLSA"), r.message());
  }

  @Test
  void clientThrowingAtOnce_dnssecFailed_STS_DANE_03() {
    FakeDaneDns throwing = new FakeDaneDns() {
      @Override
      public CompletableFuture<DnsAnswer<TlsaRecord>> tlsa(String name) {
        throw new IllegalStateException("resolver closed");
      }
    };
    throwing.address("mx1.example.com", true);
    DaneRequirement r = new DanePlanning(throwing).requirement("mx1.example.com")
        .toCompletableFuture().join();
    assertEquals(Status.DNSSEC_FAILED, r.status());
    assertTrue(r.message().contains("resolver closed"), r.message());
  }

  @Test
  void allHostsLookedUpAtOnce_inMxOrder_duplicatesOnce() {
    CompletableFuture<DnsAnswer<InetAddress>> slow = new CompletableFuture<>();
    dns.stage("A/AAAA mx1.example.com", slow).address("mx2.example.com", true)
        .tlsa("_25._tcp.mx2.example.com", true, EE);
    MxLookup mx = new MxLookup("example.com", MxLookup.Status.MX,
        List.of(new MxRecord(10, "mx1.example.com"), new MxRecord(20, "mx2.example.com"),
            new MxRecord(30, "MX1.example.com."), new MxRecord(40, "bad_name.example.com")),
        true);
    CompletableFuture<Map<String, DaneRequirement>> plan =
        new DanePlanning(dns).requirements(mx).toCompletableFuture();
    assertFalse(plan.isDone());
    assertTrue(dns.asked.contains("TLSA _25._tcp.mx2.example.com"),
        "mx2 was not held up by mx1: " + dns.asked);
    slow.complete(new DnsAnswer<>("mx1.example.com", DnsAnswer.Status.ANSWER,
        List.of(InetAddress.getLoopbackAddress()), FakeDaneDns.TTL, false, "mx1.example.com"));
    Map<String, DaneRequirement> byHost = plan.join();
    assertEquals(List.of("mx1.example.com", "mx2.example.com"), List.copyOf(byHost.keySet()));
    assertEquals(Status.NONE, byHost.get("mx1.example.com").status());
    assertEquals(Status.AUTHENTICATE, byHost.get("mx2.example.com").status());
    assertEquals(1, dns.asked.stream().filter("A/AAAA mx1.example.com"::equals).count());
  }
}
