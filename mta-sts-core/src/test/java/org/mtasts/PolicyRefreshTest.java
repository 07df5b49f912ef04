package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TxtRecord;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicySyntaxException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proactive refresh with a fetcher the test completes by hand (STS-CACHE-06/08, SEC-02).
 *
 * <p>Rules implemented in {@link PolicyRefresh}, tested through the facade (issue 13 item 1).
 */
class PolicyRefreshTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n";
  static final String NONE = "version: STSv1\nmode: none\nmax_age: 604800\n";

  final MutableClock clock = new MutableClock(T0);
  final RecordingListener events = new RecordingListener();
  final List<CompletableFuture<FetchedPolicy>> fetches = new CopyOnWriteArrayList<>();
  MtaSts sts;

  @AfterEach
  void close() {
    if (sts != null) {
      sts.close();
    }
  }

  MtaSts client() {
    sts = MtaSts.builder()
        .dnsClient(new TxtDns("v=STSv1; id=A1"))
        .policyFetcher(domain -> {
          CompletableFuture<FetchedPolicy> f = new CompletableFuture<>();
          fetches.add(f);
          return f;
        })
        .clock(clock)
        .listener(events)
        .build();
    return sts;
  }

  static FetchedPolicy policy(String text) {
    try {
      return new FetchedPolicy("example.com", "https://mta-sts.example.com/.well-known/mta-sts.txt",
          Policy.parseDetailed(text), "text/plain", "TLSv1.3");
    } catch (PolicySyntaxException e) {
      throw new AssertionError(e);
    }
  }

  static PolicyFetchException down() {
    return new PolicyFetchException("example.com", FetchFailure.TIMEOUT, "timed out", null);
  }

  void firstLookup(String text) {
    CompletableFuture<PolicyLookup> lookup = sts.resolveAsync("example.com").toCompletableFuture();
    fetches.get(0).complete(policy(text));
    assertTrue(lookup.join().isValid());
  }

  @Test
  void oneRefreshPerDomainAtATime_STS_CACHE_06() {
    client();
    firstLookup(ENFORCE);
    clock.advance(Duration.ofHours(25));
    CompletableFuture<Void> first = sts.cache().refreshNow();
    CompletableFuture<Void> second = sts.cache().refreshNow(); // the first is still running
    assertEquals(2, fetches.size());
    assertTrue(second.isDone());
    fetches.get(1).complete(policy(ENFORCE));
    first.join();
    assertEquals(List.of("refreshed example.com A1"), events.events("refreshed"));
    assertEquals(T0.plus(Duration.ofHours(25)), sts.cache().policies().get(0).fetchedAt());
  }

  @Test
  void refreshFailure_modeNone_keepsEntry_eventButNoAlarm_STS_CACHE_08() {
    client();
    firstLookup(NONE);
    clock.advance(Duration.ofHours(25));
    CompletableFuture<Void> refresh = sts.cache().refreshNow();
    fetches.get(1).completeExceptionally(down());
    refresh.join();
    assertEquals(List.of("fetchFailed example.com TIMEOUT A1"), events.events("fetchFailed"));
    assertEquals(T0, sts.cache().policies().get(0).fetchedAt());
  }

  @Test
  void refreshBringsLowerMode_modeLoweredEvent() {
    client();
    firstLookup(ENFORCE);
    clock.advance(Duration.ofHours(25));
    CompletableFuture<Void> refresh = sts.cache().refreshNow();
    fetches.get(1).complete(policy(NONE.replace("604800", "86400")));
    refresh.join();
    assertEquals(List.of("lowered example.com enforce->none"), events.events("lowered"));
    assertEquals(T0.plus(Duration.ofHours(25)).plusSeconds(86400),
        sts.cache().policies().get(0).expiresAt());
  }

  @Test
  void refreshFinishingAfterInvalidate_resultDiscarded() {
    client();
    firstLookup(ENFORCE);
    clock.advance(Duration.ofHours(25));
    CompletableFuture<Void> refresh = sts.cache().refreshNow();
    sts.cache().invalidate("example.com"); // the entry the refresh started from is gone
    fetches.get(1).complete(policy(ENFORCE));
    refresh.join();
    assertTrue(sts.cache().policies().isEmpty());
  }

  /** Answers every TXT query with one record; nothing else. */
  static final class TxtDns implements DnsClient {
    private final String txt;

    TxtDns(String txt) {
      this.txt = txt;
    }

    @Override
    public CompletionStage<DnsAnswer<TxtRecord>> txt(String name) {
      return CompletableFuture.completedFuture(
          DnsAnswer.of(name, List.of(TxtRecord.of(txt)), Duration.ofMinutes(5)));
    }

    @Override
    public CompletionStage<DnsAnswer<MxRecord>> mx(String name) {
      return CompletableFuture.completedFuture(
          DnsAnswer.empty(name, DnsAnswer.Status.NXDOMAIN, Duration.ZERO));
    }

    @Override
    public CompletionStage<DnsAnswer<InetAddress>> addresses(String name) {
      return CompletableFuture.completedFuture(
          DnsAnswer.empty(name, DnsAnswer.Status.NXDOMAIN, Duration.ZERO));
    }
  }
}
