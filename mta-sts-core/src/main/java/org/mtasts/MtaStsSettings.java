package org.mtasts;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.X509TrustManager;
import org.mtasts.dns.DnsClient;
import org.mtasts.internal.discovery.PolicyDiscovery;
import org.mtasts.internal.fetch.FetchExecutors;
import org.mtasts.report.ReportStore;
import org.mtasts.report.TlsRptRecorder;

/**
 * What an {@link MtaSts.Builder} holds: each setting validated once, the defaults filled in when
 * a client is built, the copy {@link MtaSts#newBuilder()} starts from, and the parts (resolution,
 * refresh) a client is assembled from. The builder keeps the public API and its documentation;
 * this class keeps the state behind it. Not thread-safe.
 */
final class MtaStsSettings {
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
  private long maximumCachedPolicies = MtaSts.Builder.DEFAULT_MAXIMUM_CACHED_POLICIES;
  private PolicyStore policyStore;
  private MtaStsListener listener;
  private ReportStore reportStore;
  private TlsRptRecorder tlsRptRecorder;
  private PolicyOverrides overrides;
  private java.nio.file.Path overridesFile;
  private boolean deferOnDnsFailure;
  private Duration refreshInterval = Duration.ofHours(24);
  private Duration fetchRetryBackoff = Duration.ofMinutes(5);
  private Duration negativeCacheTtl = Duration.ofMinutes(5);
  private boolean dane = true;
  private boolean daneStrict;
  /**
   * The DNS client of DANE's lookups (withDefaults()): the given one, or, when the client made its
   * own, one that validates from the root anchors; null with DANE off.
   */
  private DnsClient daneDnsClient;

  // ---------------------------------------------------------------------------------------------
  // One setter per builder setting: null and range checks first, then once (Caffeine's
  // requireState), so that a bad value is named before a repeated one.

  void dnsClient(DnsClient dnsClient) {
    Objects.requireNonNull(dnsClient, "dnsClient");
    once("dnsClient", this.dnsClient);
    this.dnsClient = dnsClient;
    this.dnsClientMade = false;
  }

  void hostResolver(HostResolver hostResolver) {
    Objects.requireNonNull(hostResolver, "hostResolver");
    once("hostResolver", this.hostResolver);
    this.hostResolver = hostResolver;
  }

  void trustManager(X509TrustManager trustManager) {
    Objects.requireNonNull(trustManager, "trustManager");
    once("trustManager", this.trustManager);
    this.trustManager = trustManager;
  }

  void allowPrivateAddresses(boolean allow) {
    once("allowPrivateAddresses", this.allowPrivateAddresses);
    this.allowPrivateAddresses = allow;
  }

  void fetchDeadline(Duration deadline) {
    Duration checked =
        range(deadline, "fetchDeadline", Duration.ofMillis(1), Duration.ofMinutes(10));
    once("fetchDeadline", this.fetchDeadline);
    this.fetchDeadline = checked;
  }

  void executor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    once("executor", this.executor);
    this.executor = executor;
  }

  void policyFetcher(PolicyFetcher policyFetcher) {
    Objects.requireNonNull(policyFetcher, "policyFetcher");
    once("policyFetcher", this.policyFetcher);
    this.policyFetcher = policyFetcher;
    this.fetcherFromSettings = false;
  }

  void clock(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    once("clock", this.clock);
    this.clock = clock;
  }

  void scheduler(ScheduledExecutorService scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    once("scheduler", this.scheduler);
    this.scheduler = scheduler;
  }

  void maximumCachedPolicies(long maximum) {
    if (maximum < 1 || maximum > 100_000_000L) {
      throw new IllegalArgumentException(
          "maximumCachedPolicies must be between 1 and 100000000: " + maximum);
    }
    once("maximumCachedPolicies", this.maximumCachedPolicies);
    this.maximumCachedPolicies = maximum;
  }

  void policyStore(PolicyStore policyStore) {
    Objects.requireNonNull(policyStore, "policyStore");
    once("policyStore", this.policyStore);
    this.policyStore = policyStore;
  }

  void listener(MtaStsListener listener) {
    Objects.requireNonNull(listener, "listener");
    once("listener", this.listener);
    this.listener = listener;
  }

  void reportStore(ReportStore reportStore) {
    Objects.requireNonNull(reportStore, "reportStore");
    once("reportStore", this.reportStore);
    this.reportStore = reportStore;
  }

  void tlsRptRecorder(TlsRptRecorder recorder) {
    Objects.requireNonNull(recorder, "tlsRptRecorder");
    once("tlsRptRecorder", this.tlsRptRecorder);
    this.tlsRptRecorder = recorder;
  }

  void overrides(PolicyOverrides overrides) {
    Objects.requireNonNull(overrides, "overrides");
    if (overridesFile != null) {
      throw new IllegalStateException("overridesFile is set to " + overridesFile
          + "; set overrides or overridesFile, not both");
    }
    once("overrides", this.overrides);
    this.overrides = overrides;
  }

  void overridesFile(java.nio.file.Path file) {
    Objects.requireNonNull(file, "overridesFile");
    if (overrides != null) {
      throw new IllegalStateException("overrides are set; set overrides or overridesFile, not"
          + " both");
    }
    once("overridesFile", this.overridesFile);
    this.overridesFile = file;
  }

  void dane(boolean on) {
    once("dane", this.dane);
    this.dane = on;
  }

  void daneStrict(boolean strict) {
    once("daneStrict", this.daneStrict);
    this.daneStrict = strict;
  }

  void deferOnDnsFailure(boolean defer) {
    once("deferOnDnsFailure", this.deferOnDnsFailure);
    this.deferOnDnsFailure = defer;
  }

  void refreshInterval(Duration interval) {
    Duration checked =
        range(interval, "refreshInterval", Duration.ofMinutes(1), Duration.ofDays(30));
    once("refreshInterval", this.refreshInterval);
    this.refreshInterval = checked;
  }

  void fetchRetryBackoff(Duration backoff) {
    Duration checked =
        range(backoff, "fetchRetryBackoff", Duration.ofMinutes(5), Duration.ofDays(1));
    once("fetchRetryBackoff", this.fetchRetryBackoff);
    this.fetchRetryBackoff = checked;
  }

  void negativeCacheTtl(Duration ttl) {
    Duration checked = range(ttl, "negativeCacheTtl", Duration.ZERO, Duration.ofHours(1));
    once("negativeCacheTtl", this.negativeCacheTtl);
    this.negativeCacheTtl = checked;
  }

  // ---------------------------------------------------------------------------------------------
  // build(): validation and defaults

  /**
   * Refuses a policy fetcher together with a fetch setting, which could not apply to it ("no
   * silent settings"), naming the settings.
   */
  void checkFetchSettings() {
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
  }

  /**
   * A copy with every default filled in and no setting marked as made: what a client is built
   * from, and what its {@link MtaSts#newBuilder()} starts from.
   */
  MtaStsSettings withDefaults() {
    MtaStsSettings b = copy();
    if (b.clock == null) {
      b.clock = Clock.systemUTC();
    }
    if (b.dnsClient == null) {
      // The one clock reaches the DNS cache and DNSSEC validity too; a DNS client given to the
      // builder keeps its own (see Builder#clock).
      b.dnsClient = DnsClient.builder().clock(b.clock).build();
      b.dnsClientMade = true;
    }
    if (!b.dane) {
      b.daneDnsClient = null;
    } else if (b.daneDnsClient == null) {
      // A client of our own validates from the root anchors for DANE only; MTA-STS keeps the
      // plain one, which a resolver that strips DNSSEC records cannot break (see Planner).
      b.daneDnsClient = b.dnsClientMade
          ? DnsClient.builder().clock(b.clock).dnssecRootTrustAnchors().build() : b.dnsClient;
    }
    if (b.policyFetcher == null) {
      if (b.executor == null) {
        b.executor = FetchExecutors.bounded(16); // named, so that newBuilder() can share it
      }
      b.policyFetcher = b.httpsFetcher().build(b.dnsClient);
      b.fetcherFromSettings = true;
    }
    b.set.clear();
    return b;
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
   * A copy of these settings. A fetcher made from the fetch settings is dropped, to be made anew,
   * when a fetch setting or the DNS client (behind the default host resolver) was set since.
   */
  MtaStsSettings copy() {
    MtaStsSettings c = new MtaStsSettings();
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
    c.reportStore = reportStore;
    c.tlsRptRecorder = tlsRptRecorder;
    c.overrides = overrides;
    c.overridesFile = overridesFile;
    c.deferOnDnsFailure = deferOnDnsFailure;
    c.refreshInterval = refreshInterval;
    c.fetchRetryBackoff = fetchRetryBackoff;
    c.negativeCacheTtl = negativeCacheTtl;
    c.dane = dane;
    c.daneStrict = daneStrict;
    c.daneDnsClient = daneDnsClient;
    if (c.dnsClientMade && set.contains("clock") && !set.contains("dnsClient")) {
      c.dnsClient = null; // made with the old clock: one clock reaches DNS too
      c.dnsClientMade = false;
    }
    if (c.dnsClient != dnsClient || set.contains("dnsClient") || set.contains("dane")) {
      c.daneDnsClient = null; // derived from the DNS client again by withDefaults()
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

  // ---------------------------------------------------------------------------------------------
  // Assembling a client from settings withDefaults()

  Clock clock() {
    return clock;
  }

  // For TlsReporter (issue 14): report delivery looks up _smtp._tls and posts to https: rua with
  // the same DNS client, host resolver, trust anchors, address guard and deadline as the lookups.

  HostResolver reportHostResolver() {
    return hostResolver != null ? hostResolver : HostResolver.dns(dnsClient);
  }

  /** The trust anchors given to the builder, or null for the JDK's. */
  X509TrustManager reportTrustManager() {
    return trustManager;
  }

  boolean reportAllowPrivateAddresses() {
    return allowPrivateAddresses;
  }

  Duration reportDeadline() {
    return fetchDeadline;
  }

  /** How deliveries are planned: MX lookups, and DANE when it is on and available. */
  Planner planner() {
    return new Planner(dnsClient, daneDnsClient, daneStrict, listener());
  }

  /** The DNS client of DANE's lookups; null with DANE off. */
  DnsClient daneDnsClient() {
    return daneDnsClient;
  }

  DnsClient dnsClient() {
    return dnsClient;
  }

  MtaStsListener listener() {
    return listener != null ? listener : MtaStsListener.NONE;
  }

  /** The local overrides: a fixed table, a file read again when it changes, or none. */
  OverrideTable overrideTable() {
    return overridesFile != null ? OverrideTable.watching(overridesFile, clock, listener())
        : OverrideTable.of(overrides != null ? overrides : PolicyOverrides.none(), clock,
            listener());
  }

  /** Which policy applies: TXT lookup, cache, fetch and store, under these settings. */
  PolicyResolution resolution(OperatorWarnings warnings, TlsRptRecording recording) {
    return new PolicyResolution(clock, new PolicyDiscovery(dnsClient), policyFetcher,
        policyStore != null ? policyStore : PolicyStore.none(), listener(), warnings,
        deferOnDnsFailure, negativeCacheTtl, maximumCachedPolicies, fetchRetryBackoff,
        recording.enabled());
  }

  /** Where TLS-RPT results go: the report store and the recorder, if set. */
  TlsRptRecording recording() {
    return new TlsRptRecording(clock, reportStore, tlsRptRecorder, listener());
  }

  /** The background refresh of {@code resolution}'s policies, not yet started. */
  PolicyRefresh refresh(PolicyResolution resolution) {
    return new PolicyRefresh(clock, resolution, listener(), refreshInterval, scheduler);
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
