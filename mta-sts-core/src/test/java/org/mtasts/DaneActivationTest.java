package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.mtasts.DaneStatus.State;
import org.mtasts.dns.DnssecSupport;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.tls.DaneRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DANE in {@link MtaSts}: on by default, {@link MtaSts.Builder#dane(boolean) dane(false)} and
 * {@link MtaSts.Builder#daneStrict(boolean)}, the DNS client's DNSSEC probe deciding whether DANE
 * is active ({@link MtaSts#daneStatus()}), logged and reported once per change, and plans that
 * cost nothing more when DANE is off.
 */
class DaneActivationTest {
  static final String EE = DanePlanningTest.EE;

  final List<MtaSts> clients = new ArrayList<>();
  final List<DaneStatus> changes = new ArrayList<>();
  final MtaStsListener listener = new MtaStsListener() {
    @Override
    public synchronized void daneStatusChanged(DaneStatus status) {
      changes.add(status);
    }
  };

  /** A fake whose DNSSEC probe answers {@link #support}, counting the questions. */
  static class ProbedDns extends FakeDaneDns {
    final AtomicReference<DnssecSupport> support =
        new AtomicReference<>(DnssecSupport.available("fake validating client"));
    final AtomicInteger probes = new AtomicInteger();

    @Override
    public CompletionStage<DnssecSupport> dnssecSupport() {
      probes.incrementAndGet();
      return CompletableFuture.completedFuture(support.get());
    }
  }

  /** example.com: two MX hosts under a secure MX RRset, mx1 with DANE-EE, mx2 bogus TLSA. */
  static <T extends FakeDaneDns> T signedWorld(T dns) {
    dns.mx("example.com", true, "mx1.example.com", "mx2.example.com")
        .address("mx1.example.com", true).tlsa("_25._tcp.mx1.example.com", true, EE)
        .address("mx2.example.com", true).bogus("TLSA _25._tcp.mx2.example.com");
    return dns;
  }

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  MtaSts client(MtaSts.Builder b) {
    MtaSts sts = b.build();
    clients.add(sts);
    return sts;
  }

  MtaSts.Builder builder(FakeDaneDns dns) {
    return MtaSts.builder().dnsClient(dns).listener(listener)
        .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
  }

  @Test
  void available_planCarriesDaneRequirements_STS_DANE_02_STS_DANE_03() {
    ProbedDns dns = signedWorld(new ProbedDns());
    MtaSts sts = client(builder(dns));
    DeliveryPlan plan = sts.plan("example.com");
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status(), plan.message());
    assertEquals(DaneRequirement.Status.AUTHENTICATE, plan.candidates().get(0).dane().status());
    assertEquals(DaneRequirement.Status.DNSSEC_FAILED, plan.candidates().get(1).dane().status());
    assertEquals(List.of("mx1.example.com"),
        plan.deliverable().stream().map(MxCandidate::host).toList());
    assertEquals(State.ACTIVE, sts.daneStatus().state());
    sts.plan("example.com");
    assertEquals(1, dns.probes.get(), "an AVAILABLE answer is kept");
    assertEquals(List.of(State.ACTIVE), changes.stream().map(DaneStatus::state).toList());
  }

  @Test
  void daneOff_noProbe_noDaneLookups_planAsWithoutDane() {
    ProbedDns dns = signedWorld(new ProbedDns());
    MtaSts sts = client(builder(dns).dane(false));
    DeliveryPlan plan = sts.plan("example.com");
    assertEquals(0, dns.probes.get());
    assertEquals(List.of("MX example.com", "TXT _mta-sts.example.com"),
        dns.asked.stream().sorted().toList(), "no address or TLSA lookups");
    assertTrue(plan.candidates().stream().allMatch(c -> c.dane() == DaneRequirement.none()));
    assertEquals(2, plan.deliverable().size());
    assertEquals(State.DISABLED, sts.daneStatus().state());
    assertTrue(changes.isEmpty());
    assertNull(sts.settings().daneDnsClient());
  }

  @Test
  void clientThatDoesNotValidate_inactive_reportedOnce_noWarning_noDaneLookups() {
    FakeDaneDns dns = signedWorld(new FakeDaneDns()); // dnssecSupport(): the default, OFF
    MtaSts sts = client(builder(dns));
    try (CapturedLog log = CapturedLog.start()) {
      for (int i = 0; i < 3; i++) {
        DeliveryPlan plan = sts.plan("example.com");
        assertTrue(plan.candidates().stream().allMatch(c -> c.dane() == DaneRequirement.none()));
      }
      // INFO, not WARN (tests log at WARN): a client that does not validate is a choice
      assertTrue(log.lines("DANE").isEmpty(), log.text());
    }
    assertFalse(dns.asked.stream().anyMatch(q -> q.startsWith("TLSA")), dns.asked.toString());
    assertEquals(List.of(State.INACTIVE), changes.stream().map(DaneStatus::state).toList());
    assertEquals(State.INACTIVE, sts.daneStatus().state());
  }

  @Test
  void strippingResolver_unavailable_warnOnce_mtaStsAlone_thenActiveWhenItRecovers() {
    ProbedDns dns = signedWorld(new ProbedDns());
    dns.support.set(DnssecSupport.unavailable("resolver does not return DNSSEC records"));
    MtaSts sts = client(builder(dns));
    try (CapturedLog log = CapturedLog.start()) {
      for (int i = 0; i < 3; i++) {
        DeliveryPlan plan = sts.plan("example.com");
        assertEquals(2, plan.deliverable().size(), "signed domains are not made bogus");
      }
      List<String> lines = log.lines("DANE (RFC 7672) is unavailable");
      assertEquals(1, lines.size(), log.text());
      assertTrue(lines.get(0).contains("WARN"), lines.get(0));
      assertTrue(lines.get(0).contains("resolver does not return DNSSEC records"), lines.get(0));
    }
    assertFalse(dns.asked.stream().anyMatch(q -> q.startsWith("TLSA")), dns.asked.toString());
    assertEquals(3, dns.probes.get(), "unavailable is asked again (the client paces its probes)");
    assertEquals(State.UNAVAILABLE, sts.daneStatus().state());

    dns.support.set(DnssecSupport.available("resolver passes DNSSEC records now"));
    DeliveryPlan plan = sts.plan("example.com");
    assertEquals(DaneRequirement.Status.AUTHENTICATE, plan.candidates().get(0).dane().status());
    assertEquals(List.of(State.UNAVAILABLE, State.ACTIVE),
        changes.stream().map(DaneStatus::state).toList());
  }

  @Test
  void stillUnavailable_eachNewProbeResult_warnsAgain_sameResult_doesNot_STS_DANE_03() {
    ProbedDns dns = signedWorld(new ProbedDns());
    dns.support.set(DnssecSupport.unavailable("resolver does not return DNSSEC records"));
    MtaSts sts = client(builder(dns));
    try (CapturedLog log = CapturedLog.start()) {
      sts.plan("example.com");
      sts.plan("example.com"); // the client's cached result: no second WARN
      dns.support.set(DnssecSupport.unavailable("resolver does not return DNSSEC records"));
      sts.plan("example.com"); // a new probe result, still unavailable: WARN again
      assertEquals(1, log.lines("DANE (RFC 7672) is unavailable").size(), log.text());
      List<String> again = log.lines("DANE (RFC 7672) is still unavailable");
      assertEquals(1, again.size(), log.text());
      assertTrue(again.get(0).contains("WARN"), again.get(0));
    }
    assertEquals(List.of(State.UNAVAILABLE), changes.stream().map(DaneStatus::state).toList());
  }

  @Test
  void probeThatThrows_unavailable_notAFailedPlan() {
    ProbedDns dns = new ProbedDns() {
      @Override
      public CompletionStage<DnssecSupport> dnssecSupport() {
        return CompletableFuture.failedFuture(new IllegalStateException("probe broke"));
      }
    };
    signedWorld(dns);
    MtaSts sts = client(builder(dns));
    assertEquals(DeliveryPlan.Status.DELIVER, sts.plan("example.com").status());
    DaneStatus status = sts.daneStatus();
    assertEquals(State.UNAVAILABLE, status.state());
    assertTrue(status.reason().contains("probe broke"), status.reason());
  }

  @Test
  void strict_daneHostOutsideEnforcePolicy_notAllowed_D_23() throws Exception {
    ProbedDns dns = new ProbedDns();
    dns.mx("example.com", true, "mx.provider.example").address("mx.provider.example", true)
        .tlsa("_25._tcp.mx.provider.example", true, EE)
        .txt("_mta-sts.example.com", "v=STSv1; id=1");
    ParsedPolicy enforce = Policy.parseDetailed(
        "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n");
    PolicyFetcher fetcher = domain -> CompletableFuture.completedFuture(new FetchedPolicy(domain,
        "https://mta-sts.example.com/.well-known/mta-sts.txt", enforce, "text/plain", "TLSv1.3"));
    DeliveryPlan lenient = client(builder(dns).policyFetcher(fetcher)).plan("example.com");
    assertEquals(DeliveryPlan.Status.DELIVER, lenient.status(), lenient.message());
    DeliveryPlan strict =
        client(builder(dns).policyFetcher(fetcher).daneStrict(true)).plan("example.com");
    assertEquals(DeliveryPlan.Status.NO_MATCHING_MX, strict.status(), strict.message());
  }

  @Test
  void defaultClient_daneLookupsValidateOnTheirOwnClient_mtaStsKeepsThePlainOne() {
    MtaSts sts = client(MtaSts.builder());
    MtaStsSettings s = sts.settings();
    assertNotSame(s.dnsClient(), s.daneDnsClient());
    MtaSts variant = client(sts.newBuilder().deferOnDnsFailure(true));
    assertSame(s.daneDnsClient(), variant.settings().daneDnsClient(), "shared, like its cache");
    MtaSts otherClock = client(sts.newBuilder().clock(Clock.systemUTC()));
    assertNotSame(s.daneDnsClient(), otherClock.settings().daneDnsClient());
    assertNull(client(sts.newBuilder().dane(false)).settings().daneDnsClient());
    assertNull(client(MtaSts.builder().dane(false)).settings().daneDnsClient());
  }

  @Test
  void givenClient_isDanesClientToo() {
    ProbedDns dns = new ProbedDns();
    MtaSts sts = client(builder(dns));
    assertSame(dns, sts.settings().daneDnsClient());
    assertSame(dns, client(sts.newBuilder()).settings().daneDnsClient());
  }

  @Test
  void settingsOnce() {
    assertThrows(IllegalStateException.class, () -> MtaSts.builder().dane(true).dane(false));
    assertThrows(IllegalStateException.class,
        () -> MtaSts.builder().daneStrict(true).daneStrict(true));
  }
}
