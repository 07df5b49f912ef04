/**
 * An HTTPS server for MTA-STS policy files (RFC 8461 §3.3) that serves many policy hosts from one
 * loopback port and can misbehave in every way a policy fetcher has to survive.
 *
 * <p>{@link org.mtasts.testkit.https.PolicyServer} listens on {@code 127.0.0.1} and chooses each
 * connection's certificate by the SNI host name. Each {@link org.mtasts.testkit.https.PolicyHost}
 * has a certificate, TLS settings and a {@link org.mtasts.testkit.https.PolicyResponse} for {@code
 * GET /.well-known/mta-sts.txt}: a policy, any status, a redirect, a huge, lying, chunked, gzipped,
 * trickling or endless body, or a connection cut at a chosen point. Every connection and request is
 * recorded ({@link org.mtasts.testkit.https.RecordedConnection}, {@link
 * org.mtasts.testkit.https.RecordedRequest}) so a test can assert what the client sent.
 *
 * <p>The server serves raw text and knows nothing of policy syntax: it can serve invalid policies
 * as easily as valid ones. It does not depend on {@code mta-sts-core}.
 *
 * <pre>{@code
 * TestCertificateAuthority ca = TestCertificateAuthority.create("Test Root");
 * try (PolicyServer server = PolicyServer.create(ca).start()) {
 *   server.host("mta-sts.example.com")
 *       .servePolicy("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n");
 *   // point the client at 127.0.0.1:server.port() for mta-sts.example.com, trusting ca
 *   assertEquals(1, server.requestCount("mta-sts.example.com"));
 * }
 * }</pre>
 */
package org.mtasts.testkit.https;
