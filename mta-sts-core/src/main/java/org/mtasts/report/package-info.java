/**
 * SMTP TLS Reporting (RFC 8460): the {@code _smtp._tls} TXT record ({@link
 * org.mtasts.report.TlsRptRecord}, its {@link org.mtasts.report.ReportDestination destinations}),
 * the registered {@link org.mtasts.report.ResultType result types}, and what is counted for a
 * report: a {@link org.mtasts.report.SessionResult} per session under a {@link
 * org.mtasts.report.ReportPolicy}, recorded through a {@link org.mtasts.report.TlsRptRecorder}
 * into a {@link org.mtasts.report.ReportStore}, per {@link org.mtasts.report.ReportDay}.
 *
 * <p>Values are immutable and thread-safe; the store says what it guarantees.
 */
package org.mtasts.report;
