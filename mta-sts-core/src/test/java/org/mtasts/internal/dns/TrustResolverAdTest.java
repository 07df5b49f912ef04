package org.mtasts.internal.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtasts.internal.dns.DnsjavaClientTest.answer;
import static org.mtasts.internal.dns.DnsjavaClientTest.failure;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsServerFailureException;
import org.mtasts.dns.DnssecSupport;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TlsaRecord;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * {@code DnsClient.Builder.trustResolverAd()}: nothing is validated here; the resolver's AD flag on
 * every response an answer rests on is what makes it authenticated.
 */
class TrustResolverAdTest {

  private static final String DATA =
      "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6";

  private final FakeResolver resolver =
      new FakeResolver()
          .add(
              "example. 3600 SOA ns.example. admin.example. 1 7200 900 1209600 600",
              "example. 300 MX 10 mx.example.",
              "_25._tcp.mx.example. 300 TLSA 3 1 1 " + DATA,
              "_25._tcp.alias.example. 300 CNAME _25._tcp.mx.other.",
              "_25._tcp.mx.other. 300 TLSA 3 1 1 " + DATA)
          .chaseCnames(true);
  private LoopbackDnsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private DnsClient client() throws Exception {
    server = new LoopbackDnsServer(resolver);
    return DnsClient.builder()
        .server(server.address())
        .timeout(Duration.ofSeconds(2))
        .clock(Clock.fixed(FakeResolver.NOW, ZoneOffset.UTC))
        .trustResolverAd()
        .build();
  }

  private static DnsjavaClient.Settings settings() {
    return new DnsjavaClient.Settings(
        List.of(),
        Duration.ofSeconds(5),
        0,
        8,
        100,
        null,
        true,
        null,
        Clock.fixed(FakeResolver.NOW, ZoneOffset.UTC));
  }

  @Test
  @DisplayName(
      "STS-DANE-02: with the resolver's AD flag trusted, a TLSA answer with AD is authenticated,"
          + " and the query asked for it over the wire: DO bit, AD flag, no CD")
  void adFlagSet_authenticated_andQueryAsksForDnssec_STS_DANE_02() throws Exception {
    resolver.setAdFlag(true);

    DnsAnswer<TlsaRecord> answer = answer(client().tlsa("_25._tcp.mx.example"));

    assertTrue(answer.authenticated());
    assertEquals(List.of(TlsaRecord.parse("3 1 1 " + DATA)), answer.records());
    Message query = resolver.received().get(0);
    OPTRecord opt = query.getOPT();
    assertNotNull(opt, "EDNS");
    assertTrue((opt.getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0, "DO bit");
    assertTrue(query.getHeader().getFlag(Flags.AD), "AD flag in the query");
    assertFalse(query.getHeader().getFlag(Flags.CD), "CD flag in the query");
  }

  @Test
  @DisplayName("STS-DANE-02: with the resolver's AD flag trusted, an answer without AD is insecure")
  void adFlagUnset_notAuthenticated_STS_DANE_02() throws Exception {
    resolver.setAdFlag(false);

    DnsAnswer<MxRecord> answer = answer(client().mx("example"));

    assertEquals(1, answer.records().size());
    assertFalse(answer.authenticated());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: a CNAME'd TLSA answer is authenticated only if every response has AD: the"
          + " chain's end without AD makes it insecure")
  void cnameChain_everyResponseNeedsAd_STS_DANE_02() {
    // Without chasing, the chain takes two responses: one per link.
    resolver.chaseCnames(false).setAdFlag(true);
    DnsjavaClient client = resolver.client(settings());

    DnsAnswer<TlsaRecord> secure = answer(client.tlsa("_25._tcp.alias.example"));
    assertTrue(secure.authenticated());
    assertEquals("_25._tcp.mx.other", secure.canonicalName());

    resolver.withoutAdFlag("_25._tcp.mx.other");
    DnsAnswer<TlsaRecord> insecure =
        answer(resolver.client(settings()).tlsa("_25._tcp.alias.example"));
    assertEquals(1, insecure.records().size());
    assertFalse(insecure.authenticated());
  }

  @Test
  @DisplayName(
      "STS-DANE-03: a SERVFAIL from the trusted resolver (how it answers bogus data) fails the"
          + " lookup")
  void servfail_failsLookup_STS_DANE_03() {
    resolver.setAdFlag(true).rcode("_25._tcp.mx.example", Type.TLSA, Rcode.SERVFAIL);

    assertInstanceOf(
        DnsServerFailureException.class,
        failure(resolver.client(settings()).tlsa("_25._tcp.mx.example")));
  }

  @Test
  @DisplayName(
      "STS-DANE-02: the probe of a resolver whose AD flag is trusted: AD on the root's DNSKEY ->"
          + " AVAILABLE")
  void probe_adSet_available_STS_DANE_02() {
    resolver.setAdFlag(true);

    DnssecSupport support = answer(resolver.client(settings()).dnssecSupport());

    assertEquals(DnssecSupport.Status.AVAILABLE, support.status(), support.reason());
    assertEquals(List.of(". DNSKEY"), resolver.queries());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: the probe of a trusted resolver that passes signatures but sets no AD ->"
          + " UNAVAILABLE, does not validate")
  void probe_signedButNoAd_unavailable_STS_DANE_02() throws Exception {
    KeyPair keys = DnssecTest.ecKeys();
    DNSKEYRecord rootKey = DnssecTest.zoneKey(".", keys);
    resolver.add(rootKey.toString()).signWith(".", rootKey, keys.getPrivate());

    DnssecSupport support = answer(resolver.client(settings()).dnssecSupport());

    assertEquals(DnssecSupport.Status.UNAVAILABLE, support.status());
    assertTrue(
        support.reason().startsWith("resolver does not validate DNSSEC"), support.reason());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: the probe of a trusted resolver that strips DNSSEC -> UNAVAILABLE with that"
          + " reason")
  void probe_stripped_unavailable_STS_DANE_02() {
    DnssecSupport support = answer(resolver.client(settings()).dnssecSupport());

    assertEquals(DnssecSupport.Status.UNAVAILABLE, support.status());
    assertTrue(
        support.reason().startsWith(DnssecProbe.STRIPPED), support.reason());
  }
}
