package org.mtasts;

import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TrustAnchors;
import org.mtasts.tls.RefusalReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;

/** The README's "Using the policy API" example, run against a testkit world as a user would. */
class ReadmeExampleTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w.domain("example.com", d -> d
          .policy("enforce", "mx1.example.com")
          .mx(10, "mx1.example.com", Mx.goodTls())
          .mx(20, "mx2.example.com", Mx.goodTls())));

  @Test
  void theReadmeExampleWorks(@TempDir Path dir) {
    List<String> downgrades = new ArrayList<>();
    MutableClock clock = new MutableClock(java.time.Instant.now());
    try (MtaSts sts = MtaSts.builder()
        .clock(clock)
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .policyStore(PolicyStore.directory(dir))
        .listener(new MtaStsListener() {
          @Override public void modeLowered(CachedPolicy before, CachedPolicy after) {
            downgrades.add(after.domain() + ": " + before.mode() + " -> " + after.mode());
          }
        })
        .build()) {
      PolicyLookup lookup = sts.resolve("example.com");
      assertEquals(PolicyLookup.Status.VALID, lookup.status());
      assertTrue(lookup.isEnforced());
      assertEquals(PolicyLookup.Source.FETCHED, lookup.source().orElseThrow());

      DeliveryPlan plan = sts.plan("example.com");
      List<String> hosts = plan.deliverable().stream().map(MxCandidate::host).toList();
      assertEquals(List.of("mx1.example.com"), hosts, "mx2 is not in the enforce policy");
      DeliveryDecision decision =
          sts.check(plan.lookup(), "mx1.example.com", TlsFacts.verified("TLSv1.3"));
      assertTrue(decision.isAllowed(), decision.toString());
      DeliveryDecision refused =
          sts.check(plan.lookup(), "mx1.example.com", TlsFacts.noStartTls());
      assertEquals(RefusalReason.STARTTLS_NOT_SUPPORTED, refused.reason().orElseThrow());

      world.domain("example.com").policy("testing", "mx1.example.com");
      world.domain("example.com").rotateId();
      // Past the TXT answer's 5-minute TTL (D-17; also SEC-14: one new-id fetch a minute).
      clock.advance(java.time.Duration.ofMinutes(6));
      assertEquals(PolicyLookup.Source.FETCHED, sts.resolve("example.com").source().orElseThrow());
      assertEquals(List.of("example.com: ENFORCE -> TESTING"), downgrades);
    }

    MxTlsVerifier verifier = MxTlsVerifier.create(TrustAnchors.system());
    SSLSocketFactory tls = verifier.socketFactory("mx1.example.com", true,
        outcome -> { });
    assertTrue(tls.getDefaultCipherSuites().length > 0);
  }
}
