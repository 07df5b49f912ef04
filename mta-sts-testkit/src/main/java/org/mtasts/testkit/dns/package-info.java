/**
 * A loopback DNS server for tests and demos: {@link org.mtasts.testkit.dns.TestDnsServer} serves
 * raw records (A, AAAA, MX, TXT, CNAME) set from Java over real UDP and TCP, with injectable faults
 * (SERVFAIL, REFUSED, NXDOMAIN, dropped and truncated answers, delays) and per-query counters. It
 * knows nothing about MTA-STS, so the library is tested against an independent world, and it needs
 * no privileges and no change to the machine's resolver.
 *
 * <p>Like OkHttp's MockWebServer: start one per test (it binds a random port in a few
 * milliseconds), point the code under test at {@link
 * org.mtasts.testkit.dns.TestDnsServer#address()}, and assert on the queries it received.
 */
package org.mtasts.testkit.dns;
