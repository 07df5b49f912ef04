package org.mtasts;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;

/**
 * The policy cache of one {@link MtaSts} client, for operators: list and count the cached
 * policies, forget them, fetch one again now, or resolve a list of domains ahead of sending. Get
 * it from {@link MtaSts#cache()}; it acts on the client's live cache and store (a view, not a
 * copy), as Caffeine's {@code Cache.policy()} does. Lookups do not need it: {@link
 * MtaSts#resolve} caches on its own, by the rules in the {@linkplain org.mtasts package
 * documentation}.
 *
 * <p>Thread-safe.
 */
public final class PolicyCache {
  private final PolicyResolution resolution;
  private final Lookups lookups;
  private final PolicyRefresh refresh;

  PolicyCache(PolicyResolution resolution, Lookups lookups, PolicyRefresh refresh) {
    this.resolution = resolution;
    this.lookups = lookups;
    this.refresh = refresh;
  }

  /**
   * Lists the unexpired policies held in memory, by domain; a store may hold more (those evicted
   * or not loaded at start-up), which lookups still find.
   *
   * @return a snapshot
   */
  public List<CachedPolicy> policies() {
    return resolution.cachedPolicies();
  }

  /**
   * How many policies the in-memory cache holds now, without copying them: for a gauge polled
   * often. Approximate: an expired policy counts until the cache removes it (promptly, on its own
   * schedule); {@link #policies()} gives the exact list.
   *
   * @return the number of cached policies
   */
  public long estimatedSize() {
    return resolution.cachedPolicyCount();
  }

  /**
   * Removes the cached policy of {@code domain}, from memory and from the store (SEC-12). The next
   * lookup starts afresh. The listener hears {@link MtaStsListener#invalidated}.
   *
   * @param domain the domain
   * @throws InvalidDomainException if {@code domain} is not a valid domain name
   * @throws NullPointerException if {@code domain} is null
   */
  public void invalidate(String domain) {
    resolution.invalidate(DomainNames.normalize(domain));
  }

  /** Removes every cached policy, from memory and from the store. */
  public void invalidateAll() {
    resolution.invalidateAll();
  }

  /**
   * Fetches the policy of {@code domain} again now, for an operator who knows it changed: the TXT
   * record is asked and the policy is fetched over HTTPS even when the record still names the
   * cached policy's id, and the domain's fetch back-off is forgotten. Never weakens: when DNS or
   * HTTPS fails, or the record is gone, the cached policy stays in force (source {@link
   * PolicyLookup.Source#STALE_CACHE}), as on any lookup; {@link #invalidate} is the way to drop
   * it. The listener hears of it as of a lookup ({@code policyRefreshed}, {@code policyChanged},
   * {@code fetchFailed}, …). A local override rule applies to the result as to any lookup.
   *
   * @param domain the domain
   * @return a stage completing with the lookup after the refresh
   * @throws InvalidDomainException if {@code domain} is not a valid domain name (before any I/O)
   * @throws NullPointerException if {@code domain} is null
   */
  public CompletionStage<PolicyLookup> refreshAsync(String domain) {
    return lookups.refreshAsync(DomainNames.normalize(domain));
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
   * at most {@code parallelism} lookups in flight. Each is an ordinary {@link
   * MtaSts#resolveAsync}: a cached policy is not fetched again.
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
    return WarmUp.run(lookups::resolveAsync, domains, parallelism);
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

  @Override
  public String toString() {
    return "PolicyCache{about " + estimatedSize() + " cached policies}";
  }
}
