package org.mtasts.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.mtasts.CachedPolicy;
import org.mtasts.DeliveryDecision;
import org.mtasts.FetchFailure;
import org.mtasts.LookupFailure;
import org.mtasts.MtaSts;
import org.mtasts.MtaStsListener;
import org.mtasts.PolicyLookup;
import org.mtasts.ProtectionLoss;
import org.mtasts.TlsReporter;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.RecordSelection;
import org.mtasts.report.ResultType;
import org.mtasts.tls.RefusalReason;

/**
 * Micrometer meters for {@link MtaSts} clients: a listener that counts what the clients do, and a
 * {@link MeterBinder} that puts those counts into a registry. Give it to the client as its
 * listener, and bind it (Spring Boot binds every {@code MeterBinder} bean to its registry):
 *
 * <pre>{@code
 * MtaStsMetrics metrics = MtaStsMetrics.builder().build();
 * MtaSts sts = metrics.monitor(MtaSts.builder().listener(metrics).build());
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <p>Combine it with a listener of your own with {@link MtaStsListener#plus}. {@link
 * #monitor(MtaSts)} adds the client's cache to the {@code mtasts.cache.policies} gauge; one
 * instance may serve several clients (e.g. variants made with {@link MtaSts#newBuilder()}), whose
 * counts then add up.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code mtasts.lookups}</td><td>counter</td><td>{@code status} (valid, no-policy,
 *       invalid, fetch-error, dns-error), {@code source} (fetched, cache, stale-cache,
 *       pinned, none)</td><td>resolve calls, cache hits included, by their result</td></tr>
 *   <tr><td>{@code mtasts.policy.fetches}</td><td>timer</td><td>{@code outcome} (success,
 *       failure)</td><td>HTTPS policy fetches (lookups and refreshes) and how long they
 *       took</td></tr>
 *   <tr><td>{@code mtasts.policy.fetch.failures}</td><td>counter</td><td>{@code type} (the
 *       {@link FetchFailure} in kebab case, e.g. {@code certificate-expired}, or {@code other}),
 *       {@code result.type} (TLS-RPT result type)</td><td>failed fetches</td></tr>
 *   <tr><td>{@code mtasts.cache.policies}</td><td>gauge</td><td></td><td>policies held in
 *       memory by the monitored clients</td></tr>
 *   <tr><td>{@code mtasts.refusals}</td><td>counter</td><td>{@code reason} (the TLS-RPT result
 *       type of the {@link RefusalReason}, e.g. {@code certificate-expired})</td><td>MX hosts an
 *       enforce policy refused</td></tr>
 *   <tr><td>{@code mtasts.testing.violations}</td><td>counter</td><td>{@code reason}, as
 *       above</td><td>sessions a testing policy would have refused (delivered, RFC 8461
 *       §5)</td></tr>
 *   <tr><td>{@code mtasts.downgrade.signals}</td><td>counter</td><td>{@code signal}
 *       (mode-lowered, record-vanished, stale-served, protection-lost)</td><td>what a downgrade
 *       attack looks like; worth an alert</td></tr>
 *   <tr><td>{@code mtasts.protection.lost}</td><td>counter</td><td>{@code cause} ({@link
 *       ProtectionLoss} in kebab case)</td><td>policies this client's own configuration could
 *       not apply</td></tr>
 *   <tr><td>{@code mtasts.store.failures}</td><td>counter</td><td>{@code operation} (load, save,
 *       delete, remove, prune, deleteAll; record for the report store)</td><td>policy and report
 *       store failures (the lookup or delivery went on)</td></tr>
 *   <tr><td>{@code mtasts.reports}</td><td>counter</td><td>{@code outcome} ({@link
 *       TlsReporter.Status} in kebab case: delivered, retry, gave-up, no-reporting-policy,
 *       dns-failure, suppressed, all-successful), {@code scheme} (mailto, https: the destination
 *       that accepted a delivered report, else those tried; mixed; none when none was
 *       tried)</td><td>TLS reports a {@link TlsReporter} built on a client with this listener
 *       handled, one per report and run (a report retried three times counts three
 *       times)</td></tr>
 * </table>
 *
 * <p><b>Tag values are bounded.</b> Domain names are not tags by default: a sender mails
 * millions of domains, and a time series per domain would swamp the registry. {@link
 * Builder#tagDomains} names the few domains worth a series of their own; then every meter that
 * concerns one domain (all but the gauge) carries a {@code domain} tag, whose value is the domain
 * for those named and {@code other} for all the rest, so that a meter's tag keys never vary (as
 * Prometheus requires).
 *
 * <p>Thread-safe; the listener methods are cheap (a map look-up and an increment per bound
 * registry) and never throw. Events that happen before {@link #bindTo} are not counted.
 */
public final class MtaStsMetrics extends MtaStsListener implements MeterBinder {
  static final String OTHER = "other";

  private final Set<String> taggedDomains;
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final ConcurrentMap<MeterKey, List<Meter>> meters = new ConcurrentHashMap<>();
  private final List<WeakReference<MtaSts>> clients = new CopyOnWriteArrayList<>();

  /** A meter's name and tags; the map key of {@link #meters}. */
  private record MeterKey(String name, Tags tags) {}

  private MtaStsMetrics(Builder b) {
    this.taggedDomains = Set.copyOf(b.taggedDomains);
  }

  /**
   * Starts a builder; without settings it tags no domain.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds {@code client}'s in-memory cache to the {@code mtasts.cache.policies} gauge. The client
   * is held weakly: a client that is gone no longer counts.
   *
   * @param client a client built with this listener (alone or combined)
   * @return {@code client}, for chaining
   * @throws NullPointerException if {@code client} is null
   */
  public MtaSts monitor(MtaSts client) {
    Objects.requireNonNull(client, "client");
    clients.add(new WeakReference<>(client));
    return client;
  }

  /**
   * Registers the gauge in {@code registry}, and from now on counts events there. May be called
   * for several registries.
   *
   * @param registry the registry
   * @throws NullPointerException if {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (registries.contains(registry)) {
      return;
    }
    Gauge.builder("mtasts.cache.policies", this, MtaStsMetrics::cachedPolicies)
        .description("MTA-STS policies held in memory by the monitored clients")
        .baseUnit("policies")
        .register(registry);
    registries.add(registry);
  }

  private double cachedPolicies() {
    long sum = 0;
    for (WeakReference<MtaSts> ref : clients) {
      MtaSts client = ref.get();
      if (client == null) {
        clients.remove(ref);
      } else {
        sum += client.cache().estimatedSize();
      }
    }
    return sum;
  }

  // ---------------------------------------------------------------------------------------------
  // Listener events

  @Override
  public void lookupCompleted(PolicyLookup lookup) {
    count("mtasts.lookups", "MTA-STS policy lookups by result", lookup.domain(),
        "status", kebab(lookup.status()),
        "source", lookup.source().map(MtaStsMetrics::kebab).orElse("none"));
  }

  @Override
  public void fetchEnded(String domain, Duration elapsed, Optional<LookupFailure> failure) {
    Tags tags = tags(domain, "outcome", failure.isPresent() ? "failure" : "success");
    for (Meter m : meters(new MeterKey("mtasts.policy.fetches", tags), (r, key) ->
        Timer.builder(key.name()).tags(key.tags())
            .description("MTA-STS policy fetches over HTTPS, lookups and refreshes")
            .register(r))) {
      ((Timer) m).record(elapsed.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void fetchFailed(String domain, LookupFailure failure,
      Optional<CachedPolicy> stillApplied) {
    count("mtasts.policy.fetch.failures", "failed MTA-STS policy fetches by kind", domain,
        "type", failure.fetchFailure().map(MtaStsMetrics::kebab).orElse(OTHER),
        "result.type", failure.resultType().map(ResultType::wireName).orElse(OTHER));
  }

  @Override
  public void deliveryRefused(DeliveryDecision decision) {
    count("mtasts.refusals", "MX hosts refused under an enforce policy", decision.domain(),
        "reason", reason(decision));
  }

  @Override
  public void testingViolation(DeliveryDecision decision) {
    count("mtasts.testing.violations",
        "MX sessions a testing policy would have refused (delivered anyway)", decision.domain(),
        "reason", reason(decision));
  }

  @Override
  public void modeLowered(CachedPolicy previous, CachedPolicy current) {
    signal(current.domain(), "mode-lowered");
  }

  @Override
  public void recordVanished(String domain, RecordSelection.Status status,
      CachedPolicy applied) {
    signal(domain, "record-vanished");
  }

  @Override
  public void staleServed(PolicyLookup lookup) {
    signal(lookup.domain(), "stale-served");
  }

  @Override
  public void protectionLost(String domain, ProtectionLoss cause, String message) {
    signal(domain, "protection-lost");
    count("mtasts.protection.lost",
        "MTA-STS policies this client's own configuration kept from applying", domain,
        "cause", kebab(cause));
  }

  @Override
  public void storeFailed(String operation, Optional<String> domain, Exception error) {
    count("mtasts.store.failures", "MTA-STS policy store failures", domain.orElse(null),
        "operation", operation);
  }

  @Override
  public void reportHandled(TlsReporter.Outcome outcome) {
    count("mtasts.reports", "TLS reports (RFC 8460) handled by the reporter, by outcome",
        outcome.day().policyDomain(), "outcome", kebab(outcome.status()),
        "scheme", scheme(outcome));
  }

  /**
   * The destination scheme of a report: for a delivered one, the scheme of the destination that
   * accepted it; otherwise the scheme of the destinations tried, {@code mixed} when they were of
   * both kinds, {@code none} when none was tried.
   */
  static String scheme(TlsReporter.Outcome outcome) {
    Set<String> tried = new TreeSet<>();
    for (TlsReporter.DestinationResult d : outcome.destinations()) {
      String scheme = d.uri().regionMatches(true, 0, "mailto:", 0, 7) ? "mailto"
          : d.uri().regionMatches(true, 0, "https:", 0, 6) ? "https" : OTHER;
      if (d.delivered()) {
        return scheme;
      }
      tried.add(scheme);
    }
    return tried.isEmpty() ? "none" : tried.size() == 1 ? tried.iterator().next() : "mixed";
  }

  private void signal(String domain, String signal) {
    count("mtasts.downgrade.signals",
        "MTA-STS downgrade signals: mode lowered, record vanished, stale policy served,"
            + " protection lost", domain, "signal", signal);
  }

  private static String reason(DeliveryDecision decision) {
    return decision.reason().map(r -> r.resultType().wireName()).orElse(OTHER);
  }

  /**
   * Increments the counter {@code name} with {@code tags} (key, value, …) and, when domains are
   * tagged, the {@code domain} tag, in every bound registry. New listener events map to meters
   * with this, one override each.
   *
   * @param domain the domain the event concerns, or null
   */
  void count(String name, String description, String domain, String... tags) {
    for (Meter m : meters(new MeterKey(name, tags(domain, tags)), (r, key) ->
        Counter.builder(key.name()).tags(key.tags()).description(description).register(r))) {
      ((Counter) m).increment();
    }
  }

  private Tags tags(String domain, String... keyValues) {
    Tags tags = Tags.of(keyValues);
    if (!taggedDomains.isEmpty()) {
      tags = tags.and(Tag.of("domain",
          domain != null && taggedDomains.contains(domain) ? domain : OTHER));
    }
    return tags;
  }

  /** The meter of {@code key} in each bound registry, registered on first use. */
  private List<Meter> meters(MeterKey key, java.util.function.BiFunction<MeterRegistry,
      MeterKey, Meter> register) {
    List<Meter> known = meters.get(key);
    if (known != null && known.size() == registries.size()) {
      return known;
    }
    List<Meter> made = new ArrayList<>(registries.size());
    for (MeterRegistry r : registries) {
      made.add(register.apply(r, key)); // idempotent: the registry returns an existing meter
    }
    meters.put(key, List.copyOf(made));
    return made;
  }

  private static String kebab(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public String toString() {
    return "MtaStsMetrics{taggedDomains=" + taggedDomains + ", registries=" + registries.size()
        + "}";
  }

  /** Configures {@link MtaStsMetrics}. Not thread-safe; what it builds is. */
  public static final class Builder {
    private final Set<String> taggedDomains = new java.util.LinkedHashSet<>();

    private Builder() {}

    /**
     * Gives each of {@code domains} a {@code domain} tag of its own on the meters; every other
     * domain is tagged {@code other}. Keep the list short (the domains you mail most, or watch):
     * each adds a time series per meter and tag combination.
     *
     * @param domains policy domains, in any form {@link DomainNames#normalize} accepts
     * @return this builder
     * @throws org.mtasts.policy.InvalidDomainException if a name is not a valid domain name
     * @throws NullPointerException if the collection or a name is null
     */
    public Builder tagDomains(Collection<String> domains) {
      for (String d : domains) {
        taggedDomains.add(DomainNames.normalize(Objects.requireNonNull(d, "domain")));
      }
      return this;
    }

    /**
     * Same as {@link #tagDomains(Collection)}.
     *
     * @param domains policy domains
     * @return this builder
     */
    public Builder tagDomains(String... domains) {
      return tagDomains(List.of(domains));
    }

    /**
     * Builds the listener and binder.
     *
     * @return a new instance, bound to no registry yet
     */
    public MtaStsMetrics build() {
      return new MtaStsMetrics(this);
    }
  }
}
