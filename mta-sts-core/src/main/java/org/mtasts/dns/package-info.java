/**
 * DNS for MTA-STS and DANE: a small asynchronous DNS client ({@link org.mtasts.dns.DnsClient})
 * for the TXT, MX, address and TLSA lookups the library needs, with optional DNSSEC ({@link
 * org.mtasts.dns.DnssecSupport}), and MX resolution after RFC 5321 §5.1 and RFC 7505
 * ({@link org.mtasts.dns.MxResolver}).
 *
 * <p><b>Outcomes are values, failures are exceptions.</b> A lookup that reached an answer, even a
 * negative one, completes normally with a {@link org.mtasts.dns.DnsAnswer}: records found, the name
 * exists without records of that type (NODATA), the name does not exist (NXDOMAIN), or a CNAME
 * chain that loops or is too long (treated as "no record", decision D-16). A lookup that could not
 * reach an answer (SERVFAIL, REFUSED, timeout, DNSSEC validation failure) completes exceptionally
 * with a {@link org.mtasts.dns.DnsException}; every such failure is temporary, so a broken or
 * attacked DNS path is never mistaken for the absence of a record (SEC-28).
 *
 * <p><b>Names.</b> Methods take DNS names in ASCII (A-label) form, with or without the trailing
 * dot, in any case. Names in results are normalised: lower-case, no trailing dot; the root is
 * {@code "."}.
 *
 * <p>All types here are immutable or thread-safe, as documented on each.
 */
package org.mtasts.dns;
