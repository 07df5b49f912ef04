/**
 * A loopback DNS server for tests and demos: {@link org.mtasts.testkit.dns.TestDnsServer} serves
 * raw records (A, AAAA, MX, TXT, CNAME, TLSA) set from Java over real UDP and TCP, with injectable
 * faults (SERVFAIL, REFUSED, NXDOMAIN, dropped and truncated answers, delays) and per-query
 * counters. It knows nothing about MTA-STS, so the library is tested against an independent world,
 * and it needs no privileges and no change to the machine's resolver.
 *
 * <p>Like OkHttp's MockWebServer: start one per test (it binds a random port in a few
 * milliseconds), point the code under test at {@link
 * org.mtasts.testkit.dns.TestDnsServer#address()}, and assert on the queries it received.
 *
 * <h2>DNSSEC</h2>
 *
 * <p>Once {@link org.mtasts.testkit.dns.TestDnsServer#signZone(String)} has been called the server
 * answers as a DNSSEC-aware recursive resolver in front of this tree of zones:
 *
 * <ul>
 *   <li>The root, signed; its DS is {@link
 *       org.mtasts.testkit.dns.TestDnsServer#dnssecTrustAnchor()}.
 *   <li>Each zone made with {@code signZone} (signed) or {@code insecureZone} (unsigned), cut from
 *       the closest enclosing zone. The parent publishes the DS of a signed child, or a signed NSEC
 *       proving there is none. Signed zones answer SOA, NS and DNSKEY at their apex.
 *   <li>For every other name with records, an unsigned zone cut from the root at the name's
 *       highest ancestor that is not an ancestor of one of those zones: with {@code example.com}
 *       signed, {@code mx.example.net} is in the insecure zone {@code net}, {@code mx.other.com} in
 *       {@code other.com}. A validator proves the DS absent and calls such names insecure.
 *   <li>A name that is an ancestor of a zone you made ({@code com} above) stays in the enclosing
 *       zone, so records there are signed by it (by the root at least). A name whose unsigned zone
 *       would hold no records at all does not exist in the root zone: a secure NXDOMAIN.
 * </ul>
 *
 * <p>Queries with the DO bit get an RRSIG for every RRset of a signed zone and, for NODATA and
 * NXDOMAIN, the zone's SOA and NSEC records (a real chain over the zone's names, no NSEC3, no
 * wildcards). Each zone has one ECDSA P-256 key (algorithm 13, flags 257). Broken signatures,
 * resolvers that strip DNSSEC and resolvers that validate and set the AD bit are modes of the
 * server; {@link org.mtasts.testkit.dns.Tlsa} computes TLSA data from certificates.
 */
package org.mtasts.testkit.dns;
