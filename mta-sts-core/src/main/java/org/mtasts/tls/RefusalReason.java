package org.mtasts.tls;

import java.util.Optional;
import org.mtasts.report.ResultType;

/**
 * Why an MX host fails MTA-STS validation (RFC 8461 §4, §5) or DANE validation (RFC 7672). Each reason names the TLS-RPT result
 * type it is reported as (RFC 8460 §4.3), the failure reason code where the result type alone is
 * too coarse, and the enhanced status codes of project decision D-22: {@code 4.7.5} for
 * certificate and MX-pattern failures, {@code 4.7.10} for missing or failed TLS, and their
 * permanent {@code 5.7.x} forms for the final bounce.
 */
public enum RefusalReason {
  /** The MX host matches no {@code mx} pattern of the policy (STS-MATCH-01, D-26). */
  MX_MISMATCH(ResultType.VALIDATION_FAILURE, "mta-sts-mx-mismatch", "4.7.5"),
  /** The MX did not offer STARTTLS, or refused the command (STS-TLS-01). */
  STARTTLS_NOT_SUPPORTED(ResultType.STARTTLS_NOT_SUPPORTED, null, "4.7.10"),
  /** The MX offered only TLS older than 1.2 (STS-TLS-03, D-04). */
  TLS_VERSION(ResultType.VALIDATION_FAILURE, "protocol_version", "4.7.10"),
  /** The TLS handshake failed for a reason other than the certificate. */
  TLS_HANDSHAKE_FAILED(ResultType.VALIDATION_FAILURE, "handshake_failure", "4.7.10"),
  /** The certificate has no SAN DNS-ID matching the MX host (STS-TLS-06/07). */
  CERTIFICATE_HOST_MISMATCH(ResultType.CERTIFICATE_HOST_MISMATCH, null, "4.7.5"),
  /** The certificate has expired (STS-TLS-04). */
  CERTIFICATE_EXPIRED(ResultType.CERTIFICATE_EXPIRED, null, "4.7.5"),
  /** The certificate does not chain to a trusted root, or is not yet valid (STS-TLS-05). */
  CERTIFICATE_NOT_TRUSTED(ResultType.CERTIFICATE_NOT_TRUSTED, "untrusted", "4.7.5"),
  /** Any other validation failure. */
  VALIDATION_FAILURE(ResultType.VALIDATION_FAILURE, null, "4.7.5"),
  /**
   * DANE: the certificate matches no usable record of the host's secure TLSA RRset, or a DANE-TA
   * chain fails its name or chain checks (RFC 7672 §3, STS-DANE-01).
   */
  TLSA_INVALID(ResultType.TLSA_INVALID, null, "4.7.5"),
  /**
   * DANE: a DNSSEC lookup the host's DANE state rests on was bogus, indeterminate or failed, so the
   * host is unusable this attempt (RFC 7672 §2.1.1, STS-DANE-03).
   */
  DNSSEC_INVALID(ResultType.DNSSEC_INVALID, null, "4.7.5");

  private final ResultType resultType;
  private final String failureReasonCode;
  private final String transientStatus;

  RefusalReason(ResultType resultType, String failureReasonCode, String transientStatus) {
    this.resultType = resultType;
    this.failureReasonCode = failureReasonCode;
    this.transientStatus = transientStatus;
  }

  /** The TLS-RPT result type for this failure. */
  public ResultType resultType() {
    return resultType;
  }

  /** The TLS-RPT {@code failure-reason-code}, where the result type alone is too coarse. */
  public Optional<String> failureReasonCode() {
    return Optional.ofNullable(failureReasonCode);
  }

  /** The enhanced status code for a delivery attempt that fails for this reason: 4.7.5/4.7.10. */
  public String transientStatusCode() {
    return transientStatus;
  }

  /** The enhanced status code for the final bounce after retries: 5.7.5 or 5.7.10. */
  public String permanentStatusCode() {
    return "5" + transientStatus.substring(1);
  }

  /** A short kebab-case code for logs and JSON, e.g. {@code certificate-expired}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
