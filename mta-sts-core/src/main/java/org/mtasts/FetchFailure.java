package org.mtasts;

import org.mtasts.report.ResultType;

/**
 * Why an HTTPS policy fetch (RFC 8461 §3.3) failed. Each kind maps to the TLS-RPT result type
 * (RFC 8460 §4.3.2) a report would carry for it.
 */
public enum FetchFailure {
  /** The policy host name did not resolve, or DNS failed while resolving it. */
  DNS_FAILURE(ResultType.STS_POLICY_FETCH_ERROR),
  /**
   * The policy host resolved only to addresses the fetch refuses by configuration (loopback,
   * private, link-local, unique-local, cloud metadata).
   */
  ADDRESS_REFUSED(ResultType.STS_POLICY_FETCH_ERROR),
  /** No TCP connection could be made. */
  CONNECT_FAILED(ResultType.STS_POLICY_FETCH_ERROR),
  /** The TLS handshake failed for a reason other than the certificate (e.g. TLS version). */
  TLS_HANDSHAKE_FAILED(ResultType.STS_POLICY_FETCH_ERROR),
  /** The certificate does not chain to a trusted root (incl. self-signed, not yet valid). */
  CERTIFICATE_UNTRUSTED(ResultType.STS_WEBPKI_INVALID),
  /** The certificate has expired. */
  CERTIFICATE_EXPIRED(ResultType.STS_WEBPKI_INVALID),
  /** The certificate is not valid for {@code mta-sts.<domain>}. */
  CERTIFICATE_HOST_MISMATCH(ResultType.STS_WEBPKI_INVALID),
  /** The server answered with a redirect, which RFC 8461 §3.3 forbids following. */
  REDIRECT_REFUSED(ResultType.STS_POLICY_FETCH_ERROR),
  /** The server answered with a status other than 200. */
  HTTP_STATUS(ResultType.STS_POLICY_FETCH_ERROR),
  /** The media type was missing or not {@code text/plain}. */
  MEDIA_TYPE(ResultType.STS_POLICY_INVALID),
  /** The decoded body was larger than the limit (64 KiB by default). */
  BODY_TOO_LARGE(ResultType.STS_POLICY_FETCH_ERROR),
  /** The fetch did not complete within its deadline. */
  TIMEOUT(ResultType.STS_POLICY_FETCH_ERROR),
  /** The connection failed mid-exchange (reset, closed early, malformed HTTP). */
  IO_ERROR(ResultType.STS_POLICY_FETCH_ERROR),
  /** The body is not valid UTF-8. */
  INVALID_ENCODING(ResultType.STS_POLICY_INVALID),
  /** The body is not a valid policy (RFC 8461 §3.2). */
  POLICY_SYNTAX(ResultType.STS_POLICY_INVALID);

  private final ResultType resultType;

  FetchFailure(ResultType resultType) {
    this.resultType = resultType;
  }

  /** The TLS-RPT result type for this failure. */
  public ResultType resultType() {
    return resultType;
  }
}
