/**
 * A small offline internet for MTA-STS tests and demos, built from a few lines: {@link
 * org.mtasts.testkit.TestWorld} starts a certificate authority, a loopback DNS server, an HTTPS
 * policy server and one SMTP receiver per MX host, and wires them so that every domain described
 * with a {@link org.mtasts.testkit.DomainSpec} has its MX records, address records, MTA-STS TXT
 * record, policy host and certificates in place. {@link org.mtasts.testkit.TestWorldExtension} runs
 * a world around JUnit 5 tests; a plain {@code TestWorld} is {@link AutoCloseable} for use outside
 * tests, such as an offline demo.
 *
 * <pre>{@code
 * @RegisterExtension static final TestWorldExtension world = TestWorldExtension.create(w -> w
 *     .domain("example.com", d -> d
 *         .policy("enforce", "mx1.example.com", "mx2.example.com")
 *         .mx(10, "mx1.example.com", Mx.goodTls())
 *         .mx(20, "mx2.example.com", Mx.noStartTls())));
 * }</pre>
 *
 * <p>{@link org.mtasts.testkit.Mx} and {@link org.mtasts.testkit.Cert} name how a host behaves and
 * which certificate it presents; {@link org.mtasts.testkit.WorldDomain} changes a domain at run
 * time. The parts live in the sub-packages {@code tls}, {@code dns}, {@code https} and {@code smtp}
 * and can be used on their own.
 *
 * <p>Nothing here depends on {@code mta-sts-core}: the world serves raw text and records, so the
 * library is tested against an independent implementation, and invalid policies are as easy to
 * serve as valid ones. Nothing needs privileges or changes the machine or the JVM's global
 * settings: servers listen on random loopback ports, and code under test is pointed at them through
 * {@link org.mtasts.testkit.TestWorld#dnsAddress()}, {@link org.mtasts.testkit.TestWorld#hostMap()}
 * and {@link org.mtasts.testkit.TestWorld#trustManager()}. Logging goes through SLF4J.
 */
package org.mtasts.testkit;
