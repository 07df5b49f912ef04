package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.mtasts.DaneStatus.State;
import org.mtasts.dns.DnsClient;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneRequirement.Status;
import org.mtasts.testkit.dns.DnssecFault;
import org.mtasts.testkit.dns.TestDnsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MtaSts#plan} with DANE over the testkit's DNSSEC-signed loopback DNS and a DNS client
 * validating from its trust anchor: real signatures, NSEC denials, bogus answers, insecure zones
 * (RFC 7672 §2.1, §2.2).
 */
class DaneSignedWorldTest {
  static final byte[] DIGEST = HexFormat.of().parseHex("ab".repeat(32));
  static TestDnsServer dns;

  final List<MtaSts> clients = new ArrayList<>();

  @BeforeAll
  static void world() throws IOException {
    dns = new TestDnsServer().start();
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @BeforeEach
  void zones() {
    dns.reset();
    dns.signZone("example.com").signZone("example.net").insecureZone("insecure.example.com");
    // example.com: DANE-EE at mx1, a bogus TLSA RRset at mx2, mx3 a secure CNAME to a host with
    // DANE-TA records, mx4 in an unsigned child zone.
    dns.mx("example.com", 10, "mx1.example.com").mx("example.com", 20, "mx2.example.com")
        .mx("example.com", 30, "mx3.example.com").mx("example.com", 40, "mx4.insecure.example.com")
        .a("mx1.example.com", "127.0.0.1").tlsa("_25._tcp.mx1.example.com", 3, 1, 1, DIGEST)
        .a("mx2.example.com", "127.0.0.1").tlsa("_25._tcp.mx2.example.com", 3, 1, 1, DIGEST)
        .dnssecFault("_25._tcp.mx2.example.com", "TLSA", DnssecFault.BAD_SIGNATURE)
        .cname("mx3.example.com", "mail.example.net").a("mail.example.net", "127.0.0.1")
        .tlsa("_25._tcp.mail.example.net", 2, 0, 1, DIGEST)
        .a("mx4.insecure.example.com", "127.0.0.1")
        .tlsa("_25._tcp.mx4.insecure.example.com", 3, 1, 1, DIGEST);
    // example.net: only a PKIX-EE record, unusable for SMTP
    dns.mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.1")
        .tlsa("_25._tcp.mx.example.net", 1, 1, 1, DIGEST);
    // a domain whose only MX has a bogus TLSA RRset
    dns.mx("bogus.example.com", 10, "mx2.example.com");
    // an unsigned domain whose MX host is the signed mx1.example.com
    dns.mx("unsigned.test", 10, "mx1.example.com");
  }

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  static DnsClient validating(TestDnsServer server) {
    return DnsClient.builder().server(server.address()).cacheSize(0)
        .timeout(Duration.ofSeconds(2)).retries(0)
        .dnssecTrustAnchors(server.dnssecTrustAnchor()).build();
  }

  MtaSts client() {
    MtaSts sts = MtaSts.builder().dnsClient(validating(dns)).build();
    clients.add(sts);
    return sts;
  }

  static List<Status> statuses(DeliveryPlan plan) {
    return plan.candidates().stream().map(c -> c.dane().status()).toList();
  }

  @Test
  void signedDomain_eachHostItsDaneState_STS_DANE_02_STS_DANE_03() {
    MtaSts sts = client();
    DeliveryPlan plan = sts.plan("example.com");
    assertEquals(State.ACTIVE, sts.daneStatus().state(), sts.daneStatus().toString());
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status(), plan.message());
    assertEquals(List.of(Status.AUTHENTICATE, Status.DNSSEC_FAILED, Status.AUTHENTICATE,
        Status.NONE), statuses(plan), plan.toString());
    assertEquals(List.of("mx1.example.com", "mx3.example.com", "mx4.insecure.example.com"),
        plan.deliverable().stream().map(MxCandidate::host).toList());
    DaneRequirement mx3 = plan.candidates().get(2).dane();
    assertEquals("mail.example.net", mx3.tlsa().orElseThrow().tlsaBaseDomain(),
        "TLSA base domain: the secure CNAME's target (RFC 7672 §2.2.3)");
    assertTrue(plan.candidates().get(1).dane().message().contains("_25._tcp.mx2.example.com"),
        plan.candidates().get(1).dane().message());
    assertTrue(plan.candidates().get(3).dane().message().contains("insecure"),
        plan.candidates().get(3).dane().message());
  }

  @Test
  void unsignedDomain_signedMxHost_none_noTlsaLookup_STS_DANE_02() {
    DeliveryPlan plan = client().plan("unsigned.test");
    assertEquals(List.of(Status.NONE), statuses(plan));
    assertEquals(0, dns.queryCount("_25._tcp.mx1.example.com", "TLSA"));
  }

  @Test
  void unusableRecordsOnly_tlsRequired_STS_DANE_04() {
    DeliveryPlan plan = client().plan("example.net");
    assertEquals(List.of(Status.TLS_REQUIRED), statuses(plan));
    assertTrue(plan.candidates().get(0).allowed());
  }

  @Test
  void onlyMxBogus_temporaryFailure_STS_DANE_03() {
    DeliveryPlan plan = client().plan("bogus.example.com");
    assertEquals(DeliveryPlan.Status.TEMPORARY_FAILURE, plan.status(), plan.message());
    assertTrue(plan.message().contains("DNSSEC"), plan.message());
  }

  @Test
  void expiredTlsaSignature_dnssecFailed_STS_DANE_03() {
    dns.dnssecFault("_25._tcp.mx1.example.com", "TLSA", DnssecFault.EXPIRED_SIGNATURE);
    DeliveryPlan plan = client().plan("example.com");
    assertEquals(Status.DNSSEC_FAILED, plan.candidates().get(0).dane().status());
  }

  @Test
  void daneOff_noTlsaLookups() {
    MtaSts sts = MtaSts.builder().dnsClient(validating(dns)).dane(false).build();
    clients.add(sts);
    DeliveryPlan plan = sts.plan("example.com");
    assertTrue(plan.candidates().stream().allMatch(c -> c.dane() == DaneRequirement.none()));
    assertEquals(0, dns.queryCount("_25._tcp.mx1.example.com", "TLSA"));
  }

  @Test
  void strippingResolver_daneUnavailable_plainClientStillPlans() throws IOException {
    // What MtaSts does with the client it makes itself: MTA-STS's lookups on a plain client, DANE's
    // on a validating one. A resolver that strips DNSSEC records makes the validating client call
    // everything bogus; DANE turns off and the MX lookup goes to the plain client.
    try (TestDnsServer stripping = new TestDnsServer().start()) {
      stripping.signZone("example.com").stripDnssec(true)
          .mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "127.0.0.1")
          .tlsa("_25._tcp.mx1.example.com", 3, 1, 1, DIGEST);
      DnsClient plain = DnsClient.builder().server(stripping.address()).cacheSize(0)
          .timeout(Duration.ofSeconds(2)).retries(0).build();
      List<DaneStatus> changes = new ArrayList<>();
      Planner planner = new Planner(plain, validating(stripping), false, new MtaStsListener() {
        @Override
        public void daneStatusChanged(DaneStatus status) {
          changes.add(status);
        }
      });
      PolicyLookup none =
          PolicyLookup.failed("example.com", PolicyLookup.Status.NO_POLICY, null, false);
      DeliveryPlan plan = planner.plan("example.com", CompletableFuture.completedFuture(none))
          .toCompletableFuture().join();
      assertEquals(DeliveryPlan.Status.DELIVER, plan.status(), plan.message());
      assertEquals(List.of(Status.NONE), statuses(plan));
      assertEquals(List.of(State.UNAVAILABLE), changes.stream().map(DaneStatus::state).toList());
      assertFalse(stripping.queryCount("_25._tcp.mx1.example.com", "TLSA") > 0);
    }
  }
}
