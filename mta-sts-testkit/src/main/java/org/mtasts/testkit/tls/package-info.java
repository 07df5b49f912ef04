/**
 * Throw-away certificate authorities and certificates for tests: a root made at run time, leaf
 * certificates for any set of DNS names, and the bad kinds (expired, not yet valid, wrong name,
 * self-signed, no subject alternative name, weak key, signed by an untrusted CA).
 *
 * <p>Everything here lives in memory; nothing touches the JVM's default trust store. Code under
 * test trusts a {@link org.mtasts.testkit.tls.TestCertificateAuthority} only when a test hands it
 * the authority's trust material explicitly.
 */
package org.mtasts.testkit.tls;
