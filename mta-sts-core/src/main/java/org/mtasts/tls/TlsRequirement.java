package org.mtasts.tls;

/** What TLS a delivery to one MX host needs under the applied policy (RFC 8461 §4.2, §5). */
public enum TlsRequirement {
  /**
   * {@code enforce}: STARTTLS with TLS 1.2 or later and a certificate that chains to a trusted root
   * and names the MX host; otherwise do not deliver to this host.
   */
  VERIFIED,
  /**
   * {@code testing}: check TLS as for {@link #VERIFIED} and report failures, but deliver anyway
   * (opportunistically) when they fail.
   */
  VERIFY_AND_REPORT,
  /** No policy, or {@code mode: none}: TLS as the sender does without MTA-STS. */
  OPPORTUNISTIC
}
