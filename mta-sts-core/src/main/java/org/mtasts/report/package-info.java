/**
 * SMTP TLS Reporting (RFC 8460) vocabulary: the {@code _smtp._tls} TXT record ({@link
 * org.mtasts.report.TlsRptRecord}, its {@link org.mtasts.report.ReportDestination destinations})
 * and the registered {@link org.mtasts.report.ResultType result types}. Pure values and parsers,
 * no I/O; all types are immutable and thread-safe.
 */
package org.mtasts.report;
