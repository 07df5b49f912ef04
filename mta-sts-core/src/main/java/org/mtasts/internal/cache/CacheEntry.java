package org.mtasts.internal.cache;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.mtasts.CachedPolicy;
import org.mtasts.policy.PolicyWarning;

/**
 * A cached policy with what the client needs besides it: the parser's warnings, the policy text
 * (for the store and TLS-RPT), when the domain was last looked up, and whether the disappearance of
 * its TXT record has been reported. Thread-safe.
 */
public final class CacheEntry {
  private final CachedPolicy policy;
  private final List<PolicyWarning> warnings;
  private final String policyText;
  // Plain fields rather than an Instant and an AtomicBoolean: a million cached policies are a
  // million entries, and touch() runs on every lookup (issue 8: memory and the hot path).
  private volatile long lastUsedMillis;
  private volatile int vanishReported;

  private static final AtomicIntegerFieldUpdater<CacheEntry> VANISH_REPORTED =
      AtomicIntegerFieldUpdater.newUpdater(CacheEntry.class, "vanishReported");

  /** Creates an entry last used at {@code lastUsed}. */
  public CacheEntry(CachedPolicy policy, List<PolicyWarning> warnings, String policyText,
      Instant lastUsed) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.warnings = List.copyOf(warnings);
    this.policyText = Objects.requireNonNull(policyText, "policyText");
    this.lastUsedMillis = Objects.requireNonNull(lastUsed, "lastUsed").toEpochMilli();
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

  /** The policy text. */
  public String policyText() {
    return policyText;
  }

  /** When the domain was last looked up. */
  public Instant lastUsed() {
    return Instant.ofEpochMilli(lastUsedMillis);
  }

  /** Notes a lookup at {@code now}. */
  public void touch(Instant now) {
    long millis = now.toEpochMilli();
    if (millis > lastUsedMillis) {
      lastUsedMillis = millis;
    }
  }

  /** Returns true the first time it is called for this entry. */
  public boolean firstVanishReport() {
    return VANISH_REPORTED.compareAndSet(this, 0, 1);
  }
}
