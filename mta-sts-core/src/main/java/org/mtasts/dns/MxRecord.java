package org.mtasts.dns;

import java.util.Objects;

/**
 * One MX resource record as published: a preference and an exchange host name. {@link
 * DnsClient#mx} answers with these, root entries included; {@link MxLookup#hosts()} lists the hosts
 * to deliver to with the same type, in delivery order, without the root and with the implicit MX
 * (the domain itself, preference 0) where there is no MX record.
 *
 * <p>The exchange is the name in the record's data, never CNAME-expanded (STS-MX-12): it is the
 * name that MTA-STS matches against the policy and that the server certificate must carry.
 *
 * <p>Immutable and thread-safe.
 *
 * @param preference 0 to 65535, lower is preferred
 * @param exchange the mail exchanger, normalised (lower-case, no trailing dot); {@code "."} for the
 *     root, which RFC 7505 uses for "this domain accepts no mail"
 */
public record MxRecord(int preference, String exchange) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if {@code exchange} is null
   * @throws IllegalArgumentException if {@code preference} is outside 0..65535 or {@code exchange}
   *     is empty
   */
  public MxRecord {
    if (preference < 0 || preference > 0xFFFF) {
      throw new IllegalArgumentException("MX preference out of range 0..65535: " + preference);
    }
    Objects.requireNonNull(exchange, "exchange");
    if (exchange.isEmpty()) {
      throw new IllegalArgumentException("empty MX exchange");
    }
  }

  /**
   * Tells whether the exchange is the root name {@code "."} (RFC 7505 null MX form).
   *
   * @return {@code true} if {@link #exchange()} is {@code "."}
   */
  public boolean isRootExchange() {
    return exchange.equals(".");
  }
}
