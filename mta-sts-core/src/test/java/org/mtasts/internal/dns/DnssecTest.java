package org.mtasts.internal.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtasts.internal.dns.DnsjavaClientTest.answer;
import static org.mtasts.internal.dns.DnsjavaClientTest.clock;
import static org.mtasts.internal.dns.DnsjavaClientTest.failure;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsAnswer.Status;
import org.mtasts.dns.DnsException;
import org.mtasts.MutableClock;
import org.mtasts.dns.DnssecSupport;
import org.mtasts.dns.DnssecValidationException;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.dns.TxtRecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * DNSSEC through dnsjava's ValidatingResolver against a zone {@code example.} signed on the fly by
 * the fake, whose key is the trust anchor.
 */
class DnssecTest {

  private static final String TLSA_DATA =
      "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6";

  private FakeResolver fake;
  private DnsjavaClient client;
  private DNSKEYRecord key;
  private KeyPair keys;

  @BeforeEach
  void signedZone() throws Exception {
    keys = ecKeys();
    key = zoneKey("example.", keys);
    fake =
        new FakeResolver()
            .add(
                "example. 3600 SOA ns.example. admin.example. 1 7200 900 1209600 600",
                key.toString(),
                "_mta-sts.example. 300 TXT \"v=STSv1; id=1\"",
                "_mta-sts.alias.example. 300 CNAME _mta-sts.other.test.",
                "_mta-sts.inside.example. 300 CNAME _mta-sts.example.",
                "_mta-sts.other.test. 300 TXT \"v=STSv1; id=2\"",
                "_25._tcp.mx.example. 300 TLSA 3 1 1 " + TLSA_DATA,
                "_25._tcp.mx.example. 300 TLSA 2 0 1 " + TLSA_DATA,
                "_25._tcp.alias.example. 300 CNAME _25._tcp.mx.example.",
                "_25._tcp.mx.other.test. 300 TLSA 3 1 1 " + TLSA_DATA)
            .signWith("example.", key, keys.getPrivate());
    client = fake.client(FakeResolver.settings(10, 8, DnssecAnchors.parse(key.toString()), clock()));
  }

  static KeyPair ecKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  static DNSKEYRecord zoneKey(String zone, KeyPair keys) throws Exception {
    return new DNSKEYRecord(
        Name.fromConstantString(zone),
        DClass.IN,
        3600,
        DNSKEYRecord.Flags.ZONE_KEY | DNSKEYRecord.Flags.SEP_KEY,
        DNSKEYRecord.Protocol.DNSSEC,
        DNSSEC.Algorithm.ECDSAP256SHA256,
        keys.getPublic());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: a signed TLSA RRset is authenticated, each record parsed (usage, selector,"
          + " matching type, data)")
  void tlsa_signed_isAuthenticated_STS_DANE_02() {
    DnsAnswer<TlsaRecord> answer = answer(client.tlsa("_25._tcp.mx.example"));

    assertEquals(Status.ANSWER, answer.status());
    assertTrue(answer.authenticated());
    // The validator hands the RRset on in canonical order.
    assertEquals(
        Set.of(TlsaRecord.parse("3 1 1 " + TLSA_DATA), TlsaRecord.parse("2 0 1 " + TLSA_DATA)),
        Set.copyOf(answer.records()));
    assertEquals(2, answer.records().size());
    assertEquals("_25._tcp.mx.example", answer.canonicalName());
    assertEquals(300, answer.ttl().toSeconds());
  }

  @Test
  @DisplayName("STS-DANE-02: a TLSA RRset in a zone without a trust anchor is not authenticated")
  void tlsa_unsignedZone_isNotAuthenticated_STS_DANE_02() {
    DnsAnswer<TlsaRecord> answer = answer(client.tlsa("_25._tcp.mx.other.test"));

    assertEquals(1, answer.records().size());
    assertFalse(answer.authenticated());
  }

  @Test
  @DisplayName(
      "STS-DANE-03: a forged TLSA record under a real signature fails the lookup (bogus), never an"
          + " answer")
  void tlsa_forged_failsValidation_STS_DANE_03() {
    fake.tamper("_25._tcp.mx.example", Type.TLSA, "_25._tcp.mx.example. 300 TLSA 3 1 1 00ff");

    DnsException e = failure(client.tlsa("_25._tcp.mx.example"));

    assertInstanceOf(DnssecValidationException.class, e);
    assertEquals("TLSA", e.queryType());
  }

  @Test
  @DisplayName("STS-DANE-02: a TLSA name behind a signed CNAME to signed records is authenticated")
  void tlsa_signedCname_isAuthenticated_STS_DANE_02() {
    fake.chaseCnames(true);

    DnsAnswer<TlsaRecord> answer = answer(client.tlsa("_25._tcp.alias.example"));

    assertEquals(2, answer.records().size());
    assertEquals("_25._tcp.mx.example", answer.canonicalName());
    assertTrue(answer.authenticated());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: with trust anchors whose DNSKEY RRset validates, the probe says AVAILABLE and"
          + " asks once")
  void probe_validatingAnchors_available_STS_DANE_02() {
    DnssecSupport first = answer(client.dnssecSupport());
    long asked = fake.count("example", Type.DNSKEY);
    DnssecSupport second = answer(client.dnssecSupport());

    assertEquals(DnssecSupport.Status.AVAILABLE, first.status(), first.reason());
    assertEquals(first, second);
    assertTrue(first.reason().contains("DNSKEY RRset of example"), first.reason());
    assertTrue(asked > 0);
    assertEquals(asked, fake.count("example", Type.DNSKEY));
  }

  @Test
  @DisplayName(
      "STS-DANE-02: a resolver that strips DNSSEC records makes the probe say UNAVAILABLE with that"
          + " reason, not fail")
  void probe_strippingResolver_unavailable_STS_DANE_02() {
    FakeResolver stripping =
        new FakeResolver()
            .add(
                "example. 3600 SOA ns.example. admin.example. 1 7200 900 1209600 600",
                key.toString());
    DnsjavaClient c =
        stripping.client(
            FakeResolver.settings(10, 8, DnssecAnchors.parse(key.toString()), clock()));

    DnssecSupport support = answer(c.dnssecSupport());

    assertEquals(DnssecSupport.Status.UNAVAILABLE, support.status());
    assertTrue(
        support.reason().startsWith("resolver does not return DNSSEC records"), support.reason());
  }

  @Test
  @DisplayName(
      "STS-DANE-02: trust anchors that do not match the zone's keys make the probe say UNAVAILABLE"
          + " with the validator's reason")
  void probe_wrongAnchors_unavailable_STS_DANE_02() throws Exception {
    DNSKEYRecord other = zoneKey("example.", ecKeys());
    DnsjavaClient c =
        fake.client(FakeResolver.settings(10, 8, DnssecAnchors.parse(other.toString()), clock()));

    DnssecSupport support = answer(c.dnssecSupport());

    assertEquals(DnssecSupport.Status.UNAVAILABLE, support.status());
    assertTrue(
        support
            .reason()
            .startsWith("the trust anchors do not validate the DNSKEY RRset of example"),
        support.reason());
  }

  @Test
  @DisplayName(
      "A probe that could not ask (timeout) says UNAVAILABLE, is kept five minutes by the client's"
          + " clock, then asked again")
  void probe_failedToAsk_retriedAfterFiveMinutes() {
    MutableClock clock = new MutableClock(FakeResolver.NOW);
    DnsjavaClient c =
        fake.client(FakeResolver.settings(10, 8, DnssecAnchors.parse(key.toString()), clock));
    fake.timeout("example", Type.DNSKEY);

    DnssecSupport failed = answer(c.dnssecSupport());
    assertEquals(DnssecSupport.Status.UNAVAILABLE, failed.status());
    assertTrue(failed.reason().startsWith("DNSSEC probe failed"), failed.reason());
    long asked = fake.count("example", Type.DNSKEY);

    fake.clearFailure("example", Type.DNSKEY);
    clock.advance(DnssecProbe.RETRY_AFTER.minusSeconds(1));
    assertEquals(failed, answer(c.dnssecSupport()));
    assertEquals(asked, fake.count("example", Type.DNSKEY));

    clock.advance(Duration.ofSeconds(1));
    assertEquals(DnssecSupport.Status.AVAILABLE, answer(c.dnssecSupport()).status());
    long askedAgain = fake.count("example", Type.DNSKEY);
    assertTrue(askedAgain > asked);
    // A definite result is kept for the client's life.
    clock.advance(Duration.ofDays(1));
    assertEquals(DnssecSupport.Status.AVAILABLE, answer(c.dnssecSupport()).status());
    assertEquals(askedAgain, fake.count("example", Type.DNSKEY));
  }

  @Test
  @DisplayName(
      "STS-DANE-03: a stripped probe answer (a stripping resolver, or an attacker on the path for"
          + " the first probe) is not kept for the client's life: probed again after five minutes")
  void probe_strippedAnswer_retriedAfterFiveMinutes_STS_DANE_03() {
    FakeResolver stripping =
        new FakeResolver()
            .add(
                "example. 3600 SOA ns.example. admin.example. 1 7200 900 1209600 600",
                key.toString());
    MutableClock clock = new MutableClock(FakeResolver.NOW);
    DnsjavaClient c =
        stripping.client(FakeResolver.settings(10, 8, DnssecAnchors.parse(key.toString()), clock));

    assertEquals(DnssecSupport.Status.UNAVAILABLE, answer(c.dnssecSupport()).status());
    long asked = stripping.count("example", Type.DNSKEY);
    clock.advance(DnssecProbe.RETRY_AFTER.minusSeconds(1));
    answer(c.dnssecSupport());
    assertEquals(asked, stripping.count("example", Type.DNSKEY), "kept for five minutes");

    clock.advance(Duration.ofSeconds(1));
    assertEquals(DnssecSupport.Status.UNAVAILABLE, answer(c.dnssecSupport()).status());
    assertTrue(stripping.count("example", Type.DNSKEY) > asked, "asked again");
  }

  @Test
  @DisplayName("A client without trust anchors says OFF without asking")
  void probe_noValidation_off() {
    DnsjavaClient c = fake.client(FakeResolver.settings(10, 8, null, clock()));

    assertEquals(DnssecSupport.Status.OFF, answer(c.dnssecSupport()).status());
    assertEquals(List.of(), fake.queries());
  }

  @Test
  @DisplayName("A validly signed answer is authenticated, also when served again from the cache")
  void signedAnswer_isAuthenticated() {
    DnsAnswer<TxtRecord> fresh = answer(client.txt("_mta-sts.example"));
    DnsAnswer<TxtRecord> cached = answer(client.txt("_mta-sts.example"));

    assertEquals(Status.ANSWER, fresh.status());
    assertTrue(fresh.authenticated());
    assertTrue(cached.authenticated());
    assertEquals(1, fake.count("_mta-sts.example", Type.TXT));
  }

  @Test
  @DisplayName(
      "A forged record under a real signature fails validation: a temporary failure, never the"
          + " forged data")
  void forgedAnswer_failsValidation() {
    fake.tamper("_mta-sts.example", Type.TXT, "_mta-sts.example. 300 TXT \"v=STSv1; id=evil\"");

    DnsException e = failure(client.txt("_mta-sts.example"));

    assertInstanceOf(DnssecValidationException.class, e);
    assertTrue(
        e.getMessage()
            .startsWith("DNS lookup of _mta-sts.example TXT failed: DNSSEC validation failed: "),
        e.getMessage());
  }

  @Test
  @DisplayName(
      "SEC-01: a forged NXDOMAIN in a signed zone (no NSEC proof) fails validation instead of"
          + " meaning 'no record'")
  void forgedDenial_failsValidation() {
    assertInstanceOf(DnssecValidationException.class, failure(client.txt("_mta-sts.gone.example")));
  }

  @Test
  @DisplayName("An answer from a zone without a trust anchor is used, but not authenticated")
  void unsignedZone_isNotAuthenticated() {
    DnsAnswer<TxtRecord> answer = answer(client.txt("_mta-sts.other.test"));

    assertEquals(Status.ANSWER, answer.status());
    assertFalse(answer.authenticated());
  }

  @Test
  @DisplayName("A signed CNAME to an unsigned zone is not authenticated: every step must be secure")
  void signedCnameToUnsignedZone_isNotAuthenticated() {
    // A recursive resolver sends the chain and its end in one response; the validator needs that
    // to validate the CNAME (it cannot prove a CNAME-only answer complete).
    fake.chaseCnames(true);
    DnsAnswer<TxtRecord> answer = answer(client.txt("_mta-sts.alias.example"));

    assertEquals("v=STSv1; id=2", answer.records().get(0).text());
    assertFalse(answer.authenticated());
  }

  @Test
  @DisplayName("A signed CNAME to a signed answer is authenticated")
  void signedCnameToSignedAnswer_isAuthenticated() {
    fake.chaseCnames(true);

    DnsAnswer<TxtRecord> answer = answer(client.txt("_mta-sts.inside.example"));

    assertEquals("v=STSv1; id=1", answer.records().get(0).text());
    assertEquals("_mta-sts.example", answer.canonicalName());
    assertTrue(answer.authenticated());
  }
}
