package org.mtasts.dns;

import java.util.Objects;

/**
 * Whether a {@link DnsClient} can give DNSSEC-secure answers here and now, as found by {@link
 * DnsClient#dnssecSupport()}: DANE (RFC 7672) needs secure answers, and a resolver that strips
 * DNSSEC records would make every signed domain look bogus.
 *
 * <p>Immutable and thread-safe.
 *
 * @param status what the probe found
 * @param reason why, for a person to read: for example {@code "resolver does not return DNSSEC
 *     records"}; never empty
 */
public record DnssecSupport(Status status, String reason) {

  /** What a DNSSEC probe found. */
  public enum Status {
    /**
     * The client neither validates DNSSEC nor trusts a validating resolver: no answer is secure.
     */
    OFF,
    /** The client validates and its resolver passes DNSSEC records: secure answers are possible. */
    AVAILABLE,
    /**
     * The client is configured to validate, but cannot here: the resolver strips DNSSEC records,
     * does not validate (when its AD flag is trusted), the trust anchors do not validate the keys
     * they name, or the probe itself failed. Signed domains would look bogus; DANE should be off.
     */
    UNAVAILABLE
  }

  /**
   * Checks the components.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code reason} is blank
   */
  public DnssecSupport {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("a DnssecSupport needs a reason");
    }
  }

  /**
   * The client does not validate DNSSEC.
   *
   * @param reason why, for a person to read
   * @return a value with status {@link Status#OFF}
   * @throws NullPointerException if {@code reason} is null
   */
  public static DnssecSupport off(String reason) {
    return new DnssecSupport(Status.OFF, reason);
  }

  /**
   * Secure answers are possible.
   *
   * @param reason what was checked, for a person to read
   * @return a value with status {@link Status#AVAILABLE}
   * @throws NullPointerException if {@code reason} is null
   */
  public static DnssecSupport available(String reason) {
    return new DnssecSupport(Status.AVAILABLE, reason);
  }

  /**
   * The client should validate but cannot.
   *
   * @param reason why, for a person to read
   * @return a value with status {@link Status#UNAVAILABLE}
   * @throws NullPointerException if {@code reason} is null
   */
  public static DnssecSupport unavailable(String reason) {
    return new DnssecSupport(Status.UNAVAILABLE, reason);
  }

  /**
   * Tells whether secure answers are possible.
   *
   * @return {@code true} exactly when the status is {@link Status#AVAILABLE}
   */
  public boolean isAvailable() {
    return status == Status.AVAILABLE;
  }

  /** {@code "AVAILABLE: <reason>"} and the like. */
  @Override
  public String toString() {
    return status + ": " + reason;
  }
}
