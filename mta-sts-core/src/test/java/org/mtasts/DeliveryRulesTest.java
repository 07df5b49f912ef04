package org.mtasts;

import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsRequirement;
import org.mtasts.tls.RefusalReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.mtasts.DeliveryDecision.Outcome;
import org.mtasts.dns.DnsClient;
import org.mtasts.policy.Mode;
import org.mtasts.policy.Policy;
import org.mtasts.testkit.DomainSpec;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.dns.TestDnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MtaSts#plan} and {@link MtaSts#check}: RFC 8461 §4 and §5 applied to MX hosts.
 *
 * <p>Rules implemented in {@link DeliveryRules}, tested through the facade (issue 13 item 1).
 */
class DeliveryRulesTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(
              w ->
                  w.domain("enforce.example", d -> d.policy("enforce", "mx1.enforce.example",
                              "*.backup.example")
                          .mx(30, "mx3.enforce.example", Mx.goodTls())
                          .mx(10, "mx1.enforce.example", Mx.goodTls())
                          .mx(20, "mx.backup.example", Mx.goodTls()))
                      .domain("testing.example", d -> d.policy("testing", "mx1.testing.example")
                          .mx(10, "mx2.testing.example", Mx.goodTls()))
                      .domain("nomatch.example", d -> d.policy("enforce", "mx.other.example")
                          .mx(10, "mx1.nomatch.example").mx(20, "mx2.nomatch.example"))
                      .domain("plain.example", d -> d.mx(10, "mx.plain.example"))
                      .domain("nullmx.example", DomainSpec::nullMx)
                      .domain("underscore.example", d -> d.policy("enforce",
                              "*.underscore.example")
                          .mx(20, "mx.underscore.example", Mx.goodTls()))
                      // Issue 12 item 3: names DomainNames refuses, preferred to the good MX.
                      .dns(dns -> dns.mx("underscore.example", 5, "mx_1.underscore.example")
                          .mx("underscore.example", 10, "-mx.underscore.example")
                          .mx("onlybad.example", 10, "mx_1.onlybad.example")
                          .a("onlybad.example", "127.0.0.1")))
          .resetBeforeEach();

  final RecordingListener events = new RecordingListener();
  final MutableClock clock = new MutableClock(T0);
  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  MtaSts client() {
    MtaSts sts =
        MtaSts.builder()
            .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
                .timeout(Duration.ofSeconds(2)).retries(0).build())
            .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
            .trustManager(world.trustManager())
            .allowPrivateAddresses(true)
            .clock(clock)
            .listener(events)
            .build();
    clients.add(sts);
    return sts;
  }

  @Test
  void plan_enforce_mxInPreferenceOrder_nonMatchingNotAllowed_STS_APPLY_09() {
    DeliveryPlan plan = client().plan("enforce.example");
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status(), plan.toString());
    assertEquals(
        List.of(
            new MxCandidate("mx1.enforce.example", 10, true, true, TlsRequirement.VERIFIED),
            new MxCandidate("mx.backup.example", 20, true, true, TlsRequirement.VERIFIED),
            new MxCandidate("mx3.enforce.example", 30, false, false, TlsRequirement.VERIFIED)),
        plan.candidates());
    assertEquals(2, plan.deliverable().size());
    assertTrue(plan.lookup().isEnforced());
  }

  @Test
  void plan_testing_mismatchAllowedAndReportable() {
    DeliveryPlan plan = client().plan("testing.example");
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status());
    assertEquals(
        List.of(new MxCandidate("mx2.testing.example", 10, false, true,
            TlsRequirement.VERIFY_AND_REPORT)),
        plan.candidates());
  }

  @Test
  void plan_enforce_noMxMatches_noConnection_temporary_STS_APPLY_10() {
    DeliveryPlan plan = client().plan("nomatch.example");
    assertEquals(DeliveryPlan.Status.NO_MATCHING_MX, plan.status());
    assertTrue(plan.status().isTemporary());
    assertTrue(plan.deliverable().isEmpty());
    assertTrue(plan.message().contains("mx1.nomatch.example"), plan.message());
  }

  @Test
  void plan_noMatch_thenIdChangesToPolicyListingTheMx_deliver_EDGE_89() {
    MtaSts sts = client();
    assertEquals(DeliveryPlan.Status.NO_MATCHING_MX, sts.plan("nomatch.example").status());
    world.domain("nomatch.example").id("FIXED2");
    world.domain("nomatch.example").policy("enforce", "*.nomatch.example");
    clock.advance(Duration.ofMinutes(10));
    DeliveryPlan retry = sts.plan("nomatch.example");
    assertEquals(DeliveryPlan.Status.DELIVER, retry.status(), retry.toString());
    assertEquals(2, retry.deliverable().size());
  }

  @Test
  void plan_noPolicy_opportunistic_STS_APPLY_08() {
    DeliveryPlan plan = client().plan("plain.example");
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status());
    assertEquals(PolicyLookup.Status.NO_POLICY, plan.lookup().status());
    assertEquals(
        List.of(new MxCandidate("mx.plain.example", 10, true, true,
            TlsRequirement.OPPORTUNISTIC)),
        plan.candidates());
  }

  @Test
  void plan_nullMx_permanent_STS_MX_09() {
    DeliveryPlan plan = client().plan("nullmx.example");
    assertEquals(DeliveryPlan.Status.NULL_MX, plan.status());
    assertTrue(plan.status().isPermanent());
    assertTrue(plan.candidates().isEmpty());
  }

  @Test
  void plan_noSuchDomain_permanent_STS_MX_02() {
    DeliveryPlan plan = client().plan("nonexistent.example");
    assertEquals(DeliveryPlan.Status.NO_SUCH_DOMAIN, plan.status());
    assertTrue(plan.status().isPermanent());
  }

  @Test
  void plan_mxLookupServfail_temporary_STS_MX_03() {
    world.dns().fault("enforce.example", "MX", TestDnsServer.Fault.SERVFAIL);
    DeliveryPlan plan = client().plan("enforce.example");
    assertEquals(DeliveryPlan.Status.TEMPORARY_FAILURE, plan.status());
    assertTrue(plan.lookup().isEnforced()); // the policy lookup itself was fine
  }

  @Test
  void plan_ownMxList_pureAndOrdered() {
    PolicyLookup lookup = lookup(Mode.ENFORCE);
    DeliveryPlan plan = MtaSts.plan(lookup, List.of("MX2.Example.NET.", "mx1.example.com"));
    assertEquals(List.of("mx2.example.net", "mx1.example.com"),
        plan.candidates().stream().map(MxCandidate::host).toList());
    assertEquals(List.of(true, true),
        plan.candidates().stream().map(MxCandidate::allowed).toList());
    DeliveryPlan none = MtaSts.plan(lookup, List.of("evil.example"));
    assertEquals(DeliveryPlan.Status.NO_MATCHING_MX, none.status());
    assertThrows(IllegalArgumentException.class, () -> MtaSts.plan(lookup, List.of()));
  }

  @Test
  void item03_malformedMxNames_skipped_nextMxPlanned_STS_MX_08() {
    DeliveryPlan plan = client().plan("underscore.example");
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status(), plan.toString());
    assertEquals(
        List.of(new MxCandidate("mx.underscore.example", 20, true, true,
            TlsRequirement.VERIFIED)),
        plan.candidates());
  }

  @Test
  void item03_onlyMalformedMxNames_noMailHost_notTheDomainsAddress_STS_MX_08_STS_MX_05() {
    DeliveryPlan plan = client().plan("onlybad.example");
    assertEquals(DeliveryPlan.Status.NO_MAIL_HOST, plan.status(), plan.toString());
    assertTrue(plan.candidates().isEmpty());
  }

  @Test
  void item03_ownMxListWithMalformedNames_skippedAndNamed_STS_MX_08() {
    PolicyLookup lookup = lookup(Mode.ENFORCE);
    DeliveryPlan plan =
        MtaSts.plan(lookup, List.of("mx_1.example.net", "mx1.example.com", "a b\u001b.example"));
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status(), plan.toString());
    assertEquals(List.of("mx1.example.com"),
        plan.candidates().stream().map(MxCandidate::host).toList());
    assertTrue(plan.message().contains("'mx_1.example.net'")
        && plan.message().contains("'a b\\u001b.example'"), plan.message());
    DeliveryPlan none = MtaSts.plan(lookup, List.of("mx_1.example.net"));
    assertEquals(DeliveryPlan.Status.NO_MAIL_HOST, none.status());
    assertTrue(none.message().contains("'mx_1.example.net'"), none.message());
  }

  @Test
  void plan_deferOnDnsFailure_temporary_D_01() {
    PolicyLookup deferred = PolicyLookup.failed("example.com", PolicyLookup.Status.DNS_ERROR,
        new LookupFailure(null, "SERVFAIL", null), true);
    assertEquals(DeliveryPlan.Status.TEMPORARY_FAILURE,
        MtaSts.plan(deferred, List.of("mx1.example.com")).status());
    PolicyLookup proceed = PolicyLookup.failed("example.com", PolicyLookup.Status.DNS_ERROR,
        new LookupFailure(null, "SERVFAIL", null), false);
    assertEquals(DeliveryPlan.Status.DELIVER,
        MtaSts.plan(proceed, List.of("mx1.example.com")).status());
  }

  static PolicyLookup lookup(Mode mode) {
    Policy.Builder b = Policy.builder().mode(mode).maxAge(Duration.ofDays(1));
    if (mode != Mode.NONE) {
      b.mx("mx1.example.com").mx("*.example.net");
    }
    CachedPolicy p = new CachedPolicy("example.com", "ID1", b.build(), T0, T0.plusSeconds(86400));
    return PolicyLookup.valid(PolicyLookup.Source.FETCHED, p, List.of(), null);
  }

  static Stream<Arguments> decisions() {
    TlsFacts ok = TlsFacts.verified("TLSv1.3");
    TlsFacts expired = TlsFacts.certificateProblem("TLSv1.2", RefusalReason.CERTIFICATE_EXPIRED);
    TlsFacts plain = TlsFacts.noStartTls();
    TlsFacts old = TlsFacts.verified("TLSv1.1");
    TlsFacts handshake = TlsFacts.handshakeFailed(RefusalReason.TLS_HANDSHAKE_FAILED);
    return Stream.of(
        Arguments.of("§5 enforce, verified", Mode.ENFORCE, "mx1.example.com", ok,
            Outcome.ALLOWED, null),
        Arguments.of("§4.1 enforce, wildcard host", Mode.ENFORCE, "a.example.net", ok,
            Outcome.ALLOWED, null),
        Arguments.of("§4.1 enforce, mx mismatch", Mode.ENFORCE, "mx.evil.example", ok,
            Outcome.REFUSED, RefusalReason.MX_MISMATCH),
        Arguments.of("§4.2 enforce, no STARTTLS", Mode.ENFORCE, "mx1.example.com", plain,
            Outcome.REFUSED, RefusalReason.STARTTLS_NOT_SUPPORTED),
        Arguments.of("§4.2 enforce, expired certificate", Mode.ENFORCE, "mx1.example.com",
            expired, Outcome.REFUSED, RefusalReason.CERTIFICATE_EXPIRED),
        Arguments.of("D-04 enforce, TLS 1.1", Mode.ENFORCE, "mx1.example.com", old,
            Outcome.REFUSED, RefusalReason.TLS_VERSION),
        Arguments.of("§4.2 enforce, handshake failed", Mode.ENFORCE, "mx1.example.com",
            handshake, Outcome.REFUSED, RefusalReason.TLS_HANDSHAKE_FAILED),
        Arguments.of("§5 testing, verified", Mode.TESTING, "mx1.example.com", ok,
            Outcome.ALLOWED, null),
        Arguments.of("§5 testing, no STARTTLS", Mode.TESTING, "mx1.example.com", plain,
            Outcome.REPORT_ONLY, RefusalReason.STARTTLS_NOT_SUPPORTED),
        Arguments.of("§5 testing, mx mismatch", Mode.TESTING, "mx.evil.example", ok,
            Outcome.REPORT_ONLY, RefusalReason.MX_MISMATCH),
        Arguments.of("§5 none, no STARTTLS", Mode.NONE, "mx.evil.example", plain,
            Outcome.ALLOWED, null),
        Arguments.of("STS-APPLY-08 no policy, no STARTTLS", null, "mx.evil.example", plain,
            Outcome.ALLOWED, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void check_decisionPerMode(String name, Mode mode, String host, TlsFacts facts,
      Outcome outcome, RefusalReason reason) {
    MtaSts sts = client();
    PolicyLookup lookup =
        mode == null
            ? PolicyLookup.failed("example.com", PolicyLookup.Status.NO_POLICY, null, false)
            : lookup(mode);
    DeliveryDecision decision = sts.check(lookup, host, facts);
    assertEquals(outcome, decision.outcome(), decision.toString());
    assertEquals(reason, decision.reason().orElse(null));
    assertEquals(outcome != Outcome.REFUSED, decision.isAllowed());
    switch (outcome) {
      case REFUSED -> assertEquals(List.of("refused " + host + " " + reason.code()),
          events.events());
      case REPORT_ONLY -> assertEquals(List.of("reportOnly " + host + " " + reason.code()),
          events.events());
      default -> assertTrue(events.events().isEmpty());
    }
  }

  @Test
  void check_refusalMessage_namesDomainModeHostAndStatus_D_22() {
    DeliveryDecision d =
        client().check(lookup(Mode.ENFORCE), "mx1.example.com", TlsFacts.noStartTls());
    assertTrue(d.message().contains("example.com"), d.message());
    assertTrue(d.message().contains("enforce"), d.message());
    assertTrue(d.message().contains("4.7.10"), d.message());
    assertFalse(d.isAllowed());
  }
}
