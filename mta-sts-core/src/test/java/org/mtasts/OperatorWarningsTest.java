package org.mtasts;

import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.RefusalReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.dns.DnsClient;
import org.mtasts.policy.Mode;
import org.mtasts.testkit.TestWorldExtension;

/**
 * Issue 12 item 11: protection lost to a local decision is logged at WARN once a day per domain
 * and cause and reported to the listener each time; testing-mode violations are logged at WARN,
 * once a minute per domain and reason, so that they are seen without a listener.
 */
class OperatorWarningsTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
              .domain("example.com", d -> d.policy("enforce", "mx1.example.com").id("A1")
                  .mx(10, "mx1.example.com"))
              .domain("other.example", d -> d.policy("enforce", "mx.other.example").id("B1")
                  .mx(10, "mx.other.example")))
          .resetBeforeEach();

  final MutableClock clock = new MutableClock(T0);
  final RecordingListener events = new RecordingListener();
  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  MtaSts.Builder builder() {
    return MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
            .timeout(Duration.ofSeconds(2)).retries(0).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .fetchDeadline(Duration.ofSeconds(10))
        .listener(events)
        .clock(clock);
  }

  MtaSts client(MtaSts.Builder builder) {
    MtaSts sts = builder.build();
    clients.add(sts);
    return sts;
  }

  @Test
  void item11_addressGuardRefusesThePolicyHost_warnOnceADay_listenerEachTime_D_33() {
    // The world's policy hosts live on 127.0.0.1: the guard (on by default) refuses them.
    MtaSts sts = client(builder());
    List<String> lines;
    try (CapturedLog log = CapturedLog.start()) {
      PolicyLookup first = sts.resolve("example.com");
      assertEquals(PolicyLookup.Status.FETCH_ERROR, first.status(), first.toString());
      clock.advance(Duration.ofMinutes(6)); // past the fetch back-off: fetched, refused again
      sts.resolve("example.com");
      clock.advance(Duration.ofDays(1));
      sts.resolve("example.com");
      lines = log.lines("ADDRESS_GUARD");
    }
    assertEquals(List.of("protectionLost example.com ADDRESS_GUARD",
            "protectionLost example.com ADDRESS_GUARD", "protectionLost example.com ADDRESS_GUARD"),
        events.events("protectionLost"));
    assertEquals(2, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains("WARN") && lines.get(0).contains("example.com")
        && lines.get(0).contains("allow private addresses"), lines.get(0));
    assertTrue(lines.get(1).contains("[1 more in the last day]"), lines.get(1));
    assertEquals(0, world.policyRequests("example.com"), "never connected");
  }

  @Test
  void item11_cachedPolicyStillApplies_theWarningSaysUntilWhen_D_33() {
    FakePolicyStore store = new FakePolicyStore();
    store.put(new StoredPolicy("example.com", "A0",
        "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n", T0));
    MtaSts sts = client(builder().policyStore(store));
    String log;
    try (CapturedLog captured = CapturedLog.start()) {
      assertTrue(sts.resolve("example.com").isEnforced()); // id A1 is new: fetch, refused
      log = captured.text();
    }
    assertTrue(log.contains("the cached enforce policy (id A0) applies until "
        + T0.plusSeconds(86400)), log);
  }

  @Test
  void item11_fullCacheWithoutStoreEvictsALivePolicy_warnAndListener_STS_CACHE_12() {
    MtaSts sts = client(builder().allowPrivateAddresses(true).maximumCachedPolicies(1));
    String log;
    try (CapturedLog captured = CapturedLog.start()) {
      assertTrue(sts.resolve("example.com").isEnforced());
      assertTrue(sts.resolve("other.example").isEnforced());
      sts.cache().policies(); // runs the cache's pending maintenance
      log = captured.text();
    }
    List<String> lost = events.events("protectionLost");
    assertEquals(1, lost.size(), lost.toString());
    assertTrue(lost.get(0).endsWith(" CACHE_EVICTION"), lost.toString());
    assertTrue(log.contains("CACHE_EVICTION") && log.contains("maximumCachedPolicies 1")
        && log.contains("configure a PolicyStore"), log);
  }

  @Test
  void item11_fullCacheWithAStore_evictionLosesNothing_noWarning() {
    MtaSts sts = client(builder().allowPrivateAddresses(true).maximumCachedPolicies(1)
        .policyStore(new FakePolicyStore()));
    sts.resolve("example.com");
    sts.resolve("other.example");
    sts.cache().policies();
    assertEquals(List.of(), events.events("protectionLost"));
  }

  @Test
  void item11_testingViolations_warnOnceAMinutePerDomainAndReason_withTheCount() {
    MtaSts sts = client(builder().allowPrivateAddresses(true));
    PolicyLookup testing = DeliveryRulesTest.lookup(Mode.TESTING);
    List<String> lines;
    try (CapturedLog log = CapturedLog.start()) {
      for (int i = 0; i < 3; i++) {
        assertTrue(sts.check(testing, "mx1.example.com", TlsFacts.noStartTls()).isAllowed());
      }
      sts.check(testing, "mx1.example.com",
          TlsFacts.certificateProblem("TLSv1.3", RefusalReason.CERTIFICATE_EXPIRED));
      clock.advance(Duration.ofMinutes(1));
      sts.check(testing, "mx1.example.com", TlsFacts.noStartTls());
      sts.check(testing, "mx1.example.com", TlsFacts.verified("TLSv1.3")); // no violation
      lines = log.lines("testing mode");
    }
    assertEquals(3, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains("WARN") && lines.get(0).contains("mx1.example.com")
        && lines.get(0).contains("STARTTLS"), lines.get(0));
    assertFalse(lines.get(0).contains("more like it"), lines.get(0));
    assertTrue(lines.get(1).contains("certificate"), lines.get(1));
    assertTrue(lines.get(2).contains("[2 more like it for example.com in the last minute]"),
        lines.get(2));
    assertEquals(5, events.events("reportOnly").size(), "the listener hears every one");
  }

  @Test
  void refusalOutsideEnforce_reachesTheListenerAsARefusal_notAsATestingViolation() {
    // A require-tls override (issue 17) or DANE (issue 18) refuses without an enforce policy;
    // such a refusal used to be reported (and logged) as a testing-mode violation.
    OperatorWarnings warnings = new OperatorWarnings(clock, 100, events);
    try (CapturedLog log = CapturedLog.start()) {
      warnings.decided(DeliveryDecision.refused("example.com", "mx1.example.com", null,
          RefusalReason.STARTTLS_NOT_SUPPORTED, "require-tls without a policy"));
      warnings.decided(DeliveryDecision.refused("example.com", "mx1.example.com", Mode.TESTING,
          RefusalReason.CERTIFICATE_EXPIRED, "require-tls under testing"));
      assertTrue(log.lines("require-tls").isEmpty(), log.text());
    }
    assertEquals(List.of("refused mx1.example.com starttls-not-supported",
        "refused mx1.example.com certificate-expired"), events.events());
  }
}
