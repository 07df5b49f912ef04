package org.mtasts;

/**
 * Why an {@link MtaSts} client could not apply a domain's MTA-STS policy because of a decision
 * made here, in its own configuration, rather than by the domain: mail to the domain then goes as
 * if it had no policy, and an operator must hear about it (issue 12 item 11). Reported to {@link
 * MtaStsListener#protectionLost} and logged at WARN once a day per domain and cause.
 */
public enum ProtectionLoss {
  /**
   * The address guard (D-33) refused every address of {@code mta-sts.<domain>} (loopback,
   * private, link-local, metadata): the policy cannot be fetched. Right for a stranger's domain
   * that points at the sender's own network; for a domain meant to be reached on a private
   * network, {@link MtaSts.Builder#allowPrivateAddresses} lifts it.
   */
  ADDRESS_GUARD,

  /**
   * The in-memory cache was full and evicted the domain's unexpired policy, and no {@link
   * PolicyStore} keeps it: the next lookup is first contact again, which an attacker who blocks
   * DNS or HTTPS can turn into delivery without the policy. {@link
   * MtaSts.Builder#maximumCachedPolicies} is too small for the domains mailed, or a store is
   * missing.
   */
  CACHE_EVICTION
}
