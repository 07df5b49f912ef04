package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.PolicyLookup.Source;
import org.mtasts.PolicyLookup.Status;
import org.mtasts.PolicyOverrides.Action;
import org.mtasts.dns.DnsClient;
import org.mtasts.policy.Mode;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsRequirement;

/**
 * Local policy overrides in the lookup (issue 17 item 4), against the testkit's loopback DNS and
 * HTTPS with a hand-moved clock. The transport's real SMTP sessions under overrides are in the
 * Jakarta Mail module's {@code OverridesTransportTest}.
 */
class OverridesResolutionTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
              .domain("enforce.example", d -> d.policy("enforce", "mx.enforce.example")
                  .mx(10, "mx.enforce.example"))
              .domain("testing.example", d -> d.policy("testing", "mx.testing.example")
                  .mx(10, "mx.testing.example"))
              .domain("pinned.example", d -> d.policy("testing", "mx.pinned.example")
                  .mx(10, "mx.pinned.example"))
              .domain("plain.example", d -> d.mx(10, "mx.plain.example")))
          .resetBeforeEach();

  final MutableClock clock = new MutableClock(T0);
  final List<String> applied = new CopyOnWriteArrayList<>();
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
        .allowPrivateAddresses(true)
        .clock(clock)
        .listener(new MtaStsListener() {
          @Override
          public void overrideApplied(String domain, PolicyOverrides.Rule rule) {
            applied.add(domain + " " + rule.action().token());
          }
        });
  }

  MtaSts client(PolicyOverrides overrides) {
    MtaSts sts = builder().overrides(overrides).build();
    clients.add(sts);
    return sts;
  }

  @Test
  void pinned_isAppliedWithoutDnsOrHttps() {
    MtaSts sts = client(PolicyOverrides.builder().pin("pinned.example",
        "version: STSv1\nmode: enforce\nmx: mx.pinned.example\nmax_age: 604800\n").build());
    PolicyLookup lookup = sts.resolve("pinned.example");
    assertEquals(Status.VALID, lookup.status());
    assertEquals(Source.PINNED, lookup.source().orElseThrow());
    assertTrue(lookup.isEnforced());
    assertEquals(Action.PINNED, lookup.override().orElseThrow().action());
    assertEquals(0, world.txtQueries("pinned.example"));
    assertEquals(0, world.policyRequests("pinned.example"));
    DeliveryPlan plan = sts.plan("pinned.example");
    assertEquals(TlsRequirement.VERIFIED, plan.deliverable().get(0).tls());
    // an operator's refresh fetches the published policy into the cache; the pin still applies
    assertEquals(Source.PINNED, sts.cache().refresh("pinned.example").source().orElseThrow());
    assertEquals(1, world.policyRequests("pinned.example"));
    assertEquals(Mode.TESTING, sts.cache().policies().get(0).mode());
  }

  @Test
  void treatTestingAsEnforce_makesTheTestingPolicyEnforce_onEveryLookup() {
    MtaSts sts = client(PolicyOverrides.builder().treatTestingAsEnforce("*.example").build());
    for (int i = 0; i < 2; i++) { // the fetch, then a cache hit
      PolicyLookup lookup = sts.resolve("testing.example");
      assertEquals(Mode.ENFORCE, lookup.mode().orElseThrow(), lookup.toString());
      assertEquals("*.example", lookup.override().orElseThrow().domain());
    }
    DeliveryDecision d = sts.check(sts.resolve("testing.example"), "mx.testing.example",
        TlsFacts.noStartTls());
    assertEquals(DeliveryDecision.Outcome.REFUSED, d.outcome());
    // an enforce policy stays as it is, noted
    assertEquals(Mode.ENFORCE, sts.resolve("enforce.example").mode().orElseThrow());
  }

  @Test
  void requireTls_withoutPolicy_refusesAnMxWithoutTls() {
    MtaSts sts = client(PolicyOverrides.builder().requireTls("plain.example").build());
    PolicyLookup lookup = sts.resolve("plain.example");
    assertEquals(Status.NO_POLICY, lookup.status());
    assertEquals(Action.REQUIRE_TLS, lookup.override().orElseThrow().action());
    DeliveryPlan plan = sts.plan("plain.example");
    assertEquals(TlsRequirement.VERIFIED, plan.deliverable().get(0).tls());
    DeliveryDecision d = sts.check(lookup, "mx.plain.example", TlsFacts.noStartTls());
    assertEquals(DeliveryDecision.Outcome.REFUSED, d.outcome());
    assertEquals(RefusalReason.STARTTLS_NOT_SUPPORTED, d.reason().orElseThrow());
    assertTrue(d.message().contains("require-tls override"), d.message());
  }

  @Test
  void exempt_untilItsExpiry_thenThePublishedPolicyAppliesAgain() {
    Instant until = T0.plus(Duration.ofHours(2));
    MtaSts sts = client(PolicyOverrides.builder().exempt("enforce.example", until).build());
    try (CapturedLog log = CapturedLog.start()) {
      PolicyLookup exempt = sts.resolve("enforce.example");
      assertEquals(Status.NO_POLICY, exempt.status());
      assertFalse(exempt.isEnforced());
      assertEquals(until, exempt.override().orElseThrow().expiresAt().orElseThrow());
      assertEquals(1, log.lines("no MTA-STS policy is applied to it until " + until).size(),
          log.text());
    }
    clock.advance(Duration.ofHours(2));
    PolicyLookup back = sts.resolve("enforce.example");
    assertTrue(back.isEnforced(), back.toString());
    assertTrue(back.override().isEmpty());
  }

  @Test
  void everyRuleInEffect_isReportedOncePerDomainAndUtcDay() {
    MtaSts sts = client(PolicyOverrides.builder().requireTls("*.example").build());
    sts.resolve("plain.example");
    sts.resolve("plain.example");
    sts.resolve("enforce.example");
    sts.plan("plain.example");
    assertEquals(List.of("plain.example require-tls", "enforce.example require-tls"), applied);
    clock.advance(Duration.ofHours(14)); // 2026-03-02, a new UTC day
    sts.resolve("plain.example");
    assertEquals(3, applied.size(), applied.toString());
  }

  @Test
  void overridesFile_isReadAgainWhenItChanges_andABrokenEditKeepsTheRules(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("overrides"), "plain.example require-tls\n");
    MtaSts sts = builder().overridesFile(file).build();
    clients.add(sts);
    assertEquals(Action.REQUIRE_TLS,
        sts.resolve("plain.example").override().orElseThrow().action());

    Files.writeString(file, "# require-tls lifted\n");
    Files.setLastModifiedTime(file, FileTime.from(T0.plusSeconds(60)));
    clock.advance(Duration.ofSeconds(2));
    assertTrue(sts.resolve("plain.example").override().isEmpty());

    Files.writeString(file, "testing.example treat-testing-as-enforce\n");
    Files.setLastModifiedTime(file, FileTime.from(T0.plusSeconds(120)));
    clock.advance(Duration.ofSeconds(2));
    assertEquals(Mode.ENFORCE, sts.resolve("testing.example").mode().orElseThrow());

    try (CapturedLog log = CapturedLog.start()) {
      Files.writeString(file, "testing.example treat-testing-as-enforce\nbad line here!\n");
      Files.setLastModifiedTime(file, FileTime.from(T0.plusSeconds(180)));
      clock.advance(Duration.ofSeconds(2));
      assertEquals(Mode.ENFORCE, sts.resolve("testing.example").mode().orElseThrow());
      assertEquals(1, log.lines("keeping its 1 rule(s) read before").size(), log.text());
    }
  }

  @Test
  void build_failsClosed_onAMissingOrBadFile_andOnBothSettings(@TempDir Path dir)
      throws Exception {
    assertThrows(UncheckedIOException.class,
        () -> builder().overridesFile(dir.resolve("missing")).build());
    Path bad = Files.writeString(dir.resolve("bad"), "x.example exempt\n");
    assertThrows(PolicyOverrides.SyntaxException.class,
        () -> builder().overridesFile(bad).build());
    assertThrows(IllegalStateException.class,
        () -> builder().overrides(PolicyOverrides.none()).overridesFile(bad));
  }
}
