package org.mtasts;

import java.time.Instant;
import java.util.Objects;

/**
 * A policy as a {@link PolicyStore} keeps it: the policy domain, the id of the TXT record that led
 * to the fetch, the policy text as served and when it was fetched. The text is parsed again, with
 * the same strict parser as a live policy, when it is loaded (SEC-25).
 *
 * @param domain the policy domain, normalised
 * @param recordId the {@code id} of the {@code _mta-sts} TXT record the policy was fetched for
 * @param policyText the policy text
 * @param fetchedAt when the policy was fetched; its lifetime is counted from here
 */
public record StoredPolicy(String domain, String recordId, String policyText, Instant fetchedAt) {
  /**
   * Validates the components.
   *
   * @throws NullPointerException if a component is null
   */
  public StoredPolicy {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(policyText, "policyText");
    Objects.requireNonNull(fetchedAt, "fetchedAt");
  }
}
