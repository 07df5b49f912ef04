package org.mtasts;

import java.util.concurrent.CompletionStage;

/**
 * Fetches the policy of a policy domain over HTTPS (RFC 8461 §3.3). The library's default uses
 * OkHttp; tests and special deployments may supply their own.
 *
 * <p>Implementations must be safe for concurrent use, must bound the time and size of a fetch,
 * must never follow redirects and must validate the server certificate for
 * {@code mta-sts.<domain>}.
 */
@FunctionalInterface
public interface PolicyFetcher {
  /**
   * Fetches and parses the policy of {@code policyDomain} (normalised: A-labels, lower case, no
   * trailing dot). The stage completes with the policy, or exceptionally with a {@link
   * PolicyFetchException} that says what failed.
   */
  CompletionStage<FetchedPolicy> fetch(String policyDomain);
}
