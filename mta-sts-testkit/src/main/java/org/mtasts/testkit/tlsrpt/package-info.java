/**
 * TLS reports (RFC 8460) in tests: {@link org.mtasts.testkit.tlsrpt.TlsRptSchema} checks that a
 * report document is valid I-JSON and follows the project's JSON Schema of the RFC 8460 §4.4
 * report, so tests of every module can validate the reports they produce.
 */
package org.mtasts.testkit.tlsrpt;
