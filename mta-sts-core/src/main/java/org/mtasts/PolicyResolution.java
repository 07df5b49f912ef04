package org.mtasts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.mtasts.internal.cache.CacheEntry;
import org.mtasts.internal.cache.FetchGate;
import org.mtasts.internal.cache.TimedCache;
import org.mtasts.internal.discovery.PolicyDiscovery;
import org.mtasts.internal.discovery.PolicyDiscovery.Discovery;
import org.mtasts.policy.Mode;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicyRecord;
import org.mtasts.policy.RecordSelection;
import org.mtasts.report.ResultType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which policy applies to a domain now (RFC 8461 §3 and §5): the TXT lookup, the cache rules
 * (STS-CACHE-01..05), the fetch with its back-off (STS-FETCH-14, SEC-14), and what applies when
 * DNS or HTTPS fails and a policy is cached (STS-CACHE-05, STS-FETCH-15/16, STS-DISC-14..16).
 * Owns the in-memory policy cache, the remembered negative answers and the single flight of
 * concurrent lookups. Thread-safe. See {@link MtaSts} for the rules in prose.
 */
final class PolicyResolution {
  private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

  /**
   * Longest time a TXT answer that confirmed a cached policy's id is reused without asking DNS,
   * whatever its TTL: the library's own DNS cache keeps no answer longer either.
   */
  static final Duration MAX_TXT_REUSE = Duration.ofDays(1);

  /** The least time between fetches of different ids of one domain (SEC-14, EDGE-87). */
  static final Duration NEW_ID_FETCH_INTERVAL = Duration.ofMinutes(1);

  private final Clock clock;
  private final PolicyDiscovery discovery;
  private final PolicyFetcher fetcher;
  private final MtaStsListener listener;
  private final OperatorWarnings warnings;
  private final boolean deferOnDnsFailure;
  private final Duration negativeCacheTtl;
  private final long maximumCachedPolicies;
  /** Whether cache entries keep the policy text, for TLS-RPT's {@code policy-string}. */
  private final boolean keepPolicyText;
  private final TimedCache<CacheEntry> policies;
  private final TimedCache<Negative> negatives;
  private final StoreSync store;
  private final FetchGate gate;
  private final ConcurrentHashMap<String, CompletableFuture<PolicyLookup>> inFlight =
      new ConcurrentHashMap<>();

  /** A remembered "no policy" or "invalid record" answer. */
  private record Negative(PolicyLookup lookup, Instant expiresAt) {}

  PolicyResolution(Clock clock, PolicyDiscovery discovery, PolicyFetcher fetcher,
      PolicyStore policyStore, MtaStsListener listener, OperatorWarnings warnings,
      boolean deferOnDnsFailure, Duration negativeCacheTtl, long maximumCachedPolicies,
      Duration fetchRetryBackoff, boolean keepPolicyText) {
    this.clock = clock;
    this.discovery = discovery;
    this.fetcher = fetcher;
    this.listener = listener;
    this.warnings = warnings;
    this.deferOnDnsFailure = deferOnDnsFailure;
    this.negativeCacheTtl = negativeCacheTtl;
    this.maximumCachedPolicies = maximumCachedPolicies;
    this.keepPolicyText = keepPolicyText;
    this.policies =
        new TimedCache<>(clock, maximumCachedPolicies, CacheEntry::expiresAt, this::expired,
            this::evicted);
    this.negatives = new TimedCache<>(clock, maximumCachedPolicies, Negative::expiresAt, null);
    this.store = new StoreSync(clock, policyStore, listener, maximumCachedPolicies, policies,
        keepPolicyText);
    this.gate =
        new FetchGate(clock, maximumCachedPolicies, fetchRetryBackoff, NEW_ID_FETCH_INTERVAL);
  }

  /** The in-memory cache, for the refresh task. */
  TimedCache<CacheEntry> policies() {
    return policies;
  }

  /** The store beside the cache. */
  StoreSync store() {
    return store;
  }

  /**
   * The text to keep in a cache entry for {@code parsed}: its lines, for TLS-RPT; null when this
   * client does not record TLS-RPT results.
   */
  String keptText(ParsedPolicy parsed) {
    return keepPolicyText ? StoreSync.text(parsed) : null;
  }

  /**
   * The per-message fast path (issue 8): answers from memory when the domain's cached policy is
   * unexpired and the TXT answer that last named its id is within its DNS TTL (asking DNS again
   * could only return that same cached answer), or when a negative answer is remembered. Null
   * when the full lookup must run. Allocates nothing once the entry's result is made.
   *
   * @param d a normalised domain name
   */
  PolicyLookup cacheHit(String d) {
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
      lookup = PolicyLookup.valid(PolicyLookup.Source.CACHE, entry.policy(), entry.warnings(),
          null, entry.policyText());
      entry.cacheHit(lookup);
    }
    return lookup;
  }

  /**
   * The full lookup of a normalised domain; concurrent callers share one (single flight).
   *
   * @param d a normalised domain name
   */
  CompletionStage<PolicyLookup> resolve(String d) {
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
   * An operator's refresh of a normalised domain (issue 17): the full lookup, fetching even when
   * the TXT id names the cached policy, with the domain's back-off and remembered negative answer
   * forgotten first. A failure keeps the cached policy (STS-CACHE-05), as on any lookup.
   */
  CompletionStage<PolicyLookup> refresh(String d) {
    negatives.remove(d);
    gate.clear(d);
    try {
      return lookup(d, true);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletionStage<PolicyLookup> lookup(String d) {
    return lookup(d, false);
  }

  private CompletionStage<PolicyLookup> lookup(String d, boolean refetch) {
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
      cached = store.readThrough(d);
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
                    ? afterDiscovery(d, disc, known, refetch)
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
      CacheEntry cached, boolean refetch) {
    CacheEntry live = live(cached);
    RecordSelection<PolicyRecord> selection = disc.selection();
    if (selection instanceof RecordSelection.Found<PolicyRecord> found) {
      String id = found.record().id();
      long txtFreshUntil = clock.millis() + min(disc.ttl(), MAX_TXT_REUSE).toMillis();
      if (live != null && live.policy().recordId().equals(id) && !refetch) {
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
    if (!store.lease(d)) {
      // Issue 15: another node sharing the store is fetching this domain; use its result when
      // it appears there, else (slow, failed, or max_age 0) fetch as if there were no lease.
      return store.awaitShared(d, id).thenCompose(shared -> {
        if (shared == null) {
          return fetchNow(d, id, txtFreshUntil, live);
        }
        shared.txtConfirmedUntil(txtFreshUntil);
        negatives.remove(d);
        announce(live == null ? null : live.policy(), shared.policy());
        return CompletableFuture.completedFuture(cacheLookup(shared));
      });
    }
    return fetchNow(d, id, txtFreshUntil, live);
  }

  private CompletionStage<PolicyLookup> fetchNow(String d, String id, long txtFreshUntil,
      CacheEntry live) {
    CompletionStage<FetchedPolicy> fetched = startFetch(d);
    return fetched.handle(
        (policy, error) ->
            error == null
                ? fetched(d, id, txtFreshUntil, policy, live)
                : fetchFailed(d, id, unwrap(error), live));
  }

  /** Starts a fetch; a fetcher that throws or returns null fails the stage instead. */
  CompletionStage<FetchedPolicy> startFetch(String d) {
    long start = clock.millis();
    CompletionStage<FetchedPolicy> fetch;
    try {
      fetch = Objects.requireNonNull(fetcher.fetch(d), "PolicyFetcher returned null");
    } catch (RuntimeException e) {
      fetch = CompletableFuture.failedFuture(e);
    }
    // Issue 17: fetch latency for metrics. The client's clock, as everywhere: a test clock
    // that stands still measures zero.
    return fetch.whenComplete(
        (policy, error) -> {
          Duration elapsed = Duration.ofMillis(Math.max(0, clock.millis() - start));
          Optional<LookupFailure> failure =
              error == null ? Optional.empty() : Optional.of(fetchFailure(d, unwrap(error)));
          fire(l -> l.fetchEnded(d, elapsed, failure));
        });
  }

  private PolicyLookup fetched(String d, String id, long txtFreshUntil, FetchedPolicy fetched,
      CacheEntry previous) {
    Instant at = clock.instant();
    ParsedPolicy parsed = fetched.parsed();
    Policy policy = parsed.policy();
    CachedPolicy current = new CachedPolicy(d, id, policy, at, at.plus(policy.maxAge()));
    String text = keptText(parsed);
    CacheEntry entry = new CacheEntry(current, parsed.warnings(), at, text);
    entry.txtConfirmedUntil(txtFreshUntil);
    negatives.remove(d);
    if (policy.maxAge().isZero()) {
      // D-09: max_age 0 applies to this lookup only. It supersedes any cached policy, also
      // one that was evicted from memory but is still stored (the store would bring it back).
      policies.remove(d);
      store.delete(d);
    } else {
      policies.put(d, entry);
      store.save(current, parsed);
    }
    announce(previous == null ? null : previous.policy(), current);
    return PolicyLookup.valid(PolicyLookup.Source.FETCHED, current, parsed.warnings(), null,
        text);
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
  void addressGuardStoodInTheWay(String d, LookupFailure failure, CachedPolicy applied) {
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

  static LookupFailure fetchFailure(String d, Throwable error) {
    if (error instanceof PolicyFetchException e) {
      return new LookupFailure(e.failure().resultType(),
          "policy fetch for " + d + " failed (" + e.failure() + "): " + e.getMessage(), e);
    }
    return new LookupFailure(ResultType.STS_POLICY_FETCH_ERROR,
        "policy fetch for " + d + " failed: " + error, error);
  }

  private PolicyLookup stale(CacheEntry live, LookupFailure failure) {
    PolicyLookup lookup = PolicyLookup.valid(PolicyLookup.Source.STALE_CACHE, live.policy(),
        live.warnings(), failure, live.policyText());
    fire(l -> l.staleServed(lookup));
    return lookup;
  }

  /** Returns {@code entry} if it has not expired now, else null (STS-CACHE-02). */
  private CacheEntry live(CacheEntry entry) {
    return entry != null && entry.policy().isValidAt(clock.instant()) ? entry : null;
  }

  /** Tells the listener what a successful fetch or refresh changed (SEC-02: a lowered mode). */
  void announce(CachedPolicy previous, CachedPolicy current) {
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
    if (store.keepsPolicies() || p.mode() == Mode.NONE || live(entry) == null) {
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

  /** Forgets everything about one normalised domain, in memory and in the store (SEC-12). */
  void invalidate(String d) {
    CacheEntry removed = policies.remove(d);
    negatives.remove(d);
    store.forgetClamp(d);
    gate.clear(d);
    store.delete(d);
    if (removed != null) {
      fire(l -> l.invalidated(removed.policy()));
    }
  }

  /** Forgets every domain, in memory and in the store. */
  void invalidateAll() {
    List<CacheEntry> removed = new ArrayList<>(policies.snapshot().values());
    policies.clear();
    negatives.clear();
    gate.clearAll();
    store.deleteAll();
    for (CacheEntry e : removed) {
      fire(l -> l.invalidated(e.policy()));
    }
  }

  /** How many policies the memory holds, expired ones not yet removed included. */
  long cachedPolicyCount() {
    return policies.estimatedSize();
  }

  /** The unexpired policies in memory, by domain. */
  List<CachedPolicy> cachedPolicies() {
    return policies.snapshot().values().stream()
        .map(CacheEntry::policy)
        .sorted(Comparator.comparing(CachedPolicy::domain))
        .toList();
  }

  private void fire(java.util.function.Consumer<MtaStsListener> event) {
    MtaStsListener.fire(listener, event);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The cause behind the wrappers a {@link CompletionStage} adds. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Waits for {@code stage} (the blocking views of {@link MtaSts}): an interrupt becomes a {@link
   * CancellationException} with the flag set again, a failure throws its cause.
   */
  static <T> T await(CompletionStage<T> stage, String domain) {
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
}
