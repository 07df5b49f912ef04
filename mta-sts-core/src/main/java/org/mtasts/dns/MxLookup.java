package org.mtasts.dns;

import java.util.List;
import java.util.Objects;

/**
 * Where mail for a domain goes, after RFC 5321 §5.1 and RFC 7505: the hosts to try in order, or the
 * permanent reason there are none.
 *
 * <p>Temporary DNS failures are not represented here: {@link MxResolver} completes exceptionally
 * with a {@link DnsException} instead (STS-MX-03), so every status below is definite.
 *
 * <p>Immutable and thread-safe.
 *
 * @param domain the domain that was resolved, normalised; for a domain that is a CNAME, still the
 *     original domain (STS-MX-01, STS-SCOPE-05)
 * @param status the outcome
 * @param hosts the hosts in delivery order; non-empty exactly for {@link Status#MX} and {@link
 *     Status#IMPLICIT_MX}. Each exchange is a host name as published (never CNAME-expanded,
 *     STS-MX-12), or the domain itself with preference 0 for an implicit MX; never the root
 *     {@code "."} (a null MX is {@link Status#NULL_MX}, a {@code "."} beside real hosts is dropped)
 * @param authenticated {@code true} only if every DNS answer the outcome rests on was
 *     DNSSEC-validated (see {@link DnsAnswer#authenticated()})
 */
public record MxLookup(String domain, Status status, List<MxRecord> hosts, boolean authenticated) {

  /** The outcome of an MX resolution. */
  public enum Status {
    /** The domain has MX records; {@link #hosts()} lists them in delivery order. */
    MX,
    /**
     * The domain has no MX records but has an address, so it is its own mail host with preference 0
     * (RFC 5321 §5.1, STS-MX-04). Under an MTA-STS policy this host name is the one that must match
     * the policy and the certificate.
     */
    IMPLICIT_MX,
    /**
     * The domain publishes a null MX (a lone {@code MX 0 .}, RFC 7505): it accepts no mail.
     * Permanent; no MTA-STS processing is needed (STS-MX-09). An MX set made only of {@code .}
     * entries with other preferences means the same and is reported the same way; a {@code .} next
     * to real MX hosts is ignored instead (D-20).
     */
    NULL_MX,
    /** The domain does not exist (NXDOMAIN). Permanent (STS-MX-02). */
    NO_SUCH_DOMAIN,
    /**
     * The domain exists but has neither MX records nor an address, or only a CNAME chain that loops
     * or is too long (D-16), or MX records none of which names a usable host (STS-MX-08).
     * Permanent.
     */
    NO_MAIL_HOST
  }

  /**
   * Validates and copies the components.
   *
   * @throws NullPointerException if an argument or host is null
   * @throws IllegalArgumentException if hosts are given for a status without hosts or missing for
   *     one with hosts, or a host is the root {@code "."}
   */
  public MxLookup {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(status, "status");
    hosts = List.copyOf(hosts);
    for (MxRecord host : hosts) {
      if (host.isRootExchange()) {
        throw new IllegalArgumentException("not a mail host name: \".\" for " + domain);
      }
    }
    boolean needsHosts = status == Status.MX || status == Status.IMPLICIT_MX;
    if (needsHosts == hosts.isEmpty()) {
      throw new IllegalArgumentException(
          "status " + status + " with " + hosts.size() + " hosts for " + domain);
    }
  }

  /**
   * Tells whether the domain is its own mail host because it has no MX records.
   *
   * @return {@code true} for {@link Status#IMPLICIT_MX}
   */
  public boolean isImplicit() {
    return status == Status.IMPLICIT_MX;
  }

  /**
   * Tells whether the domain declared that it accepts no mail.
   *
   * @return {@code true} for {@link Status#NULL_MX}
   */
  public boolean isNullMx() {
    return status == Status.NULL_MX;
  }
}
