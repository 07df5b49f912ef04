package org.mtasts.testkit.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mtasts.testkit.dns.TestDnsServer.Transport;
import org.mtasts.testkit.dns.Validator.Result;
import org.mtasts.testkit.dns.Validator.Status;
import org.mtasts.testkit.tls.TestCertificateAuthority;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/** Signed zones as dnsjava's validating resolver sees them, over real sockets. */
class TestDnsServerDnssecTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  private TestDnsServer dns;
  private Validator validator;

  @BeforeEach
  void start() throws Exception {
    dns = new TestDnsServer().clock(CLOCK).start();
    dns.signZone("example.com")
        .mx("example.com", 10, "mx1.example.com")
        .a("mx1.example.com", "127.0.0.1")
        .txt("_mta-sts.example.com", "v=STSv1; id=1")
        .mx("example.net", 10, "mx.example.net")
        .a("mx.example.net", "127.0.0.1");
    validator = new Validator(dns, CLOCK);
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  @Test
  void signedZone_answers_areSecure() throws Exception {
    Result mx = validator.validate("example.com", "MX");
    assertEquals(Status.SECURE, mx.status(), mx.toString());
    Result a = validator.validate("mx1.example.com", "A");
    assertEquals(Status.SECURE, a.status(), a.toString());
  }

  @Test
  void unsignedName_isInsecure_notBogus() throws Exception {
    Result mx = validator.validate("example.net", "MX");
    assertEquals(Status.INSECURE, mx.status(), mx.toString());
    assertEquals(Rcode.NOERROR, mx.rcode());
    assertEquals(1, mx.response().getSection(1).size());
  }

  @Test
  void nxdomainAndNodata_inSignedZone_areSecure() throws Exception {
    Result nx = validator.validate("nothere.example.com", "A");
    assertEquals(Status.SECURE, nx.status(), nx.toString());
    assertEquals(Rcode.NXDOMAIN, nx.rcode());
    Result nodata = validator.validate("mx1.example.com", "AAAA");
    assertEquals(Status.SECURE, nodata.status(), nodata.toString());
    assertEquals(Rcode.NOERROR, nodata.rcode());
    assertTrue(nodata.response().getSection(1).isEmpty());
  }

  @Test
  void tlsa_roundTrip_secure_withDataFromTheCertificate_STS_DANE_02() throws Exception {
    X509Certificate cert =
        TestCertificateAuthority.create("DANE Test CA", CLOCK)
            .issue("mx1.example.com")
            .certificate();
    byte[] spkiSha256 = Tlsa.data(cert, Tlsa.SPKI, Tlsa.SHA2_256);
    assertArrayEquals(
        MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()), spkiSha256);
    dns.tlsa("_25._tcp.mx1.example.com", Tlsa.DANE_EE, Tlsa.SPKI, Tlsa.SHA2_256, spkiSha256)
        .tlsa("_25._tcp.mx1.example.com", 2, 0, 2, Tlsa.data(cert, Tlsa.CERT, Tlsa.SHA2_512));

    Result result = validator.validate("_25._tcp.mx1.example.com", "TLSA");

    assertEquals(Status.SECURE, result.status(), result.toString());
    List<TLSARecord> tlsa =
        result.response().getSection(Section.ANSWER).stream()
            .filter(TLSARecord.class::isInstance)
            .map(TLSARecord.class::cast)
            .sorted(java.util.Comparator.comparing(TLSARecord::getCertificateUsage).reversed())
            .collect(Collectors.toList());
    assertEquals(2, tlsa.size());
    assertEquals(3, tlsa.get(0).getCertificateUsage());
    assertEquals(1, tlsa.get(0).getSelector());
    assertEquals(1, tlsa.get(0).getMatchingType());
    assertArrayEquals(spkiSha256, tlsa.get(0).getCertificateAssociationData());
    assertEquals(2, tlsa.get(1).getMatchingType());
    assertEquals(64, tlsa.get(1).getCertificateAssociationData().length);
    assertArrayEquals(cert.getEncoded(), Tlsa.data(cert, Tlsa.CERT, Tlsa.FULL));
    assertEquals(
        "3 1 1 " + java.util.HexFormat.of().formatHex(spkiSha256),
        Tlsa.presentation(3, 1, 1, spkiSha256));
  }

  @Test
  void tlsa_behindCname_intoAnotherSignedZone_isSecure() throws Exception {
    dns.signZone("example.org")
        .cname("_25._tcp.mx1.example.com", "_25._tcp.mx.example.org")
        .tlsa("_25._tcp.mx.example.org", 3, 1, 1, new byte[32]);

    Result result = validator.validate("_25._tcp.mx1.example.com", "TLSA");

    assertEquals(Status.SECURE, result.status(), result.toString());
    List<Integer> answer = types(result.response(), Section.ANSWER);
    assertEquals(List.of(Type.CNAME, Type.RRSIG, Type.TLSA, Type.RRSIG), answer);
  }

  @Test
  void tlsa_absent_inSignedZone_isSecureNxdomain_STS_DANE_02() throws Exception {
    Result result = validator.validate("_25._tcp.mx1.example.com", "TLSA");

    assertEquals(Status.SECURE, result.status(), result.toString());
    assertEquals(Rcode.NXDOMAIN, result.rcode());
  }

  @Test
  void nodata_atEmptyNonTerminal_isSecure() throws Exception {
    dns.tlsa("_25._tcp.mx1.example.com", 3, 1, 1, new byte[32]);

    Result ent = validator.validate("_tcp.mx1.example.com", "TLSA");

    assertEquals(Status.SECURE, ent.status(), ent.toString());
    assertEquals(Rcode.NOERROR, ent.rcode());
  }

  @Test
  void nameUnderNoZoneAtAll_isSecureNxdomainFromTheRoot() throws Exception {
    Result result = validator.validate("nothing.invalid", "A");

    assertEquals(Status.SECURE, result.status(), result.toString());
    assertEquals(Rcode.NXDOMAIN, result.rcode());
  }

  @Test
  void unsignedZone_nxdomainAndNodata_areInsecure_STS_DANE_02() throws Exception {
    Result nx = validator.validate("_25._tcp.mx.example.net", "TLSA");
    assertEquals(Status.INSECURE, nx.status(), nx.toString());
    assertEquals(Rcode.NXDOMAIN, nx.rcode());
    Result nodata = validator.validate("mx.example.net", "AAAA");
    assertEquals(Status.INSECURE, nodata.status(), nodata.toString());
    assertEquals(Rcode.NOERROR, nodata.rcode());
  }

  @Test
  void unsignedChild_ofSignedZone_isInsecure_STS_DANE_02() throws Exception {
    dns.insecureZone("unsigned.example.com")
        .a("mx.unsigned.example.com", "127.0.0.1")
        .tlsa("_25._tcp.mx.unsigned.example.com", 3, 1, 1, new byte[32]);

    Result a = validator.validate("mx.unsigned.example.com", "A");
    assertEquals(Status.INSECURE, a.status(), a.toString());
    assertEquals(1, a.response().getSection(Section.ANSWER).size());
    Result tlsa = validator.validate("_25._tcp.mx.unsigned.example.com", "TLSA");
    assertEquals(Status.INSECURE, tlsa.status(), tlsa.toString());
    // The parent still signs its own names.
    assertEquals(Status.SECURE, validator.validate("mx1.example.com", "A").status());
  }

  @Test
  void signedZone_belowAnother_isDelegatedWithDs() throws Exception {
    dns.signZone("mail.example.com").a("mx.mail.example.com", "127.0.0.1");

    Result a = validator.validate("mx.mail.example.com", "A");

    assertEquals(Status.SECURE, a.status(), a.toString());
    RRSIGRecord sig = signatureOf(a.response(), Type.A);
    assertEquals(Name.fromString("mail.example.com."), sig.getSigner());
    Message ds = DnsClient.send(dns, "mail.example.com", "DS", Transport.UDP);
    assertInstanceOf(DSRecord.class, ds.getSection(Section.ANSWER).get(0));
  }

  @Test
  void signedZone_belowAnInsecureZone_isAnIsland_andInsecure() throws Exception {
    dns.insecureZone("unsigned.example.com")
        .signZone("island.unsigned.example.com")
        .a("mx.island.unsigned.example.com", "127.0.0.1");

    Result a = validator.validate("mx.island.unsigned.example.com", "A");

    assertEquals(Status.INSECURE, a.status(), a.toString());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DnssecFault.class)
  void fault_onTheAnswer_makesItBogus_STS_DANE_03(DnssecFault fault) throws Exception {
    dns.tlsa("_25._tcp.mx1.example.com", 3, 1, 1, new byte[32])
        .dnssecFault("_25._tcp.mx1.example.com", "TLSA", fault);

    Result result = validator.validate("_25._tcp.mx1.example.com", "TLSA");

    assertEquals(Status.BOGUS, result.status(), result.toString());
    // Other names and types are untouched.
    assertEquals(Status.SECURE, validator.validate("mx1.example.com", "A").status());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DnssecFault.class)
  void fault_onTheDenial_makesNxdomainBogus_STS_DANE_03(DnssecFault fault) throws Exception {
    dns.dnssecFault("mx1.example.com", "NSEC", fault);
    Message raw = dnssecQuery("_25._tcp.mx1.example.com", "TLSA");
    assertTrue(
        raw.getSection(Section.AUTHORITY).stream().anyMatch(NSECRecord.class::isInstance),
        raw.toString());

    Result result = validator.validate("_25._tcp.mx1.example.com", "TLSA");

    assertEquals(Status.BOGUS, result.status(), result.toString());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DnssecFault.class)
  void fault_onTheZoneKeysOrDs_makesTheWholeZoneBogus(DnssecFault fault) throws Exception {
    dns.dnssecFault("example.com", "DNSKEY", fault);
    assertEquals(Status.BOGUS, validator.validate("mx1.example.com", "A").status());

    dns.clearFaults("example.com").dnssecFault("example.com", "DS", fault);
    Validator fresh = new Validator(dns, CLOCK); // the first one cached the keys
    assertEquals(Status.BOGUS, fresh.validate("mx1.example.com", "A").status());
  }

  @Test
  void fault_onAnUnsignedName_changesNothing() throws Exception {
    dns.dnssecFault("mx.example.net", DnssecFault.BAD_SIGNATURE);

    assertEquals(Status.INSECURE, validator.validate("mx.example.net", "A").status());
  }

  @Test
  void signatures_followTheServerClock() throws Exception {
    Instant later = CLOCK.instant().plus(Duration.ofDays(40));
    Validator inTheFuture = new Validator(dns, Clock.fixed(later, ZoneOffset.UTC));
    assertEquals(Status.BOGUS, inTheFuture.validate("mx1.example.com", "A").status());

    dns.clock(Clock.fixed(later, ZoneOffset.UTC));
    assertEquals(Status.SECURE, inTheFuture.validate("mx1.example.com", "A").status());
    RRSIGRecord sig = signatureOf(dnssecQuery("mx1.example.com", "A"), Type.A);
    assertEquals(later.minus(Duration.ofDays(1)), sig.getTimeSigned());
    assertEquals(later.plus(Duration.ofDays(30)), sig.getExpire());
  }

  @Test
  void trustAnchor_isTheRootDs_inZoneFileFormat() throws Exception {
    String anchor = dns.dnssecTrustAnchor();
    assertTrue(anchor.matches("\\. 3600 IN DS \\d+ 13 2 [0-9A-F]{64}"), anchor);

    Message keys = DnsClient.send(dns, ".", "DNSKEY", Transport.UDP);
    DNSKEYRecord key = (DNSKEYRecord) keys.getSection(Section.ANSWER).get(0);
    assertEquals(257, key.getFlags());
    assertEquals(13, key.getAlgorithm());
    assertTrue(anchor.contains(" DS " + key.getFootprint() + " "), anchor);
    dns.reset();
    assertEquals(anchor, dns.dnssecTrustAnchor(), "the key outlives reset()");
  }

  @Test
  void wrongTrustAnchor_makesEverythingBogus() throws Exception {
    String other;
    try (TestDnsServer elsewhere = new TestDnsServer()) {
      other = elsewhere.dnssecTrustAnchor();
    }
    Validator wrong = new Validator(dns, other, CLOCK);

    assertEquals(Status.BOGUS, wrong.validate("mx1.example.com", "A").status());
  }

  @Test
  void withoutDo_noDnssecRecords_butDnskeyAndDsAreAnswered() throws Exception {
    Message plain = DnsClient.send(dns, "mx1.example.com", "A", Transport.UDP);
    assertEquals(List.of(Type.A), types(plain, Section.ANSWER));
    Message nx = DnsClient.send(dns, "nothere.example.com", "A", Transport.UDP);
    assertEquals(List.of(Type.SOA), types(nx, Section.AUTHORITY));
    assertEquals(Name.fromString("example.com."), nx.getSection(Section.AUTHORITY).get(0).getName());

    Message signed = dnssecQuery("mx1.example.com", "A");
    assertEquals(List.of(Type.A, Type.RRSIG), types(signed, Section.ANSWER));
    assertTrue((signed.getOPT().getFlags() & ExtendedFlags.DO) != 0, "DO echoed");
    assertFalse(signed.getHeader().getFlag(Flags.AD), "no AD unless adBit(true)");
  }

  @Test
  void nothingSigned_serverKnowsNoDnssec() throws Exception {
    try (TestDnsServer plain = new TestDnsServer().start()) {
      plain.a("mx.example.com", "127.0.0.1");
      Message nx = DnsClient.send(plain, "nothere.example.com", "A", Transport.UDP);
      assertEquals(Name.root, nx.getSection(Section.AUTHORITY).get(0).getName(), "root SOA");
      Message keys = DnsClient.send(plain, ".", "DNSKEY", Transport.UDP);
      assertTrue(keys.getSection(Section.ANSWER).isEmpty());
      Result result = new Validator(plain, CLOCK).validate("mx.example.com", "A");
      assertEquals(Status.BOGUS, result.status(), result.toString());
    }
  }

  @Test
  void stripDnssec_likeAResolverWithoutDnssec_validatorFailsAtTheRoot() throws Exception {
    dns.stripDnssec(true).adBit(true);

    Message signed = dnssecQuery("mx1.example.com", "A");
    assertEquals(List.of(Type.A), types(signed, Section.ANSWER));
    assertEquals(0, signed.getOPT().getFlags() & ExtendedFlags.DO, "DO not echoed");
    assertFalse(signed.getHeader().getFlag(Flags.AD));
    Message keys = dnssecQuery(".", "DNSKEY");
    assertEquals(List.of(Type.DNSKEY), types(keys, Section.ANSWER), "bare DNSKEY");
    Result result = validator.validate("mx1.example.com", "A");
    assertEquals(Status.BOGUS, result.status(), result.toString());
    assertEquals(Status.BOGUS, validator.validate("example.net", "MX").status());

    dns.stripDnssec(false);
    assertEquals(Status.SECURE, new Validator(dns, CLOCK).validate("mx1.example.com", "A").status());
  }

  @Test
  void adBit_setOnSecureAnswers_only_whenAskedWithDoOrAd() throws Exception {
    dns.adBit(true).tlsa("_25._tcp.mx1.example.com", 3, 1, 1, new byte[32]);

    assertTrue(dnssecQuery("mx1.example.com", "A").getHeader().getFlag(Flags.AD));
    assertTrue(dnssecQuery("nothere.example.com", "A").getHeader().getFlag(Flags.AD));
    assertFalse(dnssecQuery("mx.example.net", "A").getHeader().getFlag(Flags.AD), "insecure");
    assertFalse(
        DnsClient.send(dns, "mx1.example.com", "A", Transport.UDP).getHeader().getFlag(Flags.AD),
        "neither DO nor AD in the query");
    Message adQuery = DnsClient.query("mx1.example.com", "A");
    adQuery.getHeader().setFlag(Flags.AD);
    assertTrue(new SimpleResolver(dns.address()).send(adQuery).getHeader().getFlag(Flags.AD));

    dns.adBit(false);
    assertFalse(dnssecQuery("mx1.example.com", "A").getHeader().getFlag(Flags.AD));
  }

  @Test
  void adBit_bogusAnswer_isServfail_unlessCheckingDisabled_STS_DANE_03() throws Exception {
    dns.adBit(true)
        .tlsa("_25._tcp.mx1.example.com", 3, 1, 1, new byte[32])
        .dnssecFault("_25._tcp.mx1.example.com", "TLSA", DnssecFault.BAD_SIGNATURE);

    assertEquals(Rcode.SERVFAIL, dnssecQuery("_25._tcp.mx1.example.com", "TLSA").getRcode());
    Message cd = DnsClient.query("_25._tcp.mx1.example.com", "TLSA");
    cd.getHeader().setFlag(Flags.CD);
    SimpleResolver resolver = new SimpleResolver(dns.address());
    resolver.setEDNS(0, 0, ExtendedFlags.DO);
    Message unchecked = resolver.send(cd);
    assertEquals(Rcode.NOERROR, unchecked.getRcode());
    assertFalse(unchecked.getHeader().getFlag(Flags.AD));
    assertTrue(dnssecQuery("mx1.example.com", "A").getHeader().getFlag(Flags.AD));
  }

  private Message dnssecQuery(String name, String type) throws Exception {
    SimpleResolver resolver = new SimpleResolver(dns.address());
    resolver.setTimeout(DnsClient.TIMEOUT);
    resolver.setEDNS(0, 0, ExtendedFlags.DO);
    return resolver.send(DnsClient.query(name, type));
  }

  private static RRSIGRecord signatureOf(Message response, int type) {
    return response.getSection(Section.ANSWER).stream()
        .filter(RRSIGRecord.class::isInstance)
        .map(RRSIGRecord.class::cast)
        .filter(sig -> sig.getTypeCovered() == type)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no RRSIG for " + Type.string(type)));
  }

  private static List<Integer> types(Message response, int section) {
    return response.getSection(section).stream()
        .map(Record::getType)
        .collect(Collectors.toList());
  }
}
