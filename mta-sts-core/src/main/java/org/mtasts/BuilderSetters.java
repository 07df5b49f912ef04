package org.mtasts;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.X509TrustManager;
import org.mtasts.dns.DnsClient;
import org.mtasts.report.ReportStore;
import org.mtasts.report.TlsRptRecorder;
import org.mtasts.tls.MxTlsVerifier;

/**
 * The setters of {@link MtaSts.Builder}, out of the facade's file so that {@code MtaSts.java}
 * stays short enough to read top to bottom (issue 13). The only subclass is {@code
 * MtaSts.Builder}, so every setter returns it, and Javadoc documents them as its own methods (the
 * JDK's {@code StringBuilder} inherits public methods from a package-private class the same way).
 * The setters are not final on purpose: javac then adds public bridge methods to {@code
 * MtaSts.Builder}, so reflection from other packages can call them too. Each setter validates
 * through {@link MtaStsSettings}, which holds the state.
 */
abstract sealed class BuilderSetters permits MtaSts.Builder {
  /** The state behind the builder: validation, defaults, copies. */
  final MtaStsSettings settings;

  BuilderSetters(MtaStsSettings settings) {
    this.settings = settings;
  }

  private MtaSts.Builder self() {
    return (MtaSts.Builder) this; // the class is sealed: nothing else extends it
  }

  /**
   * Sets the DNS client for TXT, MX and (by default) address lookups. It keeps its own clock:
   * give it the same one as {@link #clock} ({@link DnsClient.Builder#clock}).
   *
   * @param dnsClient the client
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder dnsClient(DnsClient dnsClient) {
    settings.dnsClient(dnsClient);
    return self();
  }

  /**
   * Sets where the policy fetch connects for {@code mta-sts.<domain>}. A fetch setting: not
   * with {@link #policyFetcher}.
   *
   * @param hostResolver the resolver
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder hostResolver(HostResolver hostResolver) {
    settings.hostResolver(hostResolver);
    return self();
  }

  /**
   * Sets the trust anchors for the policy host's certificate. A fetch setting: not with {@link
   * #policyFetcher}.
   *
   * @param trustManager the trust manager
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder trustManager(X509TrustManager trustManager) {
    settings.trustManager(trustManager);
    return self();
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
  public MtaSts.Builder allowPrivateAddresses(boolean allow) {
    settings.allowPrivateAddresses(allow);
    return self();
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
  public MtaSts.Builder fetchDeadline(Duration deadline) {
    settings.fetchDeadline(deadline);
    return self();
  }

  /**
   * Sets the executor that runs the blocking policy fetches. A fetch setting: not with {@link
   * #policyFetcher}.
   *
   * @param executor the executor
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder executor(Executor executor) {
    settings.executor(executor);
    return self();
  }

  /**
   * Replaces the built-in HTTPS policy fetcher, for example with one made by {@link
   * PolicyFetcher#https()}. {@link MtaSts.Builder#build()} fails if a fetch setting ({@link
   * #hostResolver}, {@link #trustManager}, {@link #allowPrivateAddresses}, {@link
   * #fetchDeadline}, {@link #executor}) is set too: it could not apply.
   *
   * @param policyFetcher the fetcher
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder policyFetcher(PolicyFetcher policyFetcher) {
    settings.policyFetcher(policyFetcher);
    return self();
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
  public MtaSts.Builder clock(Clock clock) {
    settings.clock(clock);
    return self();
  }

  /**
   * Sets the scheduler for the proactive refresh task. A scheduler given here is not shut down
   * by {@link MtaSts#close()}; only the task is cancelled.
   *
   * @param scheduler the scheduler
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder scheduler(ScheduledExecutorService scheduler) {
    settings.scheduler(scheduler);
    return self();
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
  public MtaSts.Builder maximumCachedPolicies(long maximum) {
    settings.maximumCachedPolicies(maximum);
    return self();
  }

  /**
   * Sets the store that keeps policies across restarts.
   *
   * @param policyStore the store
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder policyStore(PolicyStore policyStore) {
    settings.policyStore(policyStore);
    return self();
  }

  /**
   * Sets the listener; combine several with {@link MtaStsListener#plus}.
   *
   * @param listener the listener
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder listener(MtaStsListener listener) {
    settings.listener(listener);
    return self();
  }

  /**
   * Counts TLS-RPT results into {@code store}; its failures are logged and passed to {@link
   * MtaStsListener#storeFailed} (operation {@code record}), never thrown.
   *
   * @param store the store
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder reportStore(ReportStore store) {
    settings.reportStore(store);
    return self();
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
  public MtaSts.Builder overrides(PolicyOverrides overrides) {
    settings.overrides(overrides);
    return self();
  }

  /**
   * Passes every TLS-RPT result to {@code recorder} too; what it throws is logged, never thrown.
   *
   * @param recorder the recorder
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder tlsRptRecorder(TlsRptRecorder recorder) {
    settings.tlsRptRecorder(recorder);
    return self();
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
  public MtaSts.Builder overridesFile(Path file) {
    settings.overridesFile(file);
    return self();
  }

  /**
   * Whether deliveries are planned with DANE for SMTP (RFC 7672) as well as MTA-STS: on by
   * default. DANE needs DNSSEC-secure answers: a DNS client {@linkplain #dnsClient given} must
   * validate ({@link DnsClient.Builder#dnssecRootTrustAnchors()}, {@link
   * DnsClient.Builder#dnssecTrustAnchors(String)}) or trust a local validating resolver ({@link
   * DnsClient.Builder#trustResolverAd()}); without a given one, the client validates DANE's
   * lookups from the built-in root anchors itself. When the DNS client cannot give secure answers
   * here, DANE stays off, MTA-STS alone applies, and {@link MtaSts#daneStatus()} says why (see
   * {@link DaneStatus}). With DANE active, a host with secure usable TLSA records is
   * authenticated by DANE and MTA-STS's checks are skipped for it (D-23; see {@link #daneStrict});
   * a host whose DNSSEC lookups fail is not tried (STS-DANE-03).
   *
   * @param on whether to use DANE
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder dane(boolean on) {
    settings.dane(on);
    return self();
  }

  /**
   * Whether a host authenticated by DANE must satisfy MTA-STS too (its {@code mx} patterns and
   * the WebPKI checks, in the policy's mode): off by default, so usable secure TLSA records decide
   * for their host (D-23), as RFC 8461 §2 lets DANE do. Strict mode is mox's choice; a failing
   * DANE check refuses the host in either mode (STS-DANE-01).
   *
   * @param strict whether to require both
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder daneStrict(boolean strict) {
    settings.daneStrict(strict);
    return self();
  }

  /**
   * Whether a temporary failure of the TXT lookup, with nothing cached, asks the caller to defer
   * ({@link PolicyLookup#shouldDefer()}) instead of proceeding without a policy (D-01).
   *
   * @param defer whether to defer
   * @return this builder
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder deferOnDnsFailure(boolean defer) {
    settings.deferOnDnsFailure(defer);
    return self();
  }

  /**
   * Sets how old a cached policy gets before the background task fetches it again.
   *
   * @param interval 1 minute to 30 days
   * @return this builder
   * @throws IllegalArgumentException if out of range
   * @throws IllegalStateException if already set
   */
  public MtaSts.Builder refreshInterval(Duration interval) {
    settings.refreshInterval(interval);
    return self();
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
  public MtaSts.Builder fetchRetryBackoff(Duration backoff) {
    settings.fetchRetryBackoff(backoff);
    return self();
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
  public MtaSts.Builder negativeCacheTtl(Duration ttl) {
    settings.negativeCacheTtl(ttl);
    return self();
  }
}
