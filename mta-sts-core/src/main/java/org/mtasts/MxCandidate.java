package org.mtasts;

import org.mtasts.tls.TlsRequirement;
import java.util.Objects;

/**
 * One MX host of a {@link DeliveryPlan}, in delivery order, with what the policy says about it.
 *
 * @param host the MX host name, normalised
 * @param preference the MX preference (0 for an implicit MX)
 * @param matchesPolicy whether an {@code mx} pattern of the policy matches the host; true when no
 *     policy applies
 * @param allowed whether the sender may connect: false only for a host that does not match an
 *     {@code enforce} policy (RFC 8461 §5)
 * @param tls what TLS the delivery needs
 */
public record MxCandidate(
    String host, int preference, boolean matchesPolicy, boolean allowed, TlsRequirement tls) {
  /**
   * Validates the components.
   *
   * @throws NullPointerException if {@code host} or {@code tls} is null
   */
  public MxCandidate {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
  }
}
