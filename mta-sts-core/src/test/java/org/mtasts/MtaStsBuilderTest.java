package org.mtasts;

import org.mtasts.tls.TlsFacts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.mtasts.policy.InvalidDomainException;
import org.junit.jupiter.api.Test;

/** Builder validation, null arguments, life cycle. */
class MtaStsBuilderTest {
  /**
   * The setters live in the package-private {@code BuilderSetters}; code in other packages that
   * finds them by reflection (a DI container, a config binder) needs public methods declared on
   * {@code MtaSts.Builder} itself: the bridges javac adds for non-final methods.
   */
  @Test
  void setters_declaredOnTheBuilderItself_forReflectionFromOtherPackages() throws Exception {
    int setters = 0;
    for (Method m : BuilderSetters.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers())) {
        Method declared =
            MtaSts.Builder.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
        assertTrue(Modifier.isPublic(declared.getModifiers()), declared.toString());
        assertEquals(MtaSts.Builder.class, declared.getReturnType(), declared.toString());
        setters++;
      }
    }
    assertTrue(setters >= 20, "found " + setters + " setters");
  }


  @Test
  void settingTwice_fails() {
    List<Consumer<MtaSts.Builder>> setters =
        List.of(
            b -> b.dnsClient(FakeDns.servfail()),
            b -> b.hostResolver(HostResolver.none()),
            b -> b.allowPrivateAddresses(true),
            b -> b.fetchDeadline(Duration.ofSeconds(5)),
            b -> b.policyFetcher(d -> new CompletableFuture<>()),
            b -> b.clock(Clock.systemUTC()),
            b -> b.executor(Runnable::run),
            b -> b.maximumCachedPolicies(10),
            b -> b.policyStore(PolicyStore.none()),
            b -> b.listener(MtaStsListener.NONE),
            b -> b.deferOnDnsFailure(false),
            b -> b.refreshInterval(Duration.ofHours(1)),
            b -> b.fetchRetryBackoff(Duration.ofMinutes(10)),
            b -> b.negativeCacheTtl(Duration.ZERO));
    for (Consumer<MtaSts.Builder> setter : setters) {
      MtaSts.Builder b = MtaSts.builder();
      setter.accept(b);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> setter.accept(b));
      assertTrue(e.getMessage().contains("already set"), e.getMessage());
    }
  }

  @Test
  void outOfRange_namesTheValue() {
    MtaSts.Builder b = MtaSts.builder();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> b.fetchRetryBackoff(Duration.ofMinutes(1)));
    assertTrue(e.getMessage().contains("fetchRetryBackoff") && e.getMessage().contains("PT1M"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> b.maximumCachedPolicies(0));
    assertTrue(e.getMessage().contains(": 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.fetchDeadline(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> b.refreshInterval(Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> b.negativeCacheTtl(Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class,
        () -> b.negativeCacheTtl(Duration.ofSeconds(-1)));
  }

  @Test
  void nullArguments_rejected() {
    MtaSts.Builder b = MtaSts.builder();
    assertThrows(NullPointerException.class, () -> b.dnsClient(null));
    assertThrows(NullPointerException.class, () -> b.hostResolver(null));
    assertThrows(NullPointerException.class, () -> b.trustManager(null));
    assertThrows(NullPointerException.class, () -> b.fetchDeadline(null));
    assertThrows(NullPointerException.class, () -> b.policyFetcher(null));
    assertThrows(NullPointerException.class, () -> b.clock(null));
    assertThrows(NullPointerException.class, () -> b.executor(null));
    assertThrows(NullPointerException.class, () -> b.scheduler(null));
    assertThrows(NullPointerException.class, () -> b.policyStore(null));
    assertThrows(NullPointerException.class, () -> b.listener(null));
    assertThrows(NullPointerException.class, () -> b.refreshInterval(null));
    assertThrows(NullPointerException.class, () -> b.fetchRetryBackoff(null));
    assertThrows(NullPointerException.class, () -> b.negativeCacheTtl(null));
    assertThrows(NullPointerException.class, () -> MtaStsListener.NONE.plus(null));
    try (MtaSts sts = MtaSts.builder().dnsClient(FakeDns.servfail())
        .policyFetcher(d -> new CompletableFuture<>()).build()) {
      assertThrows(NullPointerException.class, () -> sts.resolveAsync(null));
      assertThrows(NullPointerException.class, () -> sts.cache().invalidate(null));
      assertThrows(NullPointerException.class, () -> sts.cache().refreshAsync(null));
      assertThrows(NullPointerException.class, () -> sts.cache().warmUpAsync(null, 1));
      assertThrows(NullPointerException.class, () -> sts.check(null, "mx", TlsFacts.noStartTls()));
      assertThrows(NullPointerException.class,
          () -> MtaSts.plan(null, List.of("mx.example.com")));
    }
  }

  @Test
  void invalidDomain_rejectedBeforeIo() {
    try (MtaSts sts = MtaSts.builder().dnsClient(FakeDns.servfail())
        .policyFetcher(d -> new CompletableFuture<>()).build()) {
      assertThrows(InvalidDomainException.class, () -> sts.resolve("a..b"));
      assertThrows(InvalidDomainException.class, () -> sts.resolve("192.0.2.1"));
      assertThrows(InvalidDomainException.class, () -> sts.plan("under_score.example"));
    }
  }

  @Test
  void close_cancelsRefreshTask_butLeavesGivenSchedulerRunning() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      MtaSts sts = MtaSts.builder().dnsClient(FakeDns.servfail()).scheduler(scheduler)
          .policyFetcher(d -> new CompletableFuture<>()).build();
      sts.close();
      sts.close();
      assertFalse(scheduler.isShutdown());
      // Lookups still work after close.
      assertEquals(PolicyLookup.Status.DNS_ERROR, sts.resolve("example.com").status());
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void resolve_interrupted_restoresFlag() {
    try (MtaSts sts = MtaSts.builder()
        .dnsClient(new GatedDns())
        .policyFetcher(d -> new CompletableFuture<>()).build()) {
      Thread.currentThread().interrupt();
      assertThrows(java.util.concurrent.CancellationException.class,
          () -> sts.resolve("example.com"));
      assertTrue(Thread.interrupted());
    }
  }

  @Test
  void refreshCheckPeriod_boundedBetweenMinuteAndHour() {
    assertEquals(Duration.ofHours(1), PolicyRefresh.refreshCheckPeriod(Duration.ofDays(2)));
    assertEquals(Duration.ofMinutes(30), PolicyRefresh.refreshCheckPeriod(Duration.ofHours(12)));
    assertEquals(Duration.ofMinutes(1), PolicyRefresh.refreshCheckPeriod(Duration.ofMinutes(1)));
  }

  /** A DNS client whose lookups never complete. */
  static final class GatedDns implements org.mtasts.dns.DnsClient {
    @Override
    public java.util.concurrent.CompletionStage<org.mtasts.dns.DnsAnswer<org.mtasts.dns.TxtRecord>>
        txt(String name) {
      return new CompletableFuture<>();
    }

    @Override
    public java.util.concurrent.CompletionStage<org.mtasts.dns.DnsAnswer<org.mtasts.dns.MxRecord>>
        mx(String name) {
      return new CompletableFuture<>();
    }

    @Override
    public java.util.concurrent.CompletionStage<
            org.mtasts.dns.DnsAnswer<java.net.InetAddress>>
        addresses(String name) {
      return new CompletableFuture<>();
    }
  }
}
