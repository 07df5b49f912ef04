package org.mtasts.report;

/**
 * The {@code policy-type} of a TLS-RPT report entry (RFC 8460 §4.4): exactly these three values,
 * nothing else is ever written.
 */
public enum PolicyType {
  /** An MTA-STS policy in {@code enforce} or {@code testing} mode applied. */
  STS("sts"),
  /** DANE TLSA records applied (RFC 7672). */
  TLSA("tlsa"),
  /** No policy applied: no MTA-STS record, or {@code mode: none} (project choice, as mox). */
  NO_POLICY_FOUND("no-policy-found");

  private final String wireName;

  PolicyType(String wireName) {
    this.wireName = wireName;
  }

  /**
   * Returns the name used in TLS-RPT JSON, e.g. {@code no-policy-found}.
   *
   * @return the registered name
   */
  public String wireName() {
    return wireName;
  }
}
