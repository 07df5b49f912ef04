package org.mtasts.report;

import java.util.Objects;
import java.util.Optional;

/**
 * The STARTTLS validation result types of RFC 8460 §4.3, as registered with IANA ("STARTTLS
 * Validation Result Types"; still exactly these eleven). New types must not be invented: anything
 * else is reported as {@link #VALIDATION_FAILURE} with a failure reason code.
 */
public enum ResultType {
  /** The MX did not offer STARTTLS, or refused the command. */
  STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
  /** The certificate has no DNS-ID matching the MX host. */
  CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
  /** The certificate has expired. */
  CERTIFICATE_EXPIRED("certificate-expired"),
  /** The certificate does not chain to a trusted root (or is self-signed, revoked, ...). */
  CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
  /** Any other failure, e.g. a handshake failure or an MX host not in the policy. */
  VALIDATION_FAILURE("validation-failure"),
  /** DANE: no TLSA record in the RRset validated. */
  TLSA_INVALID("tlsa-invalid"),
  /** DANE: the resolver returned no DNSSEC-validated records. */
  DNSSEC_INVALID("dnssec-invalid"),
  /** DANE: local policy requires DANE, but there are no validated TLSA records. */
  DANE_REQUIRED("dane-required"),
  /** MTA-STS: a {@code _mta-sts} record exists, but the policy could not be retrieved. */
  STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
  /** MTA-STS: the policy was retrieved but is not valid. */
  STS_POLICY_INVALID("sts-policy-invalid"),
  /** MTA-STS: the policy host's certificate failed validation. */
  STS_WEBPKI_INVALID("sts-webpki-invalid");

  private final String wireName;

  ResultType(String wireName) {
    this.wireName = wireName;
  }

  /**
   * Returns the name used in TLS-RPT JSON, e.g. {@code sts-policy-fetch-error}.
   *
   * @return the registered name
   */
  public String wireName() {
    return wireName;
  }

  /**
   * Looks up a result type by its registered name (exact, case-sensitive).
   *
   * @param wireName the registered name, e.g. {@code certificate-expired}
   * @return the result type, or empty if the name is not registered
   * @throws NullPointerException if {@code wireName} is null
   */
  public static Optional<ResultType> fromWireName(String wireName) {
    Objects.requireNonNull(wireName, "wireName");
    for (ResultType t : values()) {
      if (t.wireName.equals(wireName)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
