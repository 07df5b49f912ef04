package org.mtasts.dns;

/**
 * DNSSEC validation is enabled and the answer failed it (RFC 4035 "bogus"): signatures are missing,
 * expired or wrong, or the chain of trust is broken. Temporary, and a possible sign of an attack:
 * the forged or broken answer is not used.
 */
public class DnssecValidationException extends DnsException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param queryName the name that was looked up
   * @param queryType the record type
   * @param reason why validation failed, as reported by the validator
   * @throws NullPointerException if an argument is null
   */
  public DnssecValidationException(String queryName, String queryType, String reason) {
    super(queryName, queryType, "DNSSEC validation failed: " + reason, null);
  }
}
