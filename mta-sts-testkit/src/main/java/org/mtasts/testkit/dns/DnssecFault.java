package org.mtasts.testkit.dns;

/**
 * A broken DNSSEC signature to inject for one RRset of a signed zone, see {@link
 * TestDnsServer#dnssecFault(String, String, DnssecFault)}. Each makes a validating resolver call
 * the answer bogus; the records themselves are served unchanged.
 */
public enum DnssecFault {
  /** The RRSIG is sent with one byte of its signature flipped: it does not verify. */
  BAD_SIGNATURE,
  /**
   * The RRSIG is a correct signature whose validity ended a day ago (inception 31 days ago,
   * expiration one day ago, by the server's clock).
   */
  EXPIRED_SIGNATURE,
  /** No RRSIG is sent for the RRset, as if the zone had been signed without it. */
  MISSING_SIGNATURE
}
