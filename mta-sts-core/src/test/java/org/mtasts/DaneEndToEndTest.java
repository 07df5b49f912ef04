package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLHandshakeException;
import org.mtasts.dns.DnsClient;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.report.PolicyType;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.report.SessionResult;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.dns.Tlsa;
import org.mtasts.testkit.smtp.SmtpBehaviour;
import org.mtasts.testkit.smtp.SmtpReceiver;
import org.mtasts.testkit.smtp.SmtpTestClient;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plan, STARTTLS, check and record with DANE through real components: the testkit's signed DNS,
 * a DNS client validating from its anchor, testkit SMTP receivers with their certificates, and
 * {@link MxTlsVerifier}'s DANE sockets; an enforce MTA-STS policy listing {@code mx1.example.com}.
 */
class DaneEndToEndTest {
  static final String MX1 = "mx1.example.com";
  static final String OUTSIDE = "mx.hosting.example";
  static final TestCertificateAuthority CA = TestCertificateAuthority.create("DANE e2e CA");
  static final IssuedCertificate GOOD = CA.issue(MX1);
  static final IssuedCertificate PUBLISHED = CA.issue(MX1);
  static final IssuedCertificate SELF_SIGNED =
      CA.leaf("wrong-name.invalid").selfSigned().build();
  static TestDnsServer dns;

  final List<MtaSts> clients = new ArrayList<>();
  final List<TlsOutcome> outcomes = new CopyOnWriteArrayList<>();
  final RecordingTlsRptRecorder recorder = new RecordingTlsRptRecorder();

  @BeforeAll
  static void world() throws IOException {
    dns = new TestDnsServer().start();
    dns.signZone("example.com").signZone("hosting.example")
        // example.com: mx1 publishes DANE-EE for a certificate it does not serve
        .mx("example.com", 10, MX1).a(MX1, "127.0.0.1")
        .tlsa("_25._tcp." + MX1, Tlsa.DANE_EE, Tlsa.SPKI, Tlsa.SHA2_256,
            Tlsa.data(PUBLISHED.certificate(), Tlsa.SPKI, Tlsa.SHA2_256))
        // hosted.example.com: its MX is a provider's host outside the policy's mx patterns,
        // with DANE-EE for a self-signed certificate (WebPKI rejects it)
        .mx("hosted.example.com", 10, OUTSIDE).a(OUTSIDE, "127.0.0.1")
        .tlsa("_25._tcp." + OUTSIDE, Tlsa.DANE_EE, Tlsa.SPKI, Tlsa.SHA2_256,
            Tlsa.data(SELF_SIGNED.certificate(), Tlsa.SPKI, Tlsa.SHA2_256));
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  MtaSts client(boolean strict) throws Exception {
    ParsedPolicy enforce = Policy.parseDetailed(
        "version: STSv1\nmode: enforce\nmx: " + MX1 + "\nmax_age: 86400\n");
    dns.txt("_mta-sts.example.com", "v=STSv1; id=1").txt("_mta-sts.hosted.example.com",
        "v=STSv1; id=1");
    MtaSts sts = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(dns.address()).cacheSize(0)
            .timeout(Duration.ofSeconds(2)).retries(0)
            .dnssecTrustAnchors(dns.dnssecTrustAnchor()).build())
        .policyFetcher(domain -> CompletableFuture.completedFuture(new FetchedPolicy(domain,
            "https://mta-sts." + domain + "/.well-known/mta-sts.txt", enforce, "text/plain",
            "TLSv1.3")))
        .tlsRptRecorder(recorder)
        .daneStrict(strict)
        .build();
    clients.add(sts);
    return sts;
  }

  /** STARTTLS with {@code mx}'s DANE socket against a receiver serving {@code certificate}. */
  TlsOutcome session(MxCandidate mx, IssuedCertificate certificate, boolean strict)
      throws IOException {
    MxTlsVerifier verifier = MxTlsVerifier.create(CA.trustManager());
    try (SmtpReceiver receiver = SmtpReceiver.builder(mx.host())
            .behaviour(SmtpBehaviour.startTls(certificate)).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(receiver)) {
      try {
        client.upgrade(verifier.socketFactory(mx.dane().tlsa().orElseThrow(), strict,
            outcomes::add), mx.host());
        client.command("QUIT");
      } catch (SSLHandshakeException e) {
        // the DANE socket aborted: the outcome says why
      }
    }
    assertEquals(1, outcomes.size(), outcomes.toString());
    return outcomes.get(0);
  }

  @Test
  void webPkiValidCertificateMatchingNoTlsaRecord_refused_recordedTlsaInvalid_STS_DANE_01()
      throws Exception {
    MtaSts sts = client(false);
    DeliveryPlan plan = sts.plan("example.com");
    MxCandidate mx1 = plan.deliverable().get(0);
    assertEquals(DaneRequirement.Status.AUTHENTICATE, mx1.dane().status(), plan.toString());
    assertTrue(mx1.matchesPolicy());

    TlsOutcome outcome = session(mx1, GOOD, false);
    assertEquals(Optional.of(DaneResult.FAILED), outcome.dane(), outcome.toString());
    assertTrue(outcome.webPki().orElseThrow().passed(), "MTA-STS alone would pass");

    DeliveryDecision d = sts.check(plan.lookup(), mx1, outcome.facts());
    assertEquals(DeliveryDecision.Outcome.REFUSED, d.outcome(), d.toString());
    assertEquals(Optional.of(RefusalReason.TLSA_INVALID), d.reason());

    SessionResult r = sts.recordSession(plan.lookup(), mx1, outcome.facts(),
        SessionEndpoints.unknown());
    assertEquals(PolicyType.TLSA, r.policy().type());
    assertEquals(MX1, r.policy().domain());
    assertEquals(ResultType.TLSA_INVALID, r.failures().get(0).resultType());
    assertEquals(List.of(r), recorder.results());
  }

  @Test
  void selfSignedDaneEeOutsideEnforcePolicy_delivered_strictRefuses_D_23() throws Exception {
    MtaSts sts = client(false);
    DeliveryPlan plan = sts.plan("hosted.example.com");
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status(), plan.message());
    MxCandidate mx = plan.deliverable().get(0);
    assertFalse(mx.matchesPolicy());
    TlsOutcome outcome = session(mx, SELF_SIGNED, false);
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcome.dane(), outcome.toString());
    DeliveryDecision d = sts.check(plan.lookup(), mx, outcome.facts());
    assertEquals(DeliveryDecision.Outcome.ALLOWED, d.outcome(), d.toString());
    SessionResult r =
        sts.recordSession(plan.lookup(), mx, outcome.facts(), SessionEndpoints.unknown());
    assertTrue(r.isSuccess(), r.toString());
    assertEquals(OUTSIDE, r.policy().domain());

    MtaSts strict = client(true);
    DeliveryPlan strictPlan = strict.plan("hosted.example.com");
    assertEquals(DeliveryPlan.Status.NO_MATCHING_MX, strictPlan.status(), strictPlan.message());
    assertThrows(IndexOutOfBoundsException.class, () -> strictPlan.deliverable().get(0));
  }
}
