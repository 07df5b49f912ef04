package org.mtasts.internal.cache;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.mtasts.CachedPolicy;
import org.mtasts.PolicyLookup;
import org.mtasts.policy.PolicyWarning;

/**
 * A cached policy with what the client needs besides it: the parser's warnings, when the domain
 * was last looked up, whether the disappearance of its TXT record has been reported, and until
 * when the last TXT answer that confirmed the policy's id may be reused (its DNS TTL).
 * Thread-safe.
 *
 * <p>The policy text is kept only for a client that records TLS-RPT results, whose {@code
 * policy-string} is the policy line by line (RFC 8460 §4.4): a million cached policies would hold
 * about a hundred megabytes of it (issue 8), which a client that does not report need not pay.
 */
public final class CacheEntry {
  private final CachedPolicy policy;
  private final List<PolicyWarning> warnings;
  /** The policy text (its lines: Policy.splitLines), or null when TLS-RPT is not recorded. */
  private final String policyText;
  // Plain fields rather than an Instant and an AtomicBoolean: a million cached policies are a
  // million entries, and touch() runs on every lookup (issue 8: memory and the hot path).
  private volatile long lastUsedMillis;
  private volatile int vanishReported;
  // The cache-hit fast path (issue 8): while the TXT answer that named this policy's id is within
  // its TTL, a lookup needs neither DNS nor a new PolicyLookup.
  private volatile long txtFreshUntilMillis;
  private volatile PolicyLookup cacheHit;

  private static final AtomicIntegerFieldUpdater<CacheEntry> VANISH_REPORTED =
      AtomicIntegerFieldUpdater.newUpdater(CacheEntry.class, "vanishReported");

  /** Creates an entry last used at {@code lastUsed}, without the policy text. */
  public CacheEntry(CachedPolicy policy, List<PolicyWarning> warnings, Instant lastUsed) {
    this(policy, warnings, lastUsed, null);
  }

  /**
   * Creates an entry last used at {@code lastUsed}.
   *
   * @param policyText the policy as served (line ends of any kind), or null to keep none
   */
  public CacheEntry(CachedPolicy policy, List<PolicyWarning> warnings, Instant lastUsed,
      String policyText) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.warnings = List.copyOf(warnings);
    this.lastUsedMillis = Objects.requireNonNull(lastUsed, "lastUsed").toEpochMilli();
    this.policyText = policyText;
  }

  /** The policy as served, or null when it is not kept (see the class documentation). */
  public String policyText() {
    return policyText;
  }

  /** The policy. */
  public CachedPolicy policy() {
    return policy;
  }

  /** When it expires. */
  public Instant expiresAt() {
    return policy.expiresAt();
  }

  /** The parser's warnings. */
  public List<PolicyWarning> warnings() {
    return warnings;
  }

  /** When the domain was last looked up. */
  public Instant lastUsed() {
    return Instant.ofEpochMilli(lastUsedMillis);
  }

  /** Returns true the first time it is called for this entry. */
  public boolean firstVanishReport() {
    return VANISH_REPORTED.compareAndSet(this, 0, 1);
  }

  /**
   * Notes that a TXT answer named this policy's id and may be reused until {@code untilMillis}
   * (epoch milliseconds); never moves the time back.
   */
  public void txtConfirmedUntil(long untilMillis) {
    if (untilMillis > txtFreshUntilMillis) {
      txtFreshUntilMillis = untilMillis;
    }
  }

  /**
   * Whether a lookup at {@code nowMillis} may be answered from this entry alone: the policy has
   * not expired and the last TXT answer that confirmed its id is still within its TTL.
   */
  public boolean answersAlone(long nowMillis) {
    return nowMillis < txtFreshUntilMillis && nowMillis < policy.expiresAt().toEpochMilli();
  }

  /** The lookup result for a cache hit, made by the client on first use, or null. */
  public PolicyLookup cacheHit() {
    return cacheHit;
  }

  /** Keeps {@code lookup} as this entry's cache-hit result (a benign race: it is immutable). */
  public void cacheHit(PolicyLookup lookup) {
    this.cacheHit = lookup;
  }

  /**
   * Notes a lookup at {@code nowMillis}, epoch milliseconds, and returns whether it is the first
   * noted in a new second (so callers can do what need not be done on every lookup).
   */
  public boolean touch(long nowMillis) {
    long last = lastUsedMillis;
    if (nowMillis > last) {
      lastUsedMillis = nowMillis;
      return nowMillis / 1000 != last / 1000;
    }
    return false;
  }
}
