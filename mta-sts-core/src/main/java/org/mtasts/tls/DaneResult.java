package org.mtasts.tls;

import java.util.Locale;

/**
 * The DANE verdict (RFC 7672 §3) on the certificate chain an MX host presented, checked against
 * the host's secure TLSA RRset ({@link DaneTlsa}). Absent ({@code Optional.empty()}) wherever DANE
 * was not checked: DANE did not apply to the host, or the handshake failed before a certificate
 * was seen.
 */
public enum DaneResult {
  /**
   * The chain matched a usable TLSA record: the leaf certificate or its public key for DANE-EE(3)
   * (no name or date checks, STS-DANE-05); for DANE-TA(2) a certificate of the chain or its public
   * key, with the chain from the leaf up to it valid at the verifier's time and a subjectAltName
   * DNS-ID of the leaf matching the TLSA base domain or the MX host name.
   */
  AUTHENTICATED,
  /**
   * No usable TLSA record matched, or every DANE-TA(2) match failed its chain, date or name check.
   * The host is refused ({@link RefusalReason#TLSA_INVALID}), whatever MTA-STS says (STS-DANE-01).
   */
  FAILED;

  /** A lower-case code for logs and JSON: {@code authenticated} or {@code failed}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
