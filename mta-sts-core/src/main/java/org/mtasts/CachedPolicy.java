package org.mtasts;

import java.time.Instant;
import java.util.Objects;
import org.mtasts.policy.Mode;
import org.mtasts.policy.Policy;

/**
 * A policy held in the cache of an {@link MtaSts}: the domain, the id of the TXT record it was
 * fetched for, the policy, and its lifetime (RFC 8461 §3.3: {@code max_age} counted from the last
 * successful fetch). Immutable.
 *
 * @param domain the policy domain, normalised
 * @param recordId the {@code id} of the TXT record the policy was fetched for
 * @param policy the policy
 * @param fetchedAt when it was last fetched successfully
 * @param expiresAt {@code fetchedAt + max_age}; from this instant on it is never applied
 */
public record CachedPolicy(
    String domain, String recordId, Policy policy, Instant fetchedAt, Instant expiresAt) {
  /**
   * Validates the components.
   *
   * @throws NullPointerException if a component is null
   */
  public CachedPolicy {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(fetchedAt, "fetchedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** The policy's mode. */
  public Mode mode() {
    return policy.mode();
  }

  /** Whether the policy may still be applied at {@code now} (STS-CACHE-02). */
  public boolean isValidAt(Instant now) {
    return now.isBefore(expiresAt);
  }

  @Override
  public String toString() {
    return "CachedPolicy{" + domain + ", id=" + recordId + ", mode=" + policy.mode().token()
        + ", fetchedAt=" + fetchedAt + ", expiresAt=" + expiresAt + "}";
  }
}
