package org.mtasts;

import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.TlsFacts;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.X509TrustManager;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.MxLookup;
import org.mtasts.dns.MxResolver;
import org.mtasts.internal.discovery.PolicyDiscovery;
import org.mtasts.internal.fetch.FetchExecutors;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.Mode;

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
  // The rules live beside this facade, one file per topic: PolicyResolution (which policy
  // applies: TXT lookup, cache, fetch, failures), PolicyRefresh (the background refresh),
  // StoreSync (the policy store) and DeliveryRules (plan and check, pure).
  private final MxResolver mxResolver;
  private final MtaStsListener listener;
  private final OperatorWarnings warnings;
  private final PolicyResolution resolution;
  private final PolicyRefresh refresh;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** What this client was built with, defaults filled in (for newBuilder()). */
  private final Builder preset;

  private MtaSts(Builder given) {
    Builder b = given.copy(); // newBuilder() starts from what this client actually uses
    if (b.clock == null) {
      b.clock = Clock.systemUTC();
    }
    if (b.dnsClient == null) {
      // The one clock reaches the DNS cache and DNSSEC validity too; a DNS client given to the
      // builder keeps its own (see Builder#clock).
      b.dnsClient = DnsClient.builder().clock(b.clock).build();
      b.dnsClientMade = true;
    }
    if (b.policyFetcher == null) {
      if (b.executor == null) {
        b.executor = FetchExecutors.bounded(16); // named, so that newBuilder() can share it
      }
      b.policyFetcher = b.httpsFetcher().build(b.dnsClient);
      b.fetcherFromSettings = true;
    }
    b.set.clear();
    this.preset = b;
    Clock clock = b.clock;
    DnsClient dns = b.dnsClient;
    this.mxResolver = MxResolver.create(dns);
    PolicyStore store = b.policyStore != null ? b.policyStore : PolicyStore.none();
    this.listener = b.listener != null ? b.listener : MtaStsListener.NONE;
    this.warnings = new OperatorWarnings(clock, 10_000, listener);
    this.resolution =
        new PolicyResolution(clock, new PolicyDiscovery(dns), b.policyFetcher, store, listener,
            warnings, b.deferOnDnsFailure, b.negativeCacheTtl, b.maximumCachedPolicies,
            b.fetchRetryBackoff);
    resolution.store().load();
    this.refresh =
        new PolicyRefresh(clock, resolution, listener, b.refreshInterval, b.scheduler);
    refresh.start();
  }

  /**
   * Returns a new builder with the defaults documented on {@link Builder}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder preset with this client's configuration, for a variant that differs in a
   * few settings (OkHttp's {@code newBuilder()}). The new client shares this one's DNS client
   * (and its answer cache), policy fetcher and fetch thread pool, policy store, listener and
   * clock, and a {@linkplain Builder#scheduler scheduler} given to this client; it has its own
   * policy cache and, unless a scheduler was given, its own refresh thread. A new {@linkplain
   * Builder#clock clock} also gets a new DNS client when this client made its own. Each preset setting
   * may be set once more; changing a fetch setting ({@link Builder#hostResolver}, {@link
   * Builder#trustManager}, {@link Builder#allowPrivateAddresses}, {@link Builder#fetchDeadline},
   * {@link Builder#executor}) or the DNS client makes a new HTTPS fetcher with the other settings
   * kept. Closing this client does not close the new one, nor the reverse.
   *
   * @return a preset builder
   */
  public Builder newBuilder() {
    return preset.copy();
  }

  /**
   * The clock this client reads: the one given to {@link Builder#clock}, or the system clock. Give
   * it to an {@link MxTlsVerifier.Builder#clock MX verifier} so that one clock judges policy
   * lifetimes and certificate validity.
   *
   * @return the clock
   */
  public Clock clock() {
    return preset.clock;
  }

  // ---------------------------------------------------------------------------------------------
  // Lookup: PolicyResolution

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
    PolicyLookup hit = resolution.cacheHit(d);
    if (hit != null) {
      return CompletableFuture.completedStage(hit);
    }
    return resolution.resolve(d);
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
    PolicyLookup hit = resolution.cacheHit(d);
    return hit != null ? hit : await(resolution.resolve(d), domain);
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
    resolution.invalidate(DomainNames.normalize(domain));
  }

  /** Removes every cached policy, from memory and from the store. */
  public void invalidateAll() {
    resolution.invalidateAll();
  }

  /**
   * Lists the unexpired policies held in memory, by domain; a store may hold more (those evicted
   * or not loaded at start-up), which lookups still find.
   *
   * @return a snapshot
   */
  public List<CachedPolicy> cachedPolicies() {
    return resolution.cachedPolicies();
  }

  /** Runs the refresh task once now (PolicyRefresh); for tests with a fake clock. */
  CompletableFuture<Void> refreshNow() {
    return refresh.refreshNow();
  }

  /** Removes expired entries from the store now (StoreSync); for tests with a fake clock. */
  long pruneStore() {
    return resolution.store().prune();
  }

  // ---------------------------------------------------------------------------------------------
  // Planning and checking: DeliveryRules

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
                        error == null
                            ? DeliveryRules.plan(lookup, hosts)
                            : DeliveryRules.mxFailed(lookup, PolicyResolution.unwrap(error))));
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

  /**
   * Judges MX hosts the caller found itself against one policy lookup: each host, in the order
   * given, with whether the policy matches it and allows a connection, and what TLS it needs.
   * Pure: no I/O.
   *
   * <p>A name that is not a valid host name ({@link DomainNames#normalize}) is left out of the
   * plan, like an unreachable host, and named in the plan's message (STS-MX-08): one bad MX
   * record must not stop delivery to the others.
   *
   * @param lookup the policy lookup
   * @param mxHosts MX host names in delivery order
   * @return the plan; its status is {@link DeliveryPlan.Status#DELIVER}, or {@link
   *     DeliveryPlan.Status#NO_MATCHING_MX} under {@code enforce} when no host matches, or {@link
   *     DeliveryPlan.Status#NO_MAIL_HOST} when no name is a valid host name, or {@link
   *     DeliveryPlan.Status#TEMPORARY_FAILURE} when the lookup {@linkplain
   *     PolicyLookup#shouldDefer() asks to defer}
   * @throws IllegalArgumentException if the list is empty
   * @throws NullPointerException if {@code lookup}, the list or a name in it is null
   */
  public static DeliveryPlan plan(PolicyLookup lookup, List<String> mxHosts) {
    return DeliveryRules.plan(lookup, mxHosts);
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
    DeliveryDecision decision = DeliveryRules.check(lookup, mxHost, facts);
    if (decision.reason().isEmpty()) {
      return decision; // allowed without a violation: nothing to report
    }
    if (decision.mode().orElse(null) == Mode.ENFORCE) {
      MtaStsListener.fire(listener, l -> l.deliveryRefused(decision));
    } else {
      // Testing mode: RFC 8461 §5 says deliver as without a policy; the violation is reported,
      // to the listener and (paced) to the log, so that it is seen without a listener.
      MtaStsListener.fire(listener, l -> l.testingViolation(decision));
      warnings.testingViolation(decision);
    }
    return decision;
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Stops the refresh task (and its thread, if the client made it). Lookups still work afterwards,
   * without proactive refresh. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      refresh.close();
    }
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
      Throwable cause = PolicyResolution.unwrap(e);
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
    return "MtaSts{about " + resolution.policies().estimatedSize() + " cached policies}";
  }

  // For TlsReporter (issue 14): report delivery looks up _smtp._tls and posts to https: rua with
  // the same DNS client, host resolver, trust anchors, address guard and deadline as the lookups.

  DnsClient reportDnsClient() {
    return preset.dnsClient;
  }

  HostResolver reportHostResolver() {
    return preset.hostResolver != null ? preset.hostResolver : HostResolver.dns(preset.dnsClient);
  }

  /** The trust anchors given to the builder, or null for the JDK's. */
  X509TrustManager reportTrustManager() {
    return preset.trustManager;
  }

  boolean reportAllowPrivateAddresses() {
    return preset.allowPrivateAddresses;
  }

  Duration reportDeadline() {
    return preset.fetchDeadline;
  }


  /**
   * Configures an {@link MtaSts}. Each setter validates its argument at once and names the bad
   * value; each setting may be set once. Not thread-safe.
   *
   * <p><b>Policy fetch.</b> By default the client fetches with the library's HTTPS fetcher
   * ({@link PolicyFetcher#https()}) made from {@link #hostResolver}, {@link #trustManager}, {@link
   * #allowPrivateAddresses}, {@link #fetchDeadline} and {@link #executor}. A {@link #policyFetcher}
   * replaces it; setting it together with any of those five fails {@link #build()}, since they
   * could not apply (give them to {@link PolicyFetcher#https()} instead).
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>setting</th><th>default</th></tr>
   *   <tr><td>{@link #dnsClient}</td><td>{@link DnsClient#builder()} with the {@link
   *       #clock}</td></tr>
   *   <tr><td>{@link #hostResolver}</td><td>{@link HostResolver#dns} on the DNS client</td></tr>
   *   <tr><td>{@link #trustManager}</td><td>the JDK's trust store</td></tr>
   *   <tr><td>{@link #allowPrivateAddresses}</td><td>false (D-33)</td></tr>
   *   <tr><td>{@link #fetchDeadline}</td><td>60 s (D-06)</td></tr>
   *   <tr><td>{@link #executor}</td><td>a bounded pool of daemon threads for fetches</td></tr>
   *   <tr><td>{@link #policyFetcher}</td><td>the HTTPS fetcher made from the five settings
   *       above</td></tr>
   *   <tr><td>{@link #clock}</td><td>{@link Clock#systemUTC()}</td></tr>
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

    /** The settings that configure the built-in HTTPS fetcher, in the order they are named. */
    private static final List<String> FETCH_SETTINGS =
        List.of("hostResolver", "trustManager", "allowPrivateAddresses", "fetchDeadline",
            "executor");

    /** Settings made on this builder (those preset by newBuilder() are not). */
    private final Set<String> set = new LinkedHashSet<>();
    private DnsClient dnsClient;
    private HostResolver hostResolver;
    private X509TrustManager trustManager;
    private boolean allowPrivateAddresses;
    private Duration fetchDeadline = PolicyFetcher.HttpsBuilder.DEFAULT_DEADLINE;
    private Executor executor;
    private PolicyFetcher policyFetcher;
    /** Whether {@link #policyFetcher} was made from the fetch settings (newBuilder()). */
    private boolean fetcherFromSettings;
    /** Whether {@link #dnsClient} was made by the client with its clock (newBuilder()). */
    private boolean dnsClientMade;
    private Clock clock;
    private ScheduledExecutorService scheduler;
    private long maximumCachedPolicies = DEFAULT_MAXIMUM_CACHED_POLICIES;
    private PolicyStore policyStore;
    private MtaStsListener listener;
    private boolean deferOnDnsFailure;
    private Duration refreshInterval = Duration.ofHours(24);
    private Duration fetchRetryBackoff = Duration.ofMinutes(5);
    private Duration negativeCacheTtl = Duration.ofMinutes(5);

    private Builder() {}

    /**
     * Sets the DNS client for TXT, MX and (by default) address lookups. It keeps its own clock:
     * give it the same one as {@link #clock} ({@link DnsClient.Builder#clock}).
     *
     * @param dnsClient the client
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder dnsClient(DnsClient dnsClient) {
      Objects.requireNonNull(dnsClient, "dnsClient");
      once("dnsClient", this.dnsClient);
      this.dnsClient = dnsClient;
      this.dnsClientMade = false;
      return this;
    }

    /**
     * Sets where the policy fetch connects for {@code mta-sts.<domain>}. A fetch setting: not
     * with {@link #policyFetcher}.
     *
     * @param hostResolver the resolver
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder hostResolver(HostResolver hostResolver) {
      Objects.requireNonNull(hostResolver, "hostResolver");
      once("hostResolver", this.hostResolver);
      this.hostResolver = hostResolver;
      return this;
    }

    /**
     * Sets the trust anchors for the policy host's certificate. A fetch setting: not with {@link
     * #policyFetcher}.
     *
     * @param trustManager the trust manager
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder trustManager(X509TrustManager trustManager) {
      Objects.requireNonNull(trustManager, "trustManager");
      once("trustManager", this.trustManager);
      this.trustManager = trustManager;
      return this;
    }

    /**
     * Allows policy fetches to loopback, private, link-local and metadata addresses (D-33). For
     * tests, demos and private deployments only. A fetch setting: not with {@link
     * #policyFetcher}.
     *
     * @param allow whether to allow them
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder allowPrivateAddresses(boolean allow) {
      once("allowPrivateAddresses", this.allowPrivateAddresses);
      this.allowPrivateAddresses = allow;
      return this;
    }

    /**
     * Sets the deadline for one whole policy fetch (D-06). A fetch setting: not with {@link
     * #policyFetcher}.
     *
     * @param deadline more than zero, at most 10 minutes
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder fetchDeadline(Duration deadline) {
      Duration checked = range(deadline, "fetchDeadline", Duration.ofMillis(1),
          Duration.ofMinutes(10));
      once("fetchDeadline", this.fetchDeadline);
      this.fetchDeadline = checked;
      return this;
    }

    /**
     * Sets the executor that runs the blocking policy fetches. A fetch setting: not with {@link
     * #policyFetcher}.
     *
     * @param executor the executor
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder executor(Executor executor) {
      Objects.requireNonNull(executor, "executor");
      once("executor", this.executor);
      this.executor = executor;
      return this;
    }

    /**
     * Replaces the built-in HTTPS policy fetcher, for example with one made by {@link
     * PolicyFetcher#https()}. {@link #build()} fails if a fetch setting ({@link #hostResolver},
     * {@link #trustManager}, {@link #allowPrivateAddresses}, {@link #fetchDeadline}, {@link
     * #executor}) is set too: it could not apply.
     *
     * @param policyFetcher the fetcher
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder policyFetcher(PolicyFetcher policyFetcher) {
      Objects.requireNonNull(policyFetcher, "policyFetcher");
      once("policyFetcher", this.policyFetcher);
      this.policyFetcher = policyFetcher;
      this.fetcherFromSettings = false;
      return this;
    }

    /**
     * Sets the clock for policy lifetimes, back-off and refresh, and for the DNS client the
     * builder makes when none is {@linkplain #dnsClient given} (its cache and DNSSEC validity). A
     * given DNS client keeps its own clock; the HTTPS fetch needs none (its deadline is elapsed
     * time). {@link MtaSts#clock()} hands it on, e.g. to an {@link MxTlsVerifier}.
     *
     * @param clock the clock
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      once("clock", this.clock);
      this.clock = clock;
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
      Objects.requireNonNull(scheduler, "scheduler");
      once("scheduler", this.scheduler);
      this.scheduler = scheduler;
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
      if (maximum < 1 || maximum > 100_000_000L) {
        throw new IllegalArgumentException(
            "maximumCachedPolicies must be between 1 and 100000000: " + maximum);
      }
      once("maximumCachedPolicies", this.maximumCachedPolicies);
      this.maximumCachedPolicies = maximum;
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
      Objects.requireNonNull(policyStore, "policyStore");
      once("policyStore", this.policyStore);
      this.policyStore = policyStore;
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
      Objects.requireNonNull(listener, "listener");
      once("listener", this.listener);
      this.listener = listener;
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
      once("deferOnDnsFailure", this.deferOnDnsFailure);
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
      Duration checked = range(interval, "refreshInterval", Duration.ofMinutes(1),
          Duration.ofDays(30));
      once("refreshInterval", this.refreshInterval);
      this.refreshInterval = checked;
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
      Duration checked = range(backoff, "fetchRetryBackoff", Duration.ofMinutes(5),
          Duration.ofDays(1));
      once("fetchRetryBackoff", this.fetchRetryBackoff);
      this.fetchRetryBackoff = checked;
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
      Duration checked = range(ttl, "negativeCacheTtl", Duration.ZERO, Duration.ofHours(1));
      once("negativeCacheTtl", this.negativeCacheTtl);
      this.negativeCacheTtl = checked;
      return this;
    }

    /**
     * Builds the client: loads the store and starts the refresh task.
     *
     * @return a new client; close it when done
     * @throws IllegalStateException if {@link #policyFetcher} is set together with a fetch setting
     *     (the message names them), or this builder came from {@link MtaSts#newBuilder()} of a
     *     client with its own policy fetcher and a fetch setting is set
     */
    public MtaSts build() {
      List<String> fetchSettings = new ArrayList<>();
      for (String name : FETCH_SETTINGS) {
        if (set.contains(name)) {
          fetchSettings.add(name);
        }
      }
      if (policyFetcher != null && !fetchSettings.isEmpty()) {
        if (set.contains("policyFetcher") || !fetcherFromSettings) {
          throw new IllegalStateException(
              (set.contains("policyFetcher") ? "policyFetcher is set"
                  : "the client this builder came from has its own policyFetcher")
                  + ", so " + String.join(", ", fetchSettings) + " would not apply to policy "
                  + "fetches; give them to PolicyFetcher.https() and pass its fetcher to "
                  + "policyFetcher");
        }
      }
      return new MtaSts(this);
    }

    /** The HTTPS fetcher's builder from the fetch settings here. */
    PolicyFetcher.HttpsBuilder httpsFetcher() {
      PolicyFetcher.HttpsBuilder https =
          PolicyFetcher.https()
              .allowPrivateAddresses(allowPrivateAddresses)
              .deadline(fetchDeadline);
      if (hostResolver != null) {
        https.hostResolver(hostResolver);
      }
      if (trustManager != null) {
        https.trustManager(trustManager);
      }
      if (executor != null) {
        https.executor(executor);
      }
      return https;
    }

    /**
     * A copy of this builder. A fetcher made from the fetch settings is dropped, to be made anew,
     * when a fetch setting or the DNS client (behind the default host resolver) was set since.
     */
    Builder copy() {
      Builder c = new Builder();
      c.set.addAll(set);
      c.dnsClient = dnsClient;
      c.hostResolver = hostResolver;
      c.trustManager = trustManager;
      c.allowPrivateAddresses = allowPrivateAddresses;
      c.fetchDeadline = fetchDeadline;
      c.executor = executor;
      c.policyFetcher = policyFetcher;
      c.fetcherFromSettings = fetcherFromSettings;
      c.dnsClientMade = dnsClientMade;
      c.clock = clock;
      c.scheduler = scheduler;
      c.maximumCachedPolicies = maximumCachedPolicies;
      c.policyStore = policyStore;
      c.listener = listener;
      c.deferOnDnsFailure = deferOnDnsFailure;
      c.refreshInterval = refreshInterval;
      c.fetchRetryBackoff = fetchRetryBackoff;
      c.negativeCacheTtl = negativeCacheTtl;
      if (c.dnsClientMade && set.contains("clock") && !set.contains("dnsClient")) {
        c.dnsClient = null; // made with the old clock: one clock reaches DNS too
        c.dnsClientMade = false;
      }
      boolean fetchChanged = FETCH_SETTINGS.stream().anyMatch(set::contains)
          || (c.dnsClient != dnsClient && hostResolver == null)
          || (set.contains("dnsClient") && hostResolver == null);
      if (c.fetcherFromSettings && fetchChanged) {
        c.policyFetcher = null;
        c.fetcherFromSettings = false;
      }
      return c;
    }

    private void once(String name, Object value) {
      if (!set.add(name)) {
        throw new IllegalStateException(name + " was already set to " + value);
      }
    }

    private static Duration range(Duration d, String name, Duration min, Duration max) {
      Objects.requireNonNull(d, name);
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ": " + d);
      }
      return d;
    }
  }
}
