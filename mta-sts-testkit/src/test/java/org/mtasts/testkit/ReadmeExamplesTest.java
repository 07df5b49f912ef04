package org.mtasts.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.dns.Validator;
import org.mtasts.testkit.dns.Validator.Status;
import org.mtasts.testkit.https.PolicyResponse;

/** The other code blocks of the module README compile and do what the README says. */
class ReadmeExamplesTest {
  @RegisterExtension
  final TestWorldExtension world =
      TestWorldExtension.create(
          w ->
              w.domain(
                  "example.com",
                  d ->
                      d.policy("enforce", "mx1.example.com", "mx2.example.com")
                          .mx(10, "mx1.example.com", Mx.goodTls())
                          .mx(20, "mx2.example.com", Mx.noStartTls())));

  @Test
  void describingDomains() throws Exception {
    try (TestWorld w =
        TestWorld.start(
            b ->
                b.domain(
                        "plain.example",
                        d -> d.mx(10, "mx.plain.example", Mx.noStartTls())) // no MTA-STS
                    .domain("nomail.example", DomainSpec::nullMx)
                    .domain(
                        "hosted.example",
                        d ->
                            d.policy("testing", "*.provider.example")
                                .txtViaCname("_mta-sts.provider.example")
                                .mx(5, "mx.provider.example"))
                    .domain("broken.example", d -> d.policyText("version: STSv2\nmode: sometimes"))
                    .domain(
                        "expired.example",
                        d ->
                            d.policy("enforce", "mx.expired.example")
                                .policyCertificate(Cert.expired()))
                    .dns(
                        dns ->
                            dns.fault("_mta-sts.plain.example", TestDnsServer.Fault.SERVFAIL)))) {
      assertEquals(
          Set.of("mta-sts.hosted.example", "mta-sts.broken.example", "mta-sts.expired.example"),
          w.hostMap().keySet().stream()
              .filter(h -> h.startsWith("mta-sts."))
              .collect(Collectors.toSet()));
      assertEquals(
          "SERVFAIL",
          Clients.rcode(Clients.query(w.dnsAddress(), "_mta-sts.plain.example", "TXT")));
    }
  }

  @Test
  void changingTheWorldWhileItRuns() throws Exception {
    WorldDomain d = world.domain("example.com");
    d.policy("testing", "mx1.example.com"); // or policy(mode, maxAge, mx...), policyText(raw)
    String id = d.rotateId(); // or id("..."), txt(raw...), txt() to remove it
    d.policyDown(); // 503 until policyUp()
    d.policyDropsConnections(); // connection closed after the ClientHello
    d.policyUp(); // the policy text again, normal handshake
    d.respond(PolicyResponse.status(404)); // any response
    d.policyCertificate(Cert.expired()); // from the next connection on
    d.policyHost().tlsProtocols("TLSv1.2"); // the raw PolicyHost
    world.setMx("mx2.example.com", Mx.goodTls()); // new SMTP connections behave so
    assertEquals(List.of("v=STSv1; id=" + id), d.txtRecords());

    world.reset(); // back to the start state, recordings cleared
    world.resetRecordings(); // only forget captured mail, queries, requests, counters
    assertEquals(
        200,
        Clients.get(
                world.address("mta-sts.example.com"), world.clientContext(), "mta-sts.example.com")
            .status());
  }

  @Test
  void plainUse() throws Exception {
    try (TestWorld world =
        TestWorld.start(
            w ->
                w.domain(
                    "example.com",
                    d ->
                        d.policy("enforce", "mx1.example.com")
                            .mx(10, "mx1.example.com", Mx.goodTls())))) {
      Path trust = world.writeTrustPem(Files.createTempFile("world", ".pem"));
      // run the demo against world.dnsAddress(), world.hostMap() and trust
      try {
        assertTrue(Files.readString(trust).contains("BEGIN CERTIFICATE"));
      } finally {
        Files.delete(trust);
      }
    }
  }

  @Test
  void dnssecAndDane() throws Exception {
    try (TestWorld w =
        TestWorld.start(
            b ->
                b.dnssec()
                    .domain(
                        "example.com",
                        d ->
                            d.policy("enforce", "mx1.example.com")
                                .mx(10, "mx1.example.com", Mx.goodTls(), Dane.ee())
                                .mx(20, "mx2.example.net", Mx.selfSignedCertificate(), Dane.ee())
                                .mx(30, "mx3.example.org", Mx.goodTls(), Dane.mismatch())
                                .mx(
                                    40,
                                    "mx4.example.org",
                                    Mx.goodTls(),
                                    Dane.ee().inUnsignedZone()))
                    .domain(
                        "legacy.example",
                        d -> d.unsigned().mx(10, "mx.legacy.example", Mx.goodTls(), Dane.ee())))) {
      Validator validator =
          new Validator(w.dnsAddress(), w.dnssecTrustAnchor(), java.time.Clock.systemUTC());
      for (String secure :
          List.of(
              "_25._tcp.mx1.example.com",
              "_25._tcp.mx2.example.net",
              "_25._tcp.mx3.example.org")) {
        assertEquals(Status.SECURE, validator.validate(secure, "TLSA").status(), secure);
      }
      assertEquals(
          Status.INSECURE, validator.validate("_25._tcp.mx4.example.org", "TLSA").status());
      assertEquals(Status.INSECURE, validator.validate("legacy.example", "MX").status());
      assertEquals(Status.SECURE, validator.validate("example.com", "MX").status());
    }
  }
}
