package org.mtasts;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mtasts.dns.DnsClient;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.report.SessionResult;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.TlsFacts;

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
 * documentation}. Operators list, drop, refresh and warm up cached policies through {@link
 * #cache()}.
 *
 * <p>Thread-safe. Lookups never fail for DNS or HTTPS reasons: those are statuses of the {@link
 * PolicyLookup}.
 */
public final class MtaSts implements AutoCloseable {
  private final Planner planner;
  private final OperatorWarnings warnings;
  private final PolicyResolution resolution;
  private final Lookups lookups;
  private final PolicyCache cache;
  private final PolicyRefresh refresh;
  private final TlsRptRecording recording;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** What this client was built with, defaults filled in (for newBuilder()). */
  private final MtaStsSettings preset;

  private MtaSts(MtaStsSettings given) {
    this.preset = given.withDefaults(); // newBuilder() starts from what this client actually uses
    this.planner = preset.planner();
    // Reads the overrides file, which may fail: before the store is loaded
    OverrideTable overrides = preset.overrideTable();
    this.warnings = new OperatorWarnings(preset.clock(), 10_000, preset.listener());
    this.recording = preset.recording();
    this.resolution = preset.resolution(warnings, recording);
    resolution.store().load();
    this.lookups = new Lookups(resolution, overrides, preset.listener());
    this.refresh = preset.refresh(resolution);
    this.cache = new PolicyCache(resolution, lookups, refresh);
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
   * client; it has its own policy cache and, unless a scheduler was given, its own refresh thread.
   * A new {@linkplain Builder#clock clock} also gets a new DNS client when this client made its
   * own. Each preset setting may be set once more; changing a fetch setting ({@link Builder#hostResolver}, {@link
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
  // Lookup: Lookups (local overrides, the listener) over PolicyResolution

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
    return lookups.resolveAsync(DomainNames.normalize(domain));
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
    return lookups.resolve(DomainNames.normalize(domain), domain);
  }

  /**
   * The administration of this client's policy cache: list, count, invalidate, refresh now, warm
   * up. Always the same view of the live cache.
   *
   * @return the cache view
   */
  public PolicyCache cache() {
    return cache;
  }

  // ---------------------------------------------------------------------------------------------
  // Planning and checking: DeliveryRules

  /**
   * Resolves the policy and the MX hosts of {@code domain} and returns where to deliver, judged
   * against one policy snapshot (STS-APPLY-09). With {@linkplain #daneStatus() DANE active} each
   * MX candidate also carries its {@linkplain MxCandidate#dane() DANE requirement} (RFC 7672
   * §2.2): a host whose DNSSEC lookups failed is not {@linkplain MxCandidate#allowed() allowed}
   * (STS-DANE-03), one with usable secure TLSA records is allowed even outside an enforce policy's
   * {@code mx} patterns (D-23, unless {@linkplain Builder#daneStrict strict}), and a plan whose
   * hosts are all out for such reasons, one of them DNSSEC, is a {@link
   * DeliveryPlan.Status#TEMPORARY_FAILURE}.
   *
   * @param domain the recipient domain
   * @return a stage completing with the plan; a temporary DNS failure of the MX lookup is the plan
   *     status {@link DeliveryPlan.Status#TEMPORARY_FAILURE}, not an exception
   * @throws InvalidDomainException if {@code domain} is not a valid domain name
   */
  public CompletionStage<DeliveryPlan> planAsync(String domain) {
    String d = DomainNames.normalize(domain);
    return planner.plan(d, resolveAsync(d));
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

  /**
   * Decides whether a message may go to the candidate {@code mx} of a {@linkplain #plan plan} over
   * the session described by {@code facts}, DANE first (RFC 7672, D-23), by its {@linkplain
   * MxCandidate#dane() DANE requirement}:
   *
   * <ul>
   *   <li>{@code AUTHENTICATE} (usable secure TLSA records): allowed exactly when TLS 1.2 or later
   *       was negotiated and the certificate matched a usable record ({@link TlsFacts#dane()}
   *       authenticated); MTA-STS's {@code mx} patterns and WebPKI checks are skipped, unless
   *       {@linkplain Builder#daneStrict strict}, which requires them too. A DANE failure is
   *       refused ({@code tlsa-invalid}) whatever MTA-STS says (STS-DANE-01) and in every mode:
   *       DANE has no report-only mode.
   *   <li>{@code TLS_REQUIRED} (secure TLSA records, none usable): a session without TLS is
   *       refused, even without an MTA-STS policy (STS-DANE-04); otherwise as {@link
   *       #check(PolicyLookup, String, TlsFacts)}.
   *   <li>{@code DNSSEC_FAILED}: refused ({@code dnssec-invalid}); the plan did not allow the host.
   *   <li>{@code NONE}: as {@link #check(PolicyLookup, String, TlsFacts)}.
   * </ul>
   *
   * <p>Refusals and testing violations are passed to the listener.
   *
   * @param lookup the policy lookup (one snapshot for the whole delivery attempt)
   * @param mx the candidate the session went to, from the plan of {@code lookup}
   * @param facts what happened on the session, with the DANE verdict when DANE applied
   * @return the decision
   * @throws InvalidDomainException if the candidate's host is not a valid host name
   * @throws NullPointerException if an argument is null
   */
  public DeliveryDecision check(PolicyLookup lookup, MxCandidate mx, TlsFacts facts) {
    DeliveryDecision decision = DeliveryRules.check(lookup, mx, facts, planner.strict());
    warnings.decided(decision);
    return decision;
  }

  /**
   * Whether a DANE-authenticated host must satisfy MTA-STS as well ({@link Builder#daneStrict}):
   * an SMTP client then aborts such a handshake under an {@code enforce} policy when the WebPKI
   * check fails, as it does for MTA-STS alone (STS-APPLY-01).
   *
   * @return true in strict mode
   */
  public boolean daneStrict() {
    return planner.strict();
  }

  /**
   * Whether this client plans with DANE (RFC 7672), and why: {@linkplain Builder#dane turned off},
   * inactive (the DNS client does not validate DNSSEC), unavailable (it cannot here, e.g. its
   * resolver strips DNSSEC records), or active. Learned from the DNS client's {@linkplain
   * DnsClient#dnssecSupport() DNSSEC probe} when the first delivery is planned, or by this call;
   * unavailable is asked again later. Changes are logged and passed to {@link
   * MtaStsListener#daneStatusChanged}.
   *
   * @return a stage completing with the status; it does not fail
   */
  public CompletionStage<DaneStatus> daneStatusAsync() {
    return planner.statusAsync();
  }

  /**
   * Waits for {@link #daneStatusAsync()}.
   *
   * @return the status
   * @throws CancellationException if interrupted; the interrupt flag is set again
   */
  public DaneStatus daneStatus() {
    return PolicyResolution.await(daneStatusAsync(), "DANE status");
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

  /**
   * Records for TLS-RPT one SMTP session with the candidate {@code mx} of a plan, judged as {@link
   * #check(PolicyLookup, MxCandidate, TlsFacts)} judges it. Under DANE (STS-DANE-08) the result
   * has policy type {@code tlsa}, the TLSA records as policy string and the TLSA base domain as
   * policy domain (the domain whose {@code _smtp._tls} record receives it, RFC 8460 §1.1); a
   * DANE failure is {@code tlsa-invalid}; a host whose DNSSEC lookups failed, never contacted, is
   * {@code dnssec-invalid} (call this for it with any facts, as for an MX an enforce policy does
   * not list). In {@linkplain Builder#daneStrict strict} mode a DANE-authenticated session counts
   * under the MTA-STS policy too. Without DANE, as {@link #recordSession(PolicyLookup, String,
   * TlsFacts, SessionEndpoints)}.
   *
   * @param lookup the policy lookup of the delivery attempt
   * @param mx the candidate the session went to, from the plan of {@code lookup}
   * @param facts what happened on the session
   * @param endpoints the session's addresses and the MX's EHLO name, as far as known
   * @return the result recorded: the DANE one when DANE governed the session
   * @throws InvalidDomainException if the candidate's host is not a valid host name
   */
  public SessionResult recordSession(PolicyLookup lookup, MxCandidate mx, TlsFacts facts,
      SessionEndpoints endpoints) {
    return recording.session(lookup, mx, facts, endpoints, planner.strict());
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
   *   <tr><td>{@link #scheduler}</td><td>one daemon thread, stopped by {@link
   *       MtaSts#close()}</td></tr>
   *   <tr><td>{@link #maximumCachedPolicies}</td><td>{@value
   *       #DEFAULT_MAXIMUM_CACHED_POLICIES}</td></tr>
   *   <tr><td>{@link #policyStore}</td><td>{@link PolicyStore#none()}</td></tr>
   *   <tr><td>{@link #listener}</td><td>{@link MtaStsListener#NONE}</td></tr>
   *   <tr><td>{@link #reportStore}, {@link #tlsRptRecorder}</td><td>none (TLS-RPT)</td></tr>
   *   <tr><td>{@link #deferOnDnsFailure}</td><td>false: proceed without a policy (D-01)</td></tr>
   *   <tr><td>{@link #refreshInterval}</td><td>24 h (STS-CACHE-06)</td></tr>
   *   <tr><td>{@link #fetchRetryBackoff}</td><td>5 min (STS-FETCH-14)</td></tr>
   *   <tr><td>{@link #negativeCacheTtl}</td><td>5 min, never beyond the DNS TTL</td></tr>
   *   <tr><td>{@link #overrides}, {@link #overridesFile}</td><td>none: every policy applies as
   *       published</td></tr>
   *   <tr><td>{@link #dane}</td><td>true: DANE (RFC 7672) where DNSSEC allows; DANE's lookups
   *       validate from the built-in root anchors unless a {@link #daneDnsClient} or {@link
   *       #dnsClient} is given</td></tr>
   *   <tr><td>{@link #daneStrict}</td><td>false: usable secure TLSA records decide for their host
   *       (D-23)</td></tr>
   * </table>
   */
  public static final class Builder extends BuilderSetters {
    /** Cached policies kept when no maximum is set. */
    public static final long DEFAULT_MAXIMUM_CACHED_POLICIES = 100_000;

    private Builder(MtaStsSettings settings) {
      super(settings);
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
