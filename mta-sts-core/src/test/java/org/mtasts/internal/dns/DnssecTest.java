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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsAnswer.Status;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.DnssecValidationException;
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

  private FakeResolver fake;
  private DnsjavaClient client;

  @BeforeEach
  void signedZone() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    DNSKEYRecord key =
        new DNSKEYRecord(
            Name.fromConstantString("example."),
            DClass.IN,
            3600,
            DNSKEYRecord.Flags.ZONE_KEY | DNSKEYRecord.Flags.SEP_KEY,
            DNSKEYRecord.Protocol.DNSSEC,
            DNSSEC.Algorithm.ECDSAP256SHA256,
            keys.getPublic());
    fake =
        new FakeResolver()
            .add(
                "example. 3600 SOA ns.example. admin.example. 1 7200 900 1209600 600",
                key.toString(),
                "_mta-sts.example. 300 TXT \"v=STSv1; id=1\"",
                "_mta-sts.alias.example. 300 CNAME _mta-sts.other.test.",
                "_mta-sts.inside.example. 300 CNAME _mta-sts.example.",
                "_mta-sts.other.test. 300 TXT \"v=STSv1; id=2\"")
            .signWith("example.", key, keys.getPrivate());
    client = fake.client(FakeResolver.settings(10, 8, DnssecAnchors.parse(key.toString()), clock()));
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
