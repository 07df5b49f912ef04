package org.mtasts.tls;

import java.util.Objects;
import java.util.Optional;

/**
 * What DANE for SMTP (RFC 7672) requires of the session with one MX host, decided from DNSSEC
 * before connecting — the DANE counterpart of {@link TlsRequirement}.
 *
 * <p>Immutable and thread-safe.
 */
public final class DaneRequirement {

  /** The DANE state of one MX host. */
  public enum Status {
    /**
     * DANE does not apply: DANE is off or unavailable, or the MX RRset, the host's addresses or
     * the TLSA lookup is insecure, or there is securely no TLSA record (STS-DANE-02). MTA-STS alone
     * governs.
     */
    NONE,
    /**
     * A secure TLSA RRset with at least one usable record: STARTTLS is mandatory and the server's
     * certificate must match a usable record (RFC 7672 §2.2, §3). DANE decides for this host
     * (D-23); a strict configuration requires MTA-STS to pass as well.
     */
    AUTHENTICATE,
    /**
     * A secure TLSA RRset without a usable record: STARTTLS is still mandatory, but DANE
     * authenticates nothing (STS-DANE-04); MTA-STS, if it applies, judges the certificate.
     */
    TLS_REQUIRED,
    /**
     * A lookup DANE depends on failed for a host that should be DANE-protected (bogus,
     * indeterminate, SERVFAIL, timeout): the host is unusable for this attempt, never quietly
     * downgraded (STS-DANE-03). TLS-RPT result type {@code dnssec-invalid}.
     */
    DNSSEC_FAILED
  }

  private static final DaneRequirement NONE = new DaneRequirement(Status.NONE, null, "DANE does not apply");

  private final Status status;
  private final DaneTlsa tlsa;
  private final String message;

  private DaneRequirement(Status status, DaneTlsa tlsa, String message) {
    this.status = status;
    this.tlsa = tlsa;
    this.message = message;
  }

  /**
   * DANE does not apply.
   *
   * @return the shared instance with status {@link Status#NONE}
   */
  public static DaneRequirement none() {
    return NONE;
  }

  /**
   * DANE does not apply, for a reason worth showing (e.g. "MX RRset insecure").
   *
   * @param why the reason
   * @return a requirement with status {@link Status#NONE}
   */
  public static DaneRequirement none(String why) {
    return new DaneRequirement(Status.NONE, null, Objects.requireNonNull(why, "why"));
  }

  /**
   * The requirement a secure TLSA RRset sets: {@link Status#AUTHENTICATE} when a record is usable,
   * otherwise {@link Status#TLS_REQUIRED}.
   *
   * @param tlsa the secure RRset
   * @return the requirement
   */
  public static DaneRequirement of(DaneTlsa tlsa) {
    Objects.requireNonNull(tlsa, "tlsa");
    return tlsa.usable().isEmpty()
        ? new DaneRequirement(Status.TLS_REQUIRED, tlsa,
            "secure TLSA RRset at " + tlsa.ownerName() + " has no usable record: TLS required")
        : new DaneRequirement(Status.AUTHENTICATE, tlsa,
            "secure TLSA RRset at " + tlsa.ownerName() + ": certificate must match");
  }

  /**
   * A DNSSEC failure makes the host unusable for this attempt.
   *
   * @param why what failed, e.g. "TLSA lookup at _25._tcp.mx.example.com: bogus"
   * @return a requirement with status {@link Status#DNSSEC_FAILED}
   */
  public static DaneRequirement dnssecFailed(String why) {
    return new DaneRequirement(Status.DNSSEC_FAILED, null, Objects.requireNonNull(why, "why"));
  }

  /** The status. */
  public Status status() {
    return status;
  }

  /** The secure TLSA RRset, for {@link Status#AUTHENTICATE} and {@link Status#TLS_REQUIRED}. */
  public Optional<DaneTlsa> tlsa() {
    return Optional.ofNullable(tlsa);
  }

  /** Whether STARTTLS is mandatory because of DANE. */
  public boolean requiresTls() {
    return status == Status.AUTHENTICATE || status == Status.TLS_REQUIRED;
  }

  /** Whether the host may be tried at all this attempt (false only for {@link Status#DNSSEC_FAILED}). */
  public boolean usable() {
    return status != Status.DNSSEC_FAILED;
  }

  /** A short explanation for logs and the CLI. */
  public String message() {
    return message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DaneRequirement d
        && d.status == status
        && Objects.equals(d.tlsa, tlsa)
        && d.message.equals(message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, tlsa, message);
  }

  @Override
  public String toString() {
    return "DaneRequirement{" + status + ", " + message + "}";
  }
}
