package org.mtasts;

import java.util.Objects;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.TlsRequirement;

/**
 * One MX host of a {@link DeliveryPlan}, in delivery order, with what the policy says about it and
 * what DANE for SMTP (RFC 7672) requires of it.
 *
 * <p>{@code tls} is what the MTA-STS policy (or a local override) asks for; {@code dane} adds to
 * it: when {@link DaneRequirement#requiresTls()} STARTTLS is mandatory for this host whatever
 * {@code tls} says, and {@link MtaSts#check(PolicyLookup, MxCandidate, org.mtasts.tls.TlsFacts)}
 * judges the session by DANE first (D-23).
 *
 * @param host the MX host name, normalised
 * @param preference the MX preference (0 for an implicit MX)
 * @param matchesPolicy whether an {@code mx} pattern of the policy matches the host; true when no
 *     policy applies
 * @param allowed whether the sender may connect: false for a host that does not match an {@code
 *     enforce} policy (RFC 8461 §5) unless DANE authenticates it (D-23, not in strict mode), and
 *     for a host whose DANE lookups failed ({@link DaneRequirement.Status#DNSSEC_FAILED},
 *     STS-DANE-03)
 * @param tls what TLS the MTA-STS policy needs
 * @param dane what DANE requires of the host; {@link DaneRequirement#none()} when DANE is off or
 *     does not apply
 */
public record MxCandidate(
    String host,
    int preference,
    boolean matchesPolicy,
    boolean allowed,
    TlsRequirement tls,
    DaneRequirement dane) {
  /**
   * Validates the components.
   *
   * @throws NullPointerException if {@code host}, {@code tls} or {@code dane} is null
   */
  public MxCandidate {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(dane, "dane");
  }

  /**
   * A candidate DANE does not apply to ({@link DaneRequirement#none()}).
   *
   * @param host the MX host name, normalised
   * @param preference the MX preference
   * @param matchesPolicy whether an {@code mx} pattern of the policy matches the host
   * @param allowed whether the sender may connect
   * @param tls what TLS the MTA-STS policy needs
   * @throws NullPointerException if {@code host} or {@code tls} is null
   */
  public MxCandidate(
      String host, int preference, boolean matchesPolicy, boolean allowed, TlsRequirement tls) {
    this(host, preference, matchesPolicy, allowed, tls, DaneRequirement.none());
  }
}
