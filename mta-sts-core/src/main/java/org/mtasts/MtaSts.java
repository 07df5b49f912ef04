package org.mtasts;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import javax.net.ssl.X509TrustManager;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.MxHost;
import org.mtasts.dns.MxLookup;
import org.mtasts.dns.MxResolver;
import org.mtasts.internal.cache.CacheEntry;
import org.mtasts.internal.cache.FetchGate;
import org.mtasts.internal.cache.Throttle;
import org.mtasts.internal.cache.TimedCache;
import org.mtasts.internal.discovery.PolicyDiscovery;
import org.mtasts.internal.discovery.PolicyDiscovery.Discovery;
import org.mtasts.internal.fetch.OkHttpPolicyFetcher;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.Mode;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicyRecord;
import org.mtasts.policy.PolicySyntaxException;
import org.mtasts.policy.RecordSelection;
import org.mtasts.report.ResultType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA-STS client (RFC 8461): finds, caches and applies the policy of a recipient domain. Build
 * one with {@link #builder()}, share it between all threads, and {@link #close()} it when done.
 *
 * <pre>{@code
 * MtaSts sts = MtaSts.builder().build();
 * DeliveryPlan plan = sts.plan("example.com");           // policy + MX hosts in order
 * for (MxCandidate mx : plan.deliverable()) {
 *   TlsFacts facts = ...;                                 // connect, STARTTLS, verify
 *   DeliveryDecision d = sts.check(plan.lookup(), mx.host(), facts);
 *   if (d.isAllowed()) { ...send...; break; }
 * }
 * }</pre>
 *
 * <p><b>What a lookup does.</b> Each {@link #resolve(String)} looks up the {@code _mta-sts} TXT
 * record (DNS TTL caching applies, D-17). If its id equals the id of the cached, unexpired policy,
 * the cached policy is used without HTTPS (STS-CACHE-04), and until that TXT answer's TTL runs
 * out further lookups of the domain answer from memory without asking the DNS client again (a
 * caching resolver could only return the same answer; a record with TTL 0 is asked every time,
 * and no answer is reused for more than a day). This holds even for a DNS client whose own cache
 * is off. Such a cache hit costs well under a microsecond and allocates nothing. A new id, or nothing
 * cached, fetches the policy over HTTPS (STS-CACHE-03, STS-DISC-13); a policy is cached until
 * {@code fetchedAt + max_age} (STS-CACHE-01), never applied after that (STS-CACHE-02), and
 * {@code max_age: 0} applies to the one lookup only (D-09). If the fetch fails or the TXT record
 * is missing, invalid or its lookup fails, an unexpired cached policy keeps being applied (STS-CACHE-05, STS-FETCH-16,
 * STS-DISC-14): an attacker who blocks DNS or HTTPS cannot lower protection below the cache.
 * Concurrent lookups of one domain share one DNS query and one fetch. A failed fetch for an id is
 * not retried for that id for {@link Builder#fetchRetryBackoff(Duration) five minutes}
 * (STS-FETCH-14), and a domain fetches a new id at most once a minute (SEC-14). "No record"
 * answers are remembered briefly, within their DNS TTL.
 *
 * <p><b>Refresh.</b> A background task fetches again, regardless of the TXT record, every cached
 * policy older than the {@link Builder#refreshInterval(Duration) refresh interval} (one day by
 * default, or half its {@code max_age} if that is shorter) whose domain was looked up in the last
 * 30 days; success extends its lifetime, failure
 * keeps it and is reported (STS-CACHE-06/07/08, SEC-02).
 *
 * <p><b>Persistence, eviction and restarts.</b> With a {@link PolicyStore}, every policy is
 * saved after each successful fetch, and an unexpired policy is never lost while the store holds
 * it. The in-memory cache holds at most {@link Builder#maximumCachedPolicies} policies; when it is
 * full it evicts some, unexpired ones included, and the next lookup of an evicted domain reads its
 * policy back from the store before asking DNS (a cache hit never touches the store). At start-up
 * the store is walked once: up to {@code maximumCachedPolicies} unexpired policies are loaded
 * (and re-parsed, SEC-25), the rest stay in the store and are read when looked up, and expired
 * entries are removed; once a day expired entries are removed again. A stored fetch time after
 * now (the clock behind) is clamped to now, once per entry (SEC-24). Without a store ({@link
 * PolicyStore#none()}, the default) a restart forgets every policy and an evicted policy is gone:
 * the next lookup is first contact again, so size the cache above the number of domains mailed or
 * configure a store. Store failures are logged and reported to the listener, never to the caller.
 *
 * <p><b>What an operator sees without a listener.</b> A policy that cannot be applied because of
 * this client's own configuration ({@link ProtectionLoss}: the address guard refused the policy
 * host; a full cache without a store evicted a live policy) is logged under {@code
 * org.mtasts.MtaSts} at WARN once a day per domain and cause, and passed to {@link
 * MtaStsListener#protectionLost} every time. A testing-mode violation found by {@link #check} is
 * logged at WARN once a minute per domain and reason, with the number of lines held back.
 *
 * <p>Thread-safe. Lookups never fail for DNS or HTTPS reasons: those are statuses of the {@link
 * PolicyLookup}.
 */
public final class MtaSts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

  /** Domains not looked up for this long are no longer refreshed and age out. */
  static final Duration USAGE_WINDOW = Duration.ofDays(30);

  /**
   * Longest time a TXT answer that confirmed a cached policy's id is reused without asking DNS,
   * whatever its TTL: the library's own DNS cache keeps no answer longer either.
   */
  static final Duration MAX_TXT_REUSE = Duration.ofDays(1);

  /** The least time between fetches of different ids of one domain (SEC-14, EDGE-87). */
  static final Duration NEW_ID_FETCH_INTERVAL = Duration.ofMinutes(1);

  /** How often the store is walked to remove expired entries (issue 12 item 6). */
  static final Duration STORE_PRUNE_INTERVAL = Duration.ofDays(1);

  private final DnsClient dns;
  private final PolicyDiscovery discovery;
  private final MxResolver mxResolver;
  private final PolicyFetcher fetcher;
  private final Clock clock;
  private final PolicyStore store;
  private final MtaStsListener listener;
  private final boolean deferOnDnsFailure;
  private final Duration refreshInterval;
  private final Duration negativeCacheTtl;
  private final long maximumCachedPolicies;
  private final TimedCache<CacheEntry> policies;
  private final TimedCache<Negative> negatives;
  /** Stored entries fetched "in the future", and when this client first clamped each (SEC-24). */
  private final TimedCache<Clamp> clamps;
  private final Throttle storeReadFailures;
  private final OperatorWarnings warnings;
  private volatile long lastPruneMillis;
  private final FetchGate gate;
  private final ConcurrentHashMap<String, CompletableFuture<PolicyLookup>> inFlight =
      new ConcurrentHashMap<>();
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final ScheduledFuture<?> refreshTask;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A remembered "no policy" or "invalid record" answer. */
  private record Negative(PolicyLookup lookup, Instant expiresAt) {}

  /**
   * A stored entry whose fetch time lay ahead of the clock, and when it was first read: its
   * {@code max_age} counts from then on every later read, so that reading it again (after an
   * eviction) does not start its lifetime anew while the clock is behind (SEC-24). Kept until the
   * entry's own expiry, {@code storedFetchedAt + max_age}.
   */
  private record Clamp(Instant storedFetchedAt, Instant clampedAt, Instant storedExpiresAt) {}

  private MtaSts(Builder b) {
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.dns = b.dnsClient != null ? b.dnsClient : DnsClient.system();
    this.discovery = new PolicyDiscovery(dns);
    this.mxResolver = MxResolver.create(dns);
    if (b.policyFetcher != null) {
      this.fetcher = b.policyFetcher;
    } else {
      OkHttpPolicyFetcher.Builder fb =
          OkHttpPolicyFetcher.builder()
              .hostResolver(b.hostResolver != null ? b.hostResolver : HostResolver.dns(dns))
              .allowPrivateAddresses(b.allowPrivateAddresses)
              .deadline(b.fetchDeadline);
      if (b.trustManager != null) {
        fb.trustManager(b.trustManager);
      }
      if (b.executor != null) {
        fb.executor(b.executor);
      }
      this.fetcher = fb.build();
    }
    this.store = b.policyStore != null ? b.policyStore : PolicyStore.none();
    this.listener = b.listener != null ? b.listener : MtaStsListener.NONE;
    this.deferOnDnsFailure = b.deferOnDnsFailure;
    this.refreshInterval = b.refreshInterval;
    this.negativeCacheTtl = b.negativeCacheTtl;
    this.maximumCachedPolicies = b.maximumCachedPolicies;
    this.warnings = new OperatorWarnings(clock, 10_000, listener);
    this.policies =
        new TimedCache<>(clock, b.maximumCachedPolicies, CacheEntry::expiresAt, this::expired,
            this::evicted);
    this.negatives = new TimedCache<>(clock, b.maximumCachedPolicies, Negative::expiresAt, null);
    this.clamps = new TimedCache<>(clock, b.maximumCachedPolicies, Clamp::storedExpiresAt, null);
    this.storeReadFailures = new Throttle(clock, Duration.ofMinutes(1), 1_000);
    this.lastPruneMillis = clock.millis();
    this.gate =
        new FetchGate(clock, b.maximumCachedPolicies, b.fetchRetryBackoff, NEW_ID_FETCH_INTERVAL);
    loadStore();
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
    } else {
      ScheduledThreadPoolExecutor s =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "mta-sts-refresh");
                t.setDaemon(true);
                return t;
              });
      s.setRemoveOnCancelPolicy(true);
      this.scheduler = s;
      this.ownsScheduler = true;
    }
    long period = refreshCheckPeriod(refreshInterval).toMillis();
    long initialDelay = period + ThreadLocalRandom.current().nextLong(period); // jitter
    this.refreshTask =
        scheduler.scheduleWithFixedDelay(
            this::scheduledRefresh, initialDelay, period, TimeUnit.MILLISECONDS);
  }

  /** How often the refresh task looks for due policies: 1/24 of the interval, 1 min to 1 h. */
  static Duration refreshCheckPeriod(Duration refreshInterval) {
    Duration p = refreshInterval.dividedBy(24);
    if (p.compareTo(Duration.ofMinutes(1)) < 0) {
      return Duration.ofMinutes(1);
    }
    return p.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : p;
  }

  /**
   * Returns a new builder with the defaults documented on {@link Builder}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // Lookup

  /**
   * Finds the policy that applies to {@code domain} now. Never completes exceptionally for DNS or
   * HTTPS failures: they are {@linkplain PolicyLookup#status() statuses}.
   *
   * @param domain the recipient domain, any case, U-labels or A-labels, trailing dot allowed
   * @return a stage completing with the lookup
   * @throws InvalidDomainException if {@code domain} is not a valid domain name (before any I/O)
   * @throws NullPointerException if {@code domain} is null
   */
  public CompletionStage<PolicyLookup> resolveAsync(String domain) {
    String d = DomainNames.normalize(domain);
    PolicyLookup hit = cacheHit(d);
    if (hit != null) {
      return CompletableFuture.completedStage(hit);
    }
    return resolveNormalized(d);
  }

  private CompletionStage<PolicyLookup> resolveNormalized(String d) {
    CompletableFuture<PolicyLookup> mine = new CompletableFuture<>();
    CompletableFuture<PolicyLookup> running = inFlight.putIfAbsent(d, mine);
    if (running != null) {
      return running.minimalCompletionStage(); // single flight: share the lookup in progress
    }
    CompletionStage<PolicyLookup> work;
    try {
      work = lookup(d);
    } catch (RuntimeException e) {
      work = CompletableFuture.failedFuture(e);
    }
    work.whenComplete(
        (lookup, error) -> {
          inFlight.remove(d, mine);
          if (error != null) {
            mine.completeExceptionally(unwrap(error));
          } else {
            mine.complete(lookup);
          }
        });
    return mine.minimalCompletionStage();
  }

  /**
   * Waits for {@link #resolveAsync(String)}.
   *
   * @param domain the recipient domain
   * @return the lookup
   * @throws InvalidDomainException if {@code domain} is not a valid domain name
   * @throws CancellationException if the thread was interrupted while waiting; its interrupt flag
   *     is set again
   * @throws NullPointerException if {@code domain} is null
   */
  public PolicyLookup resolve(String domain) {
    String d = DomainNames.normalize(domain);
    PolicyLookup hit = cacheHit(d);
    return hit != null ? hit : await(resolveNormalized(d), domain);
  }

  /**
   * The per-message fast path (issue 8): answers from memory when the domain's cached policy is
   * unexpired and the TXT answer that last named its id is within its DNS TTL (asking DNS again
   * could only return that same cached answer), or when a negative answer is remembered. Null
   * when the full lookup must run. Allocates nothing once the entry's result is made.
   */
  private PolicyLookup cacheHit(String d) {
    long now = clock.millis();
    // Quiet reads: recording every access for the eviction policy writes shared state, which
    // made two threads reading one hot domain contend (issue 8: 2 threads ran 1.45 times as
    // many lookups as one). One access a second per domain is recorded instead.
    CacheEntry cached = policies.peek(d);
    if (cached != null) {
      if (!cached.answersAlone(now)) {
        return null;
      }
      if (cached.touch(now)) {
        policies.getEvenIfExpired(d);
      }
      return cacheLookup(cached);
    }
    Negative negative = negatives.peek(d);
    return negative != null && now < negative.expiresAt().toEpochMilli()
        ? negative.lookup()
        : null;
  }

  private static PolicyLookup cacheLookup(CacheEntry entry) {
    PolicyLookup lookup = entry.cacheHit();
    if (lookup == null) {
      lookup =
          PolicyLookup.valid(PolicyLookup.Source.CACHE, entry.policy(), entry.warnings(), null);
      entry.cacheHit(lookup);
    }
    return lookup;
  }

  private CompletionStage<PolicyLookup> lookup(String d) {
    CacheEntry inMemory = policies.get(d);
    CacheEntry cached = inMemory;
    if (inMemory != null) {
      inMemory.touch(clock.millis());
    } else {
      Negative negative = negatives.get(d);
      if (negative != null) {
        return CompletableFuture.completedFuture(negative.lookup());
      }
      // Issue 12 item 5: a policy evicted from the full cache, or not loaded at start-up, is
      // still in the store; without this read an attacker who blocks DNS or HTTPS would turn
      // the domain's next lookup into first contact.
      cached = readThrough(d);
    }
    CacheEntry known = cached;
    CompletionStage<Discovery> discovered;
    try {
      discovered = discovery.discover(d);
    } catch (RuntimeException e) {
      discovered = CompletableFuture.failedFuture(e);
    }
    return discovered
        .handle(
            (disc, error) ->
                error == null
                    ? afterDiscovery(d, disc, known)
                    : CompletableFuture.completedFuture(afterDnsFailure(d, unwrap(error), known)))
        .thenCompose(Function.identity());
  }

  private PolicyLookup afterDnsFailure(String d, Throwable error, CacheEntry cached) {
    LookupFailure failure =
        new LookupFailure(
            ResultType.STS_POLICY_FETCH_ERROR,
            "TXT lookup of _mta-sts." + d + " failed: " + error.getMessage(),
            error);
    CacheEntry live = live(cached);
    if (live != null) {
      return stale(live, failure); // STS-DISC-16: a valid cached policy applies
    }
    // D-01: proceeding without a policy is the default and is safe to offer: without DNSSEC an
    // attacker who can make this lookup fail can as easily forge "no record". deferOnDnsFailure
    // makes the lookup ask the caller to defer instead.
    return PolicyLookup.failed(d, PolicyLookup.Status.DNS_ERROR, failure, deferOnDnsFailure);
  }

  private CompletionStage<PolicyLookup> afterDiscovery(String d, Discovery disc,
      CacheEntry cached) {
    CacheEntry live = live(cached);
    RecordSelection<PolicyRecord> selection = disc.selection();
    if (selection instanceof RecordSelection.Found<PolicyRecord> found) {
      String id = found.record().id();
      long txtFreshUntil = clock.millis() + min(disc.ttl(), MAX_TXT_REUSE).toMillis();
      if (live != null && live.policy().recordId().equals(id)) {
        // STS-CACHE-04: same id, unexpired: no HTTPS request.
        live.txtConfirmedUntil(txtFreshUntil);
        return CompletableFuture.completedFuture(cacheLookup(live));
      }
      // STS-CACHE-03, STS-DISC-13: any other id is a new policy
      return fetch(d, id, txtFreshUntil, live);
    }
    String what = describe(d, selection);
    if (live != null) {
      // STS-DISC-14: a missing or unusable record does not remove a valid cached policy.
      if (live.firstVanishReport()) {
        log.warn("{}; still applying the cached policy (id {}) until {}", what,
            live.policy().recordId(), live.expiresAt());
        CachedPolicy p = live.policy();
        fire(l -> l.recordVanished(d, selection.status(), p));
      }
      return CompletableFuture.completedFuture(stale(live, new LookupFailure(null, what, null)));
    }
    PolicyLookup result;
    if (selection.status() == RecordSelection.Status.NO_RECORD) {
      // STS-DISC-15: no record, nothing cached: no policy.
      result = PolicyLookup.failed(d, PolicyLookup.Status.NO_POLICY, null, false);
    } else {
      // RFC 8461 §3.1: several records or an invalid one mean no policy is available; reported
      // as an invalid policy so that the publisher hears about it.
      Throwable cause =
          selection instanceof RecordSelection.Invalid<PolicyRecord> invalid
              ? invalid.error()
              : null;
      result =
          PolicyLookup.failed(
              d,
              PolicyLookup.Status.INVALID,
              new LookupFailure(ResultType.STS_POLICY_INVALID, what, cause),
              false);
    }
    Duration ttl = min(disc.ttl(), negativeCacheTtl);
    if (!ttl.isZero()) {
      negatives.put(d, new Negative(result, clock.instant().plus(ttl)));
    }
    return CompletableFuture.completedFuture(result);
  }

  private static String describe(String d, RecordSelection<PolicyRecord> selection) {
    switch (selection.status()) {
      case NO_RECORD:
        return "no MTA-STS TXT record at _mta-sts." + d;
      case MULTIPLE_RECORDS:
        return "several MTA-STS TXT records at _mta-sts." + d + " (exactly one is allowed)";
      default:
        return "invalid MTA-STS TXT record at _mta-sts." + d + ": "
            + ((RecordSelection.Invalid<PolicyRecord>) selection).error().getMessage();
    }
  }

  private CompletionStage<PolicyLookup> fetch(String d, String id, long txtFreshUntil,
      CacheEntry live) {
    FetchGate.Blocked blocked = gate.tryAcquire(d, id, clock.instant());
    if (blocked != null) {
      LookupFailure last = blocked.lastFailure();
      LookupFailure failure =
          new LookupFailure(
              last != null ? last.resultType().orElse(ResultType.STS_POLICY_FETCH_ERROR)
                  : ResultType.STS_POLICY_FETCH_ERROR,
              blocked.reason() + (last != null ? "; last failure: " + last.message() : ""),
              last != null ? last.cause().orElse(null) : null);
      return CompletableFuture.completedFuture(
          live != null ? stale(live, failure) : withoutPolicy(d, failure));
    }
    CompletionStage<FetchedPolicy> fetched;
    try {
      fetched = Objects.requireNonNull(fetcher.fetch(d), "PolicyFetcher returned null");
    } catch (RuntimeException e) {
      fetched = CompletableFuture.failedFuture(e);
    }
    return fetched.handle(
        (policy, error) ->
            error == null
                ? fetched(d, id, txtFreshUntil, policy, live)
                : fetchFailed(d, id, unwrap(error), live));
  }

  private PolicyLookup fetched(String d, String id, long txtFreshUntil, FetchedPolicy fetched,
      CacheEntry previous) {
    Instant at = clock.instant();
    ParsedPolicy parsed = fetched.parsed();
    Policy policy = parsed.policy();
    CachedPolicy current = new CachedPolicy(d, id, policy, at, at.plus(policy.maxAge()));
    CacheEntry entry = new CacheEntry(current, parsed.warnings(), at);
    entry.txtConfirmedUntil(txtFreshUntil);
    negatives.remove(d);
    if (policy.maxAge().isZero()) {
      // D-09: max_age 0 applies to this lookup only. It supersedes any cached policy, also
      // one that was evicted from memory but is still stored (the store would bring it back).
      policies.remove(d);
      deleteFromStore(d);
    } else {
      policies.put(d, entry);
      save(current, parsed);
    }
    announce(previous == null ? null : previous.policy(), current);
    return PolicyLookup.valid(PolicyLookup.Source.FETCHED, current, parsed.warnings(), null);
  }

  private PolicyLookup fetchFailed(String d, String id, Throwable error, CacheEntry cached) {
    LookupFailure failure = fetchFailure(d, error);
    gate.failed(d, id, clock.instant(), failure);
    CacheEntry live = live(cached);
    Optional<CachedPolicy> applied = Optional.ofNullable(live).map(CacheEntry::policy);
    if (live != null && live.policy().mode() != Mode.NONE) {
      log.warn("{} (policy id {}); still applying the cached policy (id {}) until {}",
          failure.message(), id, live.policy().recordId(), live.expiresAt());
    } else {
      log.info("{} (policy id {})", failure.message(), id);
    }
    fire(l -> l.fetchFailed(d, failure, applied));
    addressGuardStoodInTheWay(d, failure, live == null ? null : live.policy());
    return live != null ? stale(live, failure) : withoutPolicy(d, failure);
  }

  /**
   * Issue 12 item 11: the address guard is this client's own decision; when it stops a fetch the
   * operator must hear that the domain's policy cannot be applied (D-33 is right for strangers'
   * domains that point at the sender's network, wrong for a private deployment).
   */
  private void addressGuardStoodInTheWay(String d, LookupFailure failure, CachedPolicy applied) {
    if (failure.fetchFailure().orElse(null) != FetchFailure.ADDRESS_REFUSED) {
      return;
    }
    warnings.protectionLost(d, ProtectionLoss.ADDRESS_GUARD, failure.message()
        + (applied == null || applied.mode() == Mode.NONE
            ? "; mail to " + d + " goes as without a policy"
            : "; the cached " + applied.mode().token() + " policy (id " + applied.recordId()
                + ") applies until " + applied.expiresAt() + ", then mail to " + d
                + " goes as without a policy"));
  }

  private PolicyLookup withoutPolicy(String d, LookupFailure failure) {
    // STS-FETCH-15: a record but no policy and nothing cached: the caller delivers as without
    // MTA-STS. Safe to offer because an attacker who blocks HTTPS could as well remove the record.
    PolicyLookup.Status status =
        failure.resultType().orElse(null) == ResultType.STS_POLICY_INVALID
            ? PolicyLookup.Status.INVALID
            : PolicyLookup.Status.FETCH_ERROR;
    return PolicyLookup.failed(d, status, failure, false);
  }

  private static LookupFailure fetchFailure(String d, Throwable error) {
    if (error instanceof PolicyFetchException e) {
      return new LookupFailure(e.failure().resultType(),
          "policy fetch for " + d + " failed (" + e.failure() + "): " + e.getMessage(), e);
    }
    return new LookupFailure(ResultType.STS_POLICY_FETCH_ERROR,
        "policy fetch for " + d + " failed: " + error, error);
  }

  private PolicyLookup stale(CacheEntry live, LookupFailure failure) {
    PolicyLookup lookup =
        PolicyLookup.valid(PolicyLookup.Source.STALE_CACHE, live.policy(), live.warnings(), failure);
    fire(l -> l.staleServed(lookup));
    return lookup;
  }

  /** Returns {@code entry} if it has not expired now, else null (STS-CACHE-02). */
  private CacheEntry live(CacheEntry entry) {
    return entry != null && entry.policy().isValidAt(clock.instant()) ? entry : null;
  }

  private void announce(CachedPolicy previous, CachedPolicy current) {
    if (previous == null) {
      fire(l -> l.policyFetched(current));
    } else if (previous.recordId().equals(current.recordId())
        && previous.policy().equals(current.policy())) {
      fire(l -> l.policyRefreshed(current));
    } else {
      fire(l -> l.policyChanged(previous, current));
      if (strength(current.mode()) < strength(previous.mode())) {
        log.warn("MTA-STS mode of {} lowered from {} to {} (policy id {} -> {})",
            current.domain(), previous.mode().token(), current.mode().token(),
            previous.recordId(), current.recordId());
        fire(l -> l.modeLowered(previous, current));
      }
    }
  }

  private static int strength(Mode mode) {
    return switch (mode) {
      case ENFORCE -> 2;
      case TESTING -> 1;
      case NONE -> 0;
    };
  }

  private void expired(CacheEntry entry) {
    fire(l -> l.policyExpired(entry.policy()));
  }

  /**
   * The full cache dropped an entry. With a store, the next lookup reads it back (issue 12 item
   * 5); without one, an unexpired policy is lost, which the operator must hear (item 11).
   */
  private void evicted(CacheEntry entry) {
    CachedPolicy p = entry.policy();
    if (store != PolicyStore.none() || p.mode() == Mode.NONE || live(entry) == null) {
      log.debug("MTA-STS policy of {} evicted from the full cache", p.domain());
      return;
    }
    warnings.protectionLost(p.domain(), ProtectionLoss.CACHE_EVICTION,
        "the in-memory cache is full (maximumCachedPolicies " + maximumCachedPolicies
            + ") and evicted the unexpired " + p.mode().token() + " policy of " + p.domain()
            + " (id " + p.recordId() + ", until " + p.expiresAt() + "); no policy store keeps "
            + "it, so the next lookup is first contact again: configure a PolicyStore or a "
            + "larger cache");
  }

  // ---------------------------------------------------------------------------------------------
  // Refresh

  private void scheduledRefresh() {
    try {
      refreshNow();
    } catch (RuntimeException e) {
      log.warn("MTA-STS policy refresh failed", e);
    }
    if (clock.millis() - lastPruneMillis >= STORE_PRUNE_INTERVAL.toMillis()) {
      pruneStore();
    }
  }

  /**
   * Fetches again every cached policy that is due (older than the refresh interval or half its
   * {@code max_age}, domain used within {@link #USAGE_WINDOW}), at most one refresh per domain at a time. The scheduler calls
   * this; tests call it directly with a fake clock.
   *
   * @return a stage that completes when the refreshes started by this call are done
   */
  CompletableFuture<Void> refreshNow() {
    policies.cleanUp();
    Instant now = clock.instant();
    List<CompletableFuture<?>> started = new ArrayList<>();
    for (CacheEntry entry : policies.snapshot().values()) {
      CachedPolicy p = entry.policy();
      String d = p.domain();
      if (Duration.between(p.fetchedAt(), now).compareTo(refreshAge(p)) < 0
          || Duration.between(entry.lastUsed(), now).compareTo(USAGE_WINDOW) > 0
          || !refreshing.add(d)) {
        continue;
      }
      CompletionStage<FetchedPolicy> fetched;
      try {
        fetched = Objects.requireNonNull(fetcher.fetch(d), "PolicyFetcher returned null");
      } catch (RuntimeException e) {
        fetched = CompletableFuture.failedFuture(e);
      }
      started.add(
          fetched
              .handle(
                  (policy, error) -> {
                    try {
                      if (error == null) {
                        refreshed(entry, policy);
                      } else {
                        refreshFailed(entry, unwrap(error));
                      }
                    } finally {
                      refreshing.remove(d);
                    }
                    return null;
                  })
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(started.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * The age at which a cached policy is due for refresh: the refresh interval, or half its {@code
   * max_age} if that is shorter, so that a policy is refreshed before it expires (STS-CACHE-06).
   */
  private Duration refreshAge(CachedPolicy p) {
    Duration half = p.policy().maxAge().dividedBy(2);
    return half.compareTo(refreshInterval) < 0 ? half : refreshInterval;
  }

  private void refreshed(CacheEntry old, FetchedPolicy fetched) {
    Instant at = clock.instant();
    CachedPolicy previous = old.policy();
    String d = previous.domain();
    ParsedPolicy parsed = fetched.parsed();
    CachedPolicy current =
        new CachedPolicy(d, previous.recordId(), parsed.policy(), at,
            at.plus(parsed.policy().maxAge()));
    CacheEntry entry = new CacheEntry(current, parsed.warnings(), old.lastUsed());
    boolean[] replaced = new boolean[1];
    policies.compute(
        d,
        (k, cur) -> {
          if (cur != old) {
            return cur; // a lookup installed a newer policy meanwhile; keep it
          }
          replaced[0] = true;
          return current.policy().maxAge().isZero() ? null : entry;
        });
    if (!replaced[0]) {
      return;
    }
    if (current.policy().maxAge().isZero()) {
      deleteFromStore(d);
    } else {
      save(current, parsed);
    }
    announce(previous, current);
  }

  private void refreshFailed(CacheEntry old, Throwable error) {
    CachedPolicy p = old.policy();
    LookupFailure failure = fetchFailure(p.domain(), error);
    // STS-CACHE-08: alert on failed refreshes, except for mode none.
    if (p.mode() != Mode.NONE) {
      log.warn("refresh of the MTA-STS policy of {} failed; the cached policy stays in force "
          + "until {} ({} left): {}", p.domain(), p.expiresAt(),
          TimedCache.left(p.expiresAt(), clock.instant()), failure.message());
    } else {
      log.debug("refresh of the mode-none policy of {} failed: {}", p.domain(), failure.message());
    }
    fire(l -> l.fetchFailed(p.domain(), failure, Optional.of(p)));
    addressGuardStoodInTheWay(p.domain(), failure, p);
  }

  // ---------------------------------------------------------------------------------------------
  // Cache administration

  /**
   * Removes the cached policy of {@code domain}, from memory and from the store (SEC-12). The next
   * lookup starts afresh.
   *
   * @param domain the domain
   * @throws InvalidDomainException if {@code domain} is not a valid domain name
   */
  public void invalidate(String domain) {
    String d = DomainNames.normalize(domain);
    CacheEntry removed = policies.remove(d);
    negatives.remove(d);
    clamps.remove(d);
    gate.clear(d);
    deleteFromStore(d);
    if (removed != null) {
      fire(l -> l.invalidated(removed.policy()));
    }
  }

  /** Removes every cached policy, from memory and from the store. */
  public void invalidateAll() {
    List<CacheEntry> removed = new ArrayList<>(policies.snapshot().values());
    policies.clear();
    negatives.clear();
    clamps.clear();
    gate.clearAll();
    try {
      store.deleteAll();
    } catch (IOException | RuntimeException e) {
      storeFailed("deleteAll", null, e);
    }
    for (CacheEntry e : removed) {
      fire(l -> l.invalidated(e.policy()));
    }
  }

  /**
   * Lists the unexpired policies held in memory, by domain; a store may hold more (those evicted
   * or not loaded at start-up), which lookups still find.
   *
   * @return a snapshot
   */
  public List<CachedPolicy> cachedPolicies() {
    return policies.snapshot().values().stream()
        .map(CacheEntry::policy)
        .sorted(Comparator.comparing(CachedPolicy::domain))
        .toList();
  }

  // ---------------------------------------------------------------------------------------------
  // Store

  /**
   * Walks the store once at start-up (issue 12 items 5 and 6): fills the cache with up to {@code
   * maximumCachedPolicies} unexpired entries, removes the expired ones, and leaves the rest in
   * the store for {@link #readThrough} to find. Holds one stored entry at a time beyond the cache.
   */
  private void loadStore() {
    Instant now = clock.instant();
    long[] counts = new long[4]; // loaded, left in the store, removed as expired, clamped
    try {
      store.forEach(s -> {
        if (s.fetchedAt().isAfter(now)) {
          counts[3]++;
        }
        CacheEntry entry = fromStore(s, now);
        if (entry == null) {
          if (isExpired(s, now)) {
            counts[2]++;
          }
          return;
        }
        if (counts[0] >= maximumCachedPolicies) {
          counts[1]++; // bounded memory: read through when looked up
          return;
        }
        String d = entry.policy().domain();
        Instant fetchedAt = entry.policy().fetchedAt();
        policies.compute(
            d,
            (k, cur) ->
                cur == null || cur.policy().fetchedAt().isBefore(fetchedAt) ? entry : cur);
        counts[0]++;
      });
    } catch (RuntimeException e) {
      storeFailed("load", null, e);
    }
    if (counts[3] > 0) {
      log.warn("{} stored MTA-STS policies were fetched at a time after now ({}): the clock may "
          + "be behind; their max_age counts from now (SEC-24)", counts[3], now);
    }
    log.debug("MTA-STS policy store: {} policies loaded, {} left in the store (cache full), {} "
        + "expired ones removed", counts[0], counts[1], counts[2]);
  }

  /**
   * Reads the stored policy of {@code d} into the cache after a miss (issue 12 item 5).
   *
   * @return the live entry now cached, or null when the store has none
   */
  private CacheEntry readThrough(String d) {
    Optional<StoredPolicy> stored;
    try {
      stored = store.load(d);
    } catch (IOException | RuntimeException e) {
      // The lookup goes on as if nothing were stored; one line a minute, however many misses.
      long suppressed = storeReadFailures.pass("load");
      if (suppressed >= 0) {
        log.warn("MTA-STS policy store read for {} failed{}: {}", d,
            suppressed > 0 ? " (and " + suppressed + " more in the last minute)" : "", e.toString());
      }
      fire(l -> l.storeFailed("load", Optional.of(d), e));
      return null;
    }
    if (stored == null || stored.isEmpty() || !stored.get().domain().equals(d)) {
      return null;
    }
    Instant now = clock.instant();
    CacheEntry entry = fromStore(stored.get(), now);
    if (entry == null) {
      return null;
    }
    Instant fetchedAt = entry.policy().fetchedAt();
    return live(policies.compute(
        d,
        (k, cur) -> cur == null || !cur.policy().isValidAt(now)
            || cur.policy().fetchedAt().isBefore(fetchedAt) ? entry : cur));
  }

  /**
   * Validates a stored entry as if it had just been fetched (SEC-25) and makes it a cache entry;
   * null if it is invalid (reported), expired (then removed from the store, issue 12 item 6), or
   * its clamped lifetime is used up (SEC-24: then it stays stored until its own expiry).
   */
  private CacheEntry fromStore(StoredPolicy s, Instant now) {
    String d;
    ParsedPolicy parsed;
    try {
      d = DomainNames.normalize(s.domain());
      PolicyRecord.of(s.recordId()); // validates the id
      parsed = Policy.parseDetailed(s.policyText()); // SEC-25: same parser
    } catch (PolicySyntaxException | IllegalArgumentException e) {
      log.warn("ignoring the stored MTA-STS policy of {}: {}", s.domain(), e.getMessage());
      storeFailed("load", s.domain(), e);
      return null;
    }
    if (isExpired(s, parsed.policy(), now)) {
      removeFromStore(s); // STS-CACHE-02: never applied again
      return null;
    }
    Duration maxAge = parsed.policy().maxAge();
    Instant fetchedAt = s.fetchedAt();
    if (fetchedAt.isAfter(now)) {
      fetchedAt = clampedFetchTime(d, s, maxAge, now);
    }
    CachedPolicy p =
        new CachedPolicy(d, s.recordId(), parsed.policy(), fetchedAt, fetchedAt.plus(maxAge));
    return p.isValidAt(now) ? new CacheEntry(p, parsed.warnings(), now) : null;
  }

  /**
   * SEC-24: a fetch time after now cannot be true, so the policy's {@code max_age} counts from
   * the first time this client read the entry: never longer than {@code max_age} by this clock,
   * and not started anew when the entry is read again after an eviction. The store keeps the
   * entry as it is: when the clock is set right, the entry's own time counts again.
   */
  private Instant clampedFetchTime(String d, StoredPolicy s, Duration maxAge, Instant now) {
    Clamp known = clamps.get(d);
    if (known != null && known.storedFetchedAt().equals(s.fetchedAt())) {
      return known.clampedAt();
    }
    clamps.put(d, new Clamp(s.fetchedAt(), now, plus(s.fetchedAt(), maxAge)));
    log.debug("the stored MTA-STS policy of {} was fetched at {}, after now ({}); its max_age "
        + "counts from now (SEC-24)", d, s.fetchedAt(), now);
    return now;
  }

  /** Whether a stored entry has expired by its own fetch time (unparseable: no). */
  private static boolean isExpired(StoredPolicy s, Instant now) {
    try {
      return isExpired(s, Policy.parse(s.policyText()), now);
    } catch (PolicySyntaxException | IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isExpired(StoredPolicy s, Policy policy, Instant now) {
    return !now.isBefore(plus(s.fetchedAt(), policy.maxAge()));
  }

  /** {@code t + d}, saturating: a damaged store may hold any instant. */
  private static Instant plus(Instant t, Duration d) {
    return Instant.MAX.minus(d).isBefore(t) ? Instant.MAX : t.plus(d);
  }

  /**
   * Walks the store and removes the entries that have expired by their own fetch time (issue 12
   * item 6). Entries fetched "in the future" are kept (SEC-24), as are entries this client cannot
   * parse (reported when read). The scheduler calls this once a day; tests call it directly.
   *
   * @return how many entries were removed
   */
  long pruneStore() {
    Instant now = clock.instant();
    lastPruneMillis = now.toEpochMilli();
    long[] removed = {0};
    try {
      store.forEach(s -> {
        if (isExpired(s, now) && removeFromStore(s)) {
          removed[0]++;
        }
      });
    } catch (RuntimeException e) {
      storeFailed("prune", null, e);
    }
    if (removed[0] > 0) {
      log.debug("MTA-STS policy store: removed {} expired policies", removed[0]);
    }
    return removed[0];
  }

  private boolean removeFromStore(StoredPolicy s) {
    try {
      return store.remove(s);
    } catch (IOException | RuntimeException e) {
      storeFailed("remove", s.domain(), e);
      return false;
    }
  }

  private void save(CachedPolicy p, ParsedPolicy parsed) {
    try {
      store.save(new StoredPolicy(p.domain(), p.recordId(), text(parsed), p.fetchedAt()));
    } catch (IOException | RuntimeException e) {
      storeFailed("save", p.domain(), e);
    }
  }

  private void deleteFromStore(String d) {
    try {
      store.delete(d);
    } catch (IOException | RuntimeException e) {
      storeFailed("delete", d, e);
    }
  }

  private void storeFailed(String operation, String domain, Exception e) {
    log.warn("MTA-STS policy store {} failed{}: {}", operation,
        domain == null ? "" : " for " + domain, e.toString());
    fire(l -> l.storeFailed(operation, Optional.ofNullable(domain), e));
  }

  private static String text(ParsedPolicy parsed) {
    return String.join("\n", parsed.lines()) + "\n";
  }

  // ---------------------------------------------------------------------------------------------
  // Planning and checking

  /**
   * Resolves the policy and the MX hosts of {@code domain} and returns where to deliver, judged
   * against one policy snapshot (STS-APPLY-09).
   *
   * @param domain the recipient domain
   * @return a stage completing with the plan; a temporary DNS failure of the MX lookup is the plan
   *     status {@link DeliveryPlan.Status#TEMPORARY_FAILURE}, not an exception
   * @throws InvalidDomainException if {@code domain} is not a valid domain name
   */
  public CompletionStage<DeliveryPlan> planAsync(String domain) {
    String d = DomainNames.normalize(domain);
    CompletionStage<MxLookup> mx;
    try {
      mx = mxResolver.resolve(d);
    } catch (RuntimeException e) {
      mx = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<MxLookup> mxFuture = mx.toCompletableFuture();
    return resolveAsync(d)
        .thenCompose(
            lookup ->
                mxFuture.handle(
                    (hosts, error) ->
                        error == null ? plan(lookup, hosts) : mxFailed(lookup, unwrap(error))));
  }

  /**
   * Waits for {@link #planAsync(String)}.
   *
   * @param domain the recipient domain
   * @return the plan
   * @throws InvalidDomainException if {@code domain} is not a valid domain name
   * @throws CancellationException if interrupted; the interrupt flag is set again
   */
  public DeliveryPlan plan(String domain) {
    return await(planAsync(domain), domain);
  }

  private DeliveryPlan mxFailed(PolicyLookup lookup, Throwable error) {
    return new DeliveryPlan(lookup.domain(), lookup, DeliveryPlan.Status.TEMPORARY_FAILURE,
        List.of(), "MX lookup of " + lookup.domain() + " failed temporarily: "
            + error.getMessage());
  }

  private static DeliveryPlan plan(PolicyLookup lookup, MxLookup mx) {
    switch (mx.status()) {
      case NULL_MX:
        return new DeliveryPlan(lookup.domain(), lookup, DeliveryPlan.Status.NULL_MX, List.of(),
            lookup.domain() + " accepts no mail (null MX, RFC 7505)");
      case NO_SUCH_DOMAIN:
        return new DeliveryPlan(lookup.domain(), lookup, DeliveryPlan.Status.NO_SUCH_DOMAIN,
            List.of(), lookup.domain() + " does not exist (NXDOMAIN)");
      case NO_MAIL_HOST:
        return new DeliveryPlan(lookup.domain(), lookup, DeliveryPlan.Status.NO_MAIL_HOST,
            List.of(), lookup.domain() + " has neither MX records nor an address");
      default:
        List<String> names = new ArrayList<>();
        List<Integer> preferences = new ArrayList<>();
        for (MxHost h : mx.hosts()) {
          names.add(h.name());
          preferences.add(h.preference());
        }
        return plan(lookup, names, preferences);
    }
  }

  /**
   * Judges MX hosts the caller found itself against one policy lookup: each host, in the order
   * given, with whether the policy matches it and allows a connection, and what TLS it needs.
   * Pure: no I/O.
   *
   * @param lookup the policy lookup
   * @param mxHosts MX host names in delivery order
   * <p>A name that is not a valid host name ({@link DomainNames#normalize}) is left out of the
   * plan, like an unreachable host, and named in the plan's message (STS-MX-08): one bad MX
   * record must not stop delivery to the others.
   *
   * @return the plan; its status is {@link DeliveryPlan.Status#DELIVER}, or {@link
   *     DeliveryPlan.Status#NO_MATCHING_MX} under {@code enforce} when no host matches, or {@link
   *     DeliveryPlan.Status#NO_MAIL_HOST} when no name is a valid host name, or {@link
   *     DeliveryPlan.Status#TEMPORARY_FAILURE} when the lookup {@linkplain
   *     PolicyLookup#shouldDefer() asks to defer}
   * @throws IllegalArgumentException if the list is empty
   * @throws NullPointerException if {@code lookup}, the list or a name in it is null
   */
  public static DeliveryPlan plan(PolicyLookup lookup, List<String> mxHosts) {
    Objects.requireNonNull(lookup, "lookup");
    List<Integer> preferences = new ArrayList<>();
    for (int i = 0; i < mxHosts.size(); i++) {
      preferences.add(i);
    }
    return plan(lookup, mxHosts, preferences);
  }

  private static DeliveryPlan plan(PolicyLookup lookup, List<String> hosts,
      List<Integer> preferences) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("no MX hosts to plan for " + lookup.domain());
    }
    String d = lookup.domain();
    if (lookup.shouldDefer()) {
      return new DeliveryPlan(d, lookup, DeliveryPlan.Status.TEMPORARY_FAILURE, List.of(),
          "MTA-STS TXT lookup for " + d + " failed temporarily; deferring (deferOnDnsFailure): "
              + lookup.failure().map(LookupFailure::message).orElse(""));
    }
    Policy policy = lookup.policy().orElse(null);
    Mode mode = policy == null ? null : policy.mode();
    TlsRequirement tls =
        mode == Mode.ENFORCE ? TlsRequirement.VERIFIED
            : mode == Mode.TESTING ? TlsRequirement.VERIFY_AND_REPORT
                : TlsRequirement.OPPORTUNISTIC;
    List<MxCandidate> candidates = new ArrayList<>(hosts.size());
    List<String> refused = new ArrayList<>();
    List<String> unusable = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      String host;
      try {
        host = DomainNames.normalize(hosts.get(i));
      } catch (InvalidDomainException e) {
        // STS-MX-08, issue 12 item 3: skipped like an unreachable host; the others still serve.
        unusable.add(Texts.quote(hosts.get(i)));
        continue;
      }
      // Mode none and no policy: every host matches as far as MTA-STS is concerned (§5).
      boolean matches = policy == null || mode == Mode.NONE || policy.allowsMx(host);
      // Testing mode: a mismatch is reported, never refused (RFC 8461 §5).
      boolean allowed = matches || mode != Mode.ENFORCE;
      if (!allowed) {
        refused.add(host);
      }
      candidates.add(new MxCandidate(host, preferences.get(i), matches, allowed, tls));
    }
    String skipped =
        unusable.isEmpty() ? "" : "; skipped MX names that are not valid host names: " + unusable;
    if (candidates.isEmpty()) {
      return new DeliveryPlan(d, lookup, DeliveryPlan.Status.NO_MAIL_HOST, candidates,
          "none of the MX hosts of " + d + " has a valid host name (RFC 5321 §5.1)" + skipped);
    }
    if (refused.size() == candidates.size()) {
      return new DeliveryPlan(d, lookup, DeliveryPlan.Status.NO_MATCHING_MX, candidates,
          "the enforce policy of " + d + " (id " + lookup.recordId().orElse("?")
              + ") matches none of the MX hosts " + refused + " (RFC 8461 §4.1)" + skipped);
    }
    return new DeliveryPlan(d, lookup, DeliveryPlan.Status.DELIVER, candidates,
        "deliver to " + d + " via " + candidates.stream().filter(MxCandidate::allowed)
            .map(MxCandidate::host).toList()
            + (mode == null ? " (no MTA-STS policy: " + lookup.status() + ")"
                : " under MTA-STS mode " + mode.token()) + skipped);
  }

  /**
   * Decides whether a message may go to {@code mxHost} over the SMTP session described by {@code
   * facts}, under the policy of {@code lookup} (RFC 8461 §4, §5). Under {@code enforce} any
   * problem refuses; under {@code testing} it is report-only; without a policy or under {@code
   * none} delivery is allowed. Refusals and testing violations are passed to the listener.
   *
   * @param lookup the policy lookup (one snapshot for the whole delivery attempt)
   * @param mxHost the MX host name the session went to (not a CNAME target or address)
   * @param facts what happened on the session
   * @return the decision
   * @throws InvalidDomainException if {@code mxHost} is not a valid host name
   */
  public DeliveryDecision check(PolicyLookup lookup, String mxHost, TlsFacts facts) {
    Objects.requireNonNull(lookup, "lookup");
    Objects.requireNonNull(facts, "facts");
    String host = DomainNames.normalize(mxHost);
    String d = lookup.domain();
    Policy policy = lookup.policy().orElse(null);
    if (policy == null || policy.mode() == Mode.NONE) {
      // STS-APPLY-08: no policy (or mode none) leaves transport security as configured.
      return DeliveryDecision.allowed(d, host, policy == null ? null : Mode.NONE,
          "no MTA-STS policy applies to " + d + " (" + lookup.status()
              + (policy == null ? "" : ", mode none") + ")");
    }
    Mode mode = policy.mode();
    RefusalReason reason =
        policy.allowsMx(host) ? facts.failure().orElse(null) : RefusalReason.MX_MISMATCH;
    if (reason == null) {
      return DeliveryDecision.allowed(d, host, mode,
          host + " satisfies the MTA-STS policy of " + d + " (mode " + mode.token() + ", "
              + facts.protocol().orElse("?") + ")");
    }
    String message =
        host + " fails the MTA-STS policy of " + d + " (mode " + mode.token() + ", id "
            + lookup.recordId().orElse("?") + "): " + explain(reason, policy, facts)
            + (mode == Mode.ENFORCE ? "; not delivering to this host (" + reason.transientStatusCode()
                + ")" : "; delivering anyway (testing mode), reported");
    DeliveryDecision decision = DeliveryDecision.violated(d, host, mode, reason, message);
    if (mode == Mode.ENFORCE) {
      fire(l -> l.deliveryRefused(decision));
    } else {
      // Testing mode: RFC 8461 §5 says deliver as without a policy; the violation is reported,
      // to the listener and (paced) to the log, so that it is seen without a listener.
      fire(l -> l.testingViolation(decision));
      warnings.testingViolation(decision);
    }
    return decision;
  }

  private static String explain(RefusalReason reason, Policy policy, TlsFacts facts) {
    return switch (reason) {
      case MX_MISMATCH -> "the host matches none of the policy's mx patterns "
          + policy.mxPatterns();
      case STARTTLS_NOT_SUPPORTED -> "STARTTLS was not offered or was refused";
      case TLS_VERSION -> "TLS 1.2 or later is required (negotiated: "
          + facts.protocol().orElse("none") + ")";
      default -> reason.code();
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle and helpers

  /**
   * Stops the refresh task (and its thread, if the client made it). Lookups still work afterwards,
   * without proactive refresh. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      refreshTask.cancel(false);
      if (ownsScheduler) {
        scheduler.shutdownNow();
      }
    }
  }

  private void fire(java.util.function.Consumer<MtaStsListener> event) {
    MtaStsListener.fire(listener, event);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static <T> T await(CompletionStage<T> stage, String domain) {
    try {
      return stage.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException c =
          new CancellationException("interrupted while looking up the MTA-STS policy of " + domain);
      c.initCause(e);
      throw c;
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  @Override
  public String toString() {
    return "MtaSts{about " + policies.estimatedSize() + " cached policies}";
  }

  /**
   * Configures an {@link MtaSts}. Each setter validates its argument at once and names the bad
   * value; each setting may be set once. Not thread-safe.
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>setting</th><th>default</th></tr>
   *   <tr><td>{@link #dnsClient}</td><td>{@link DnsClient#system()}</td></tr>
   *   <tr><td>{@link #hostResolver}</td><td>{@link HostResolver#dns} on the DNS client</td></tr>
   *   <tr><td>{@link #trustManager}</td><td>the JDK's trust store</td></tr>
   *   <tr><td>{@link #allowPrivateAddresses}</td><td>false (D-33)</td></tr>
   *   <tr><td>{@link #fetchDeadline}</td><td>60 s (D-06)</td></tr>
   *   <tr><td>{@link #policyFetcher}</td><td>the OkHttp fetcher made from the settings above</td></tr>
   *   <tr><td>{@link #clock}</td><td>{@link Clock#systemUTC()}</td></tr>
   *   <tr><td>{@link #executor}</td><td>a bounded pool of daemon threads for fetches</td></tr>
   *   <tr><td>{@link #scheduler}</td><td>one daemon thread, stopped by {@link #close()}</td></tr>
   *   <tr><td>{@link #maximumCachedPolicies}</td><td>{@value #DEFAULT_MAXIMUM_CACHED_POLICIES}</td></tr>
   *   <tr><td>{@link #policyStore}</td><td>{@link PolicyStore#none()}</td></tr>
   *   <tr><td>{@link #listener}</td><td>{@link MtaStsListener#NONE}</td></tr>
   *   <tr><td>{@link #deferOnDnsFailure}</td><td>false: proceed without a policy (D-01)</td></tr>
   *   <tr><td>{@link #refreshInterval}</td><td>24 h (STS-CACHE-06)</td></tr>
   *   <tr><td>{@link #fetchRetryBackoff}</td><td>5 min (STS-FETCH-14)</td></tr>
   *   <tr><td>{@link #negativeCacheTtl}</td><td>5 min, never beyond the DNS TTL</td></tr>
   * </table>
   */
  public static final class Builder {
    /** Cached policies kept when no maximum is set. */
    public static final long DEFAULT_MAXIMUM_CACHED_POLICIES = 100_000;

    private DnsClient dnsClient;
    private HostResolver hostResolver;
    private X509TrustManager trustManager;
    private Boolean allowPrivateAddressesSet;
    private boolean allowPrivateAddresses;
    private Duration fetchDeadline = Duration.ofSeconds(60);
    private boolean fetchDeadlineSet;
    private PolicyFetcher policyFetcher;
    private Clock clock;
    private Executor executor;
    private ScheduledExecutorService scheduler;
    private long maximumCachedPolicies = DEFAULT_MAXIMUM_CACHED_POLICIES;
    private boolean maximumSet;
    private PolicyStore policyStore;
    private MtaStsListener listener;
    private Boolean deferSet;
    private boolean deferOnDnsFailure;
    private Duration refreshInterval = Duration.ofHours(24);
    private boolean refreshIntervalSet;
    private Duration fetchRetryBackoff = Duration.ofMinutes(5);
    private boolean backoffSet;
    private Duration negativeCacheTtl = Duration.ofMinutes(5);
    private boolean negativeSet;

    private Builder() {}

    /**
     * Sets the DNS client for TXT, MX and (by default) address lookups.
     *
     * @param dnsClient the client
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder dnsClient(DnsClient dnsClient) {
      requireState(this.dnsClient == null, "dnsClient was already set to %s", this.dnsClient);
      this.dnsClient = Objects.requireNonNull(dnsClient, "dnsClient");
      return this;
    }

    /**
     * Sets where the policy fetch connects for {@code mta-sts.<domain>}.
     *
     * @param hostResolver the resolver
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder hostResolver(HostResolver hostResolver) {
      requireState(this.hostResolver == null, "hostResolver was already set to %s",
          this.hostResolver);
      this.hostResolver = Objects.requireNonNull(hostResolver, "hostResolver");
      return this;
    }

    /**
     * Sets the trust anchors for the policy host's certificate.
     *
     * @param trustManager the trust manager
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder trustManager(X509TrustManager trustManager) {
      requireState(this.trustManager == null, "trustManager was already set to %s",
          this.trustManager);
      this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
      return this;
    }

    /**
     * Allows policy fetches to loopback, private, link-local and metadata addresses (D-33). For
     * tests, demos and private deployments only.
     *
     * @param allow whether to allow them
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder allowPrivateAddresses(boolean allow) {
      requireState(allowPrivateAddressesSet == null, "allowPrivateAddresses was already set to %s",
          allowPrivateAddressesSet);
      this.allowPrivateAddressesSet = allow;
      this.allowPrivateAddresses = allow;
      return this;
    }

    /**
     * Sets the deadline for one whole policy fetch (D-06).
     *
     * @param deadline more than zero, at most 10 minutes
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder fetchDeadline(Duration deadline) {
      requireState(!fetchDeadlineSet, "fetchDeadline was already set to %s", fetchDeadline);
      this.fetchDeadline = range(deadline, "fetchDeadline", Duration.ofMillis(1),
          Duration.ofMinutes(10));
      this.fetchDeadlineSet = true;
      return this;
    }

    /**
     * Replaces the built-in HTTPS policy fetcher; {@link #hostResolver}, {@link #trustManager},
     * {@link #allowPrivateAddresses}, {@link #fetchDeadline} and {@link #executor} then do not
     * apply to fetches.
     *
     * @param policyFetcher the fetcher
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder policyFetcher(PolicyFetcher policyFetcher) {
      requireState(this.policyFetcher == null, "policyFetcher was already set to %s",
          this.policyFetcher);
      this.policyFetcher = Objects.requireNonNull(policyFetcher, "policyFetcher");
      return this;
    }

    /**
     * Sets the clock for policy lifetimes, back-off and refresh. Give the DNS client the same one.
     *
     * @param clock the clock
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder clock(Clock clock) {
      requireState(this.clock == null, "clock was already set to %s", this.clock);
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the executor that runs the blocking policy fetches.
     *
     * @param executor the executor
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder executor(Executor executor) {
      requireState(this.executor == null, "executor was already set to %s", this.executor);
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the scheduler for the proactive refresh task. A scheduler given here is not shut down
     * by {@link MtaSts#close()}; only the task is cancelled.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      requireState(this.scheduler == null, "scheduler was already set to %s", this.scheduler);
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets how many policies are held in memory at most. When the cache is full, some are evicted,
     * unexpired ones included; with a {@link #policyStore} the next lookup of such a domain reads
     * its policy back, without one it is first contact again (see {@link MtaSts}). Start-up loads
     * at most this many policies from the store.
     *
     * @param maximum 1 to 100 000 000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maximumCachedPolicies(long maximum) {
      requireState(!maximumSet, "maximumCachedPolicies was already set to %s",
          maximumCachedPolicies);
      if (maximum < 1 || maximum > 100_000_000L) {
        throw new IllegalArgumentException(
            "maximumCachedPolicies must be between 1 and 100000000: " + maximum);
      }
      this.maximumCachedPolicies = maximum;
      this.maximumSet = true;
      return this;
    }

    /**
     * Sets the store that keeps policies across restarts.
     *
     * @param policyStore the store
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder policyStore(PolicyStore policyStore) {
      requireState(this.policyStore == null, "policyStore was already set to %s",
          this.policyStore);
      this.policyStore = Objects.requireNonNull(policyStore, "policyStore");
      return this;
    }

    /**
     * Sets the listener; combine several with {@link MtaStsListener#plus}.
     *
     * @param listener the listener
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder listener(MtaStsListener listener) {
      requireState(this.listener == null, "listener was already set to %s", this.listener);
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Whether a temporary failure of the TXT lookup, with nothing cached, asks the caller to defer
     * ({@link PolicyLookup#shouldDefer()}) instead of proceeding without a policy (D-01).
     *
     * @param defer whether to defer
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder deferOnDnsFailure(boolean defer) {
      requireState(deferSet == null, "deferOnDnsFailure was already set to %s", deferSet);
      this.deferSet = defer;
      this.deferOnDnsFailure = defer;
      return this;
    }

    /**
     * Sets how old a cached policy gets before the background task fetches it again.
     *
     * @param interval 1 minute to 30 days
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder refreshInterval(Duration interval) {
      requireState(!refreshIntervalSet, "refreshInterval was already set to %s", refreshInterval);
      this.refreshInterval = range(interval, "refreshInterval", Duration.ofMinutes(1),
          Duration.ofDays(30));
      this.refreshIntervalSet = true;
      return this;
    }

    /**
     * Sets how long a lookup waits, after a failed fetch for a policy id, before fetching that id
     * again (STS-FETCH-14: at least five minutes).
     *
     * @param backoff 5 minutes to 1 day
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder fetchRetryBackoff(Duration backoff) {
      requireState(!backoffSet, "fetchRetryBackoff was already set to %s", fetchRetryBackoff);
      this.fetchRetryBackoff = range(backoff, "fetchRetryBackoff", Duration.ofMinutes(5),
          Duration.ofDays(1));
      this.backoffSet = true;
      return this;
    }

    /**
     * Sets how long "no record" and "invalid record" answers are remembered at most; never longer
     * than their DNS TTL.
     *
     * @param ttl zero (not remembered) to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder negativeCacheTtl(Duration ttl) {
      requireState(!negativeSet, "negativeCacheTtl was already set to %s", negativeCacheTtl);
      this.negativeCacheTtl = range(ttl, "negativeCacheTtl", Duration.ZERO, Duration.ofHours(1));
      this.negativeSet = true;
      return this;
    }

    /**
     * Builds the client: loads the store and starts the refresh task.
     *
     * @return a new client; close it when done
     */
    public MtaSts build() {
      return new MtaSts(this);
    }

    private static Duration range(Duration d, String name, Duration min, Duration max) {
      Objects.requireNonNull(d, name);
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ": " + d);
      }
      return d;
    }

    private static void requireState(boolean ok, String template, Object value) {
      if (!ok) {
        throw new IllegalStateException(String.format(template, value));
      }
    }
  }
}
