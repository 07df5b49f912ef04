package org.mtasts;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where every lookup of the facade starts ({@link MtaSts#resolve}, {@link PolicyCache#refresh},
 * the warm-up): a local override rule first (issue 17 item 4), else the cache, else {@link
 * PolicyResolution}; the listener hears what a resolve call returns. Domains come normalised.
 * Thread-safe.
 */
final class Lookups {
  private final PolicyResolution resolution;
  private final OverrideTable overrides;
  private final MtaStsListener listener;

  Lookups(PolicyResolution resolution, OverrideTable overrides, MtaStsListener listener) {
    this.resolution = resolution;
    this.overrides = overrides;
    this.listener = listener;
  }

  /** The lookup of normalised {@code d}, from the cache when it can. */
  CompletionStage<PolicyLookup> resolveAsync(String d) {
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
   * Waits for the lookup of normalised {@code d}; a cache hit is returned without a stage (issue
   * 8). {@code given} is the name as the caller wrote it, for the message of an interrupt.
   */
  PolicyLookup resolve(String d, String given) {
    PolicyOverrides.Rule rule = overrides.ruleFor(d);
    if (rule != null) {
      return PolicyResolution.await(overridden(d, rule, false), given);
    }
    PolicyLookup hit = resolution.cacheHit(d);
    return completed(hit != null ? hit : PolicyResolution.await(resolution.resolve(d), given));
  }

  /** Fetches the policy of normalised {@code d} again now, under its override rule if any. */
  CompletionStage<PolicyLookup> refreshAsync(String d) {
    PolicyOverrides.Rule rule = overrides.ruleFor(d);
    return rule != null ? overridden(d, rule, true) : resolution.refresh(d);
  }

  /**
   * The lookup of a domain under a local override rule: a pinned policy without DNS or HTTPS,
   * else the ordinary lookup (or refresh) as the rule changes it.
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
}
