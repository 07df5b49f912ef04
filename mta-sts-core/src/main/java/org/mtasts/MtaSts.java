package org.mtasts;

import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.TlsFacts;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.X509TrustManager;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.MxLookup;
import org.mtasts.dns.MxResolver;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.report.ReportStore;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.report.SessionResult;
import org.mtasts.report.TlsRptRecorder;

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
 * <p>What a lookup does, the refresh, persistence and restarts, what an operator sees without a
 * listener and what is recorded for TLS reports: see the {@linkplain org.mtasts package
 * documentation}.
 *
 * <p>Thread-safe. Lookups never fail for DNS or HTTPS reasons: those are statuses of the {@link
 * PolicyLookup}.
 */
public final class MtaSts implements AutoCloseable {
  private final MxResolver mxResolver;
  private final MtaStsListener listener;
  private final OverrideTable overrides;
  private final OperatorWarnings warnings;
  private final PolicyResolution resolution;
  private final PolicyRefresh refresh;
  private final TlsRptRecording recording;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** What this client was built with, defaults filled in (for newBuilder()). */
  private final MtaStsSettings preset;

  private MtaSts(MtaStsSettings given) {
    this.preset = given.withDefaults(); // newBuilder() starts from what this client actually uses
    this.mxResolver = MxResolver.create(preset.dnsClient());
    this.listener = preset.listener();
    this.overrides = preset.overrideTable();
    this.warnings = new OperatorWarnings(preset.clock(), 10_000, preset.listener());
    this.recording = preset.recording();
    this.resolution = preset.resolution(warnings, recording);
    resolution.store().load();
    this.refresh = preset.refresh(resolution);
    refresh.start();
  }

  /**
   * Returns a new builder with the defaults documented on {@link Builder}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder(new MtaStsSettings());
  }

  /**
   * Returns a builder preset with this client's configuration, for a variant that differs in a
   * few settings (OkHttp's {@code newBuilder()}). The new client shares this one's DNS client
   * (and its answer cache), policy fetcher and fetch thread pool, policy store, listener, clock,
   * report store and recorder, and a {@linkplain Builder#scheduler scheduler} given to this
   * client; it has its own policy cache and, unless a scheduler was given, its own refresh thread. A new {@linkplain
   * Builder#clock clock} also gets a new DNS client when this client made its own. Each preset setting
   * may be set once more; changing a fetch setting ({@link Builder#hostResolver}, {@link
   * Builder#trustManager}, {@link Builder#allowPrivateAddresses}, {@link Builder#fetchDeadline},
   * {@link Builder#executor}) or the DNS client makes a new HTTPS fetcher with the other settings
   * kept. Closing this client does not close the new one, nor the reverse.
   *
   * @return a preset builder
   */
  public Builder newBuilder() {
    return new Builder(preset.copy());
  }

  /**
   * The clock this client reads: the one given to {@link Builder#clock}, or the system clock. Give
   * it to an {@link MxTlsVerifier.Builder#clock MX verifier} so that one clock judges policy
   * lifetimes and certificate validity.
   *
   * @return the clock
   */
  public Clock clock() {
    return preset.clock();
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
    PolicyOverrides.Rule rule = overrides.ruleFor(d);
    if (rule != null) {
      return overridden(d, rule, false);
    }
    PolicyLookup hit = resolution.cacheHit(d);
    if (hit != null) {
      completed(hit);
      return CompletableFuture.completedStage(hit);
    }
    return resolution.resolve(d).thenApply(this::completed);
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
    PolicyOverrides.Rule rule = overrides.ruleFor(d);
    if (rule != null) {
      return PolicyResolution.await(overridden(d, rule, false), domain);
    }
    PolicyLookup hit = resolution.cacheHit(d);
    return completed(hit != null ? hit : PolicyResolution.await(resolution.resolve(d), domain));
  }

  /**
   * The lookup of a domain under a local override rule (issue 17 item 4): a pinned policy without
   * DNS or HTTPS, else the ordinary lookup (or refresh) as the rule changes it.
   */
  private CompletionStage<PolicyLookup> overridden(String d, PolicyOverrides.Rule rule,
      boolean refresh) {
    if (refresh) {
      return resolution.refresh(d).thenApply(l -> changed(d, rule, l));
    }
    if (rule.action() == PolicyOverrides.Action.PINNED) {
      return CompletableFuture.completedStage(completed(overrides.pinned(d, rule)));
    }
    PolicyLookup hit = resolution.cacheHit(d);
    return hit != null ? CompletableFuture.completedStage(completed(changed(d, rule, hit)))
        : resolution.resolve(d).thenApply(l -> completed(changed(d, rule, l)));
  }

  /** What {@code rule} makes of the lookup of {@code d}. */
  private PolicyLookup changed(String d, PolicyOverrides.Rule rule, PolicyLookup lookup) {
    return rule.action() == PolicyOverrides.Action.PINNED ? overrides.pinned(d, rule)
        : overrides.apply(lookup, rule);
  }

  /**
   * Tells the listener what a resolve call returns. Called directly, not through a lambda: the
   * cache-hit path allocates nothing (issue 8), and {@link MtaStsListener#NONE} costs one check.
   */
  private PolicyLookup completed(PolicyLookup lookup) {
    if (listener != MtaStsListener.NONE) {
      try {
        listener.lookupCompleted(lookup);
      } catch (RuntimeException | LinkageError e) {
        MtaStsListener.threw(listener, e);
      }
    }
    return lookup;
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

  /**
   * How many policies the in-memory cache holds now, without copying them: for a gauge polled
   * often. Approximate: an expired policy counts until the cache removes it (promptly, on its own
   * schedule); {@link #cachedPolicies()} gives the exact list.
   *
   * @return the number of cached policies
   */
  public long cachedPolicyCount() {
    return resolution.cachedPolicyCount();
  }

  /**
   * Fetches the policy of {@code domain} again now, for an operator who knows it changed: the TXT
   * record is asked and the policy is fetched over HTTPS even when the record still names the
   * cached policy's id, and the domain's fetch back-off is forgotten. Never weakens: when DNS or
   * HTTPS fails, or the record is gone, the cached policy stays in force (source {@link
   * PolicyLookup.Source#STALE_CACHE}), as on any lookup; {@link #invalidate} is the way to drop
   * it. The listener hears of it as of a lookup ({@code policyRefreshed}, {@code policyChanged},
   * {@code fetchFailed}, …).
   *
   * @param domain the domain
   * @return a stage completing with the lookup after the refresh
   * @throws InvalidDomainException if {@code domain} is not a valid domain name (before any I/O)
   * @throws NullPointerException if {@code domain} is null
   */
  public CompletionStage<PolicyLookup> refreshAsync(String domain) {
    String d = DomainNames.normalize(domain);
    PolicyOverrides.Rule rule = overrides.ruleFor(d);
    return rule != null ? overridden(d, rule, true) : resolution.refresh(d);
  }

  /**
   * Waits for {@link #refreshAsync(String)}.
   *
   * @param domain the domain
   * @return the lookup after the refresh
   * @throws InvalidDomainException if {@code domain} is not a valid domain name
   * @throws CancellationException if interrupted; the interrupt flag is set again
   */
  public PolicyLookup refresh(String domain) {
    return PolicyResolution.await(refreshAsync(domain), domain);
  }

  /**
   * Resolves the policies of {@code domains} ahead of sending, so that the first message to each
   * is already protected by its cached policy (e.g. the top recipient domains at start-up), with
   * at most {@code parallelism} lookups in flight. Each is an ordinary {@link #resolveAsync}: a
   * cached policy is not fetched again.
   *
   * @param domains the domains; every name is checked before any lookup starts; duplicates
   *     (after normalisation) are looked up once
   * @param parallelism how many lookups may run at once, 1 to 256
   * @return a stage completing with the lookup of each domain, keyed by normalised name, in the
   *     order given
   * @throws InvalidDomainException if a name is not a valid domain name (nothing is looked up)
   * @throws IllegalArgumentException if {@code parallelism} is out of range
   * @throws NullPointerException if {@code domains} or a name in it is null
   */
  public CompletionStage<Map<String, PolicyLookup>> warmUpAsync(Collection<String> domains,
      int parallelism) {
    return WarmUp.run(this::resolveAsync, domains, parallelism);
  }

  /**
   * Waits for {@link #warmUpAsync(Collection, int)}.
   *
   * @param domains the domains
   * @param parallelism how many lookups may run at once, 1 to 256
   * @return the lookup of each domain, keyed by normalised name, in the order given
   * @throws InvalidDomainException if a name is not a valid domain name (nothing is looked up)
   * @throws CancellationException if interrupted; the interrupt flag is set again
   */
  public Map<String, PolicyLookup> warmUp(Collection<String> domains, int parallelism) {
    return PolicyResolution.await(warmUpAsync(domains, parallelism), domains.size() + " domains");
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
    return PolicyResolution.await(planAsync(domain), domain);
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
    warnings.decided(decision); // a refusal or a testing violation: to the listener and the log
    return decision;
  }

  // ---------------------------------------------------------------------------------------------
  // TLS reporting (RFC 8460): TlsRptRecording; what and when in the package documentation

  /**
   * Records for TLS-RPT the policy discovery failure of one delivery attempt, if {@code lookup}
   * has one (TLSRPT-DATA-06). Once per attempt; never for a report delivery (TLSRPT-DEL-07).
   *
   * @param lookup the lookup of the delivery attempt, e.g. {@link DeliveryPlan#lookup()}
   * @return the result recorded; empty when the lookup has no reportable failure
   */
  public Optional<SessionResult> recordDiscovery(PolicyLookup lookup) {
    return recording.discovery(lookup);
  }

  /**
   * Records for TLS-RPT one SMTP session to one address of {@code mxHost} whose TLS was judged:
   * success or failure by the rules in the package documentation (TLSRPT-DATA-02, D-26, D-32).
   *
   * @param lookup the policy lookup of the delivery attempt
   * @param mxHost the MX host name, as for {@link #check}
   * @param facts what happened on the session
   * @param endpoints the session's addresses and the MX's EHLO name, as far as known
   * @return the result recorded
   * @throws InvalidDomainException if {@code mxHost} is not a valid host name
   */
  public SessionResult recordSession(PolicyLookup lookup, String mxHost, TlsFacts facts,
      SessionEndpoints endpoints) {
    return recording.session(lookup, mxHost, facts, endpoints);
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

  @Override
  public String toString() {
    return "MtaSts{about " + resolution.policies().estimatedSize() + " cached policies}";
  }

  // For TlsReporter (issue 14): report delivery looks up _smtp._tls and posts to https: rua with
  // the same DNS client, host resolver, trust anchors, address guard and deadline as the lookups.

  MtaStsSettings settings() {
    return preset;
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
   *   <tr><td>{@link #reportStore}, {@link #tlsRptRecorder}</td><td>none (TLS-RPT)</td></tr>
   *   <tr><td>{@link #deferOnDnsFailure}</td><td>false: proceed without a policy (D-01)</td></tr>
   *   <tr><td>{@link #refreshInterval}</td><td>24 h (STS-CACHE-06)</td></tr>
   *   <tr><td>{@link #fetchRetryBackoff}</td><td>5 min (STS-FETCH-14)</td></tr>
   *   <tr><td>{@link #negativeCacheTtl}</td><td>5 min, never beyond the DNS TTL</td></tr>
   *   <tr><td>{@link #overrides}, {@link #overridesFile}</td><td>none: every policy applies as
   *       published</td></tr>
   * </table>
   */
  public static final class Builder {
    /** Cached policies kept when no maximum is set. */
    public static final long DEFAULT_MAXIMUM_CACHED_POLICIES = 100_000;

    /** The state behind this builder: validation, defaults, copies (MtaStsSettings). */
    private final MtaStsSettings settings;

    private Builder(MtaStsSettings settings) {
      this.settings = settings;
    }

    /**
     * Sets the DNS client for TXT, MX and (by default) address lookups. It keeps its own clock:
     * give it the same one as {@link #clock} ({@link DnsClient.Builder#clock}).
     *
     * @param dnsClient the client
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder dnsClient(DnsClient dnsClient) {
      settings.dnsClient(dnsClient);
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
      settings.hostResolver(hostResolver);
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
      settings.trustManager(trustManager);
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
      settings.allowPrivateAddresses(allow);
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
      settings.fetchDeadline(deadline);
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
      settings.executor(executor);
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
      settings.policyFetcher(policyFetcher);
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
      settings.clock(clock);
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
      settings.scheduler(scheduler);
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
      settings.maximumCachedPolicies(maximum);
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
      settings.policyStore(policyStore);
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
      settings.listener(listener);
      return this;
    }

    /**
     * Counts TLS-RPT results into {@code store}; its failures are logged and passed to {@link
     * MtaStsListener#storeFailed} (operation {@code record}), never thrown.
     *
     * @param store the store
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder reportStore(ReportStore store) {
      settings.reportStore(store);
      return this;
    }

    /**
     * Sets the local policy overrides: per domain (or {@code *.domain}) {@code
     * enforce-as-published}, {@code treat-testing-as-enforce}, {@code require-tls}, {@code
     * exempt} until an instant, or a {@code pinned} policy used instead of fetching (see {@link
     * PolicyOverrides}). Every rule in effect is reported once a day per domain to {@link
     * MtaStsListener#overrideApplied} and logged (an {@code exempt} at WARN). Not with {@link
     * #overridesFile}.
     *
     * @param overrides the table
     * @return this builder
     * @throws IllegalStateException if already set, or {@link #overridesFile} is set
     */
    public Builder overrides(PolicyOverrides overrides) {
      settings.overrides(overrides);
      return this;
    }

    /**
     * Passes every TLS-RPT result to {@code recorder} too; what it throws is logged, never thrown.
     *
     * @param recorder the recorder
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder tlsRptRecorder(TlsRptRecorder recorder) {
      settings.tlsRptRecorder(recorder);
      return this;
    }

    /**
     * Reads the local policy overrides from {@code file} ({@link PolicyOverrides#read}) when the
     * client is built, and again when the file changes (looked at no more than once a second, by
     * the client's clock, on a lookup). A change that cannot be read or parsed keeps the rules
     * read before, with a WARN: an edit never drops a rule silently. Not with {@link #overrides}.
     *
     * @param file the overrides file
     * @return this builder
     * @throws IllegalStateException if already set, or {@link #overrides} is set
     */
    public Builder overridesFile(java.nio.file.Path file) {
      settings.overridesFile(file);
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
      settings.deferOnDnsFailure(defer);
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
      settings.refreshInterval(interval);
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
      settings.fetchRetryBackoff(backoff);
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
      settings.negativeCacheTtl(ttl);
      return this;
    }

    /**
     * Builds the client: loads the store and starts the refresh task.
     *
     * @return a new client; close it when done
     * @throws IllegalStateException if {@link #policyFetcher} is set together with a fetch setting
     *     (the message names them), or this builder came from {@link MtaSts#newBuilder()} of a
     *     client with its own policy fetcher and a fetch setting is set
     * @throws java.io.UncheckedIOException if the {@link #overridesFile} cannot be read
     * @throws PolicyOverrides.SyntaxException if the {@link #overridesFile} does not parse
     */
    public MtaSts build() {
      settings.checkFetchSettings();
      return new MtaSts(settings);
    }
  }
}
