package org.mtasts.report;

import java.io.IOException;
import org.mtasts.internal.text.Texts;

/**
 * Sends a TLS report to a {@code mailto:} destination (RFC 8460 §5.3). The Jakarta Mail module
 * provides one ({@code org.mtasts.javamail.TlsReportMailer}: {@code multipart/report}, DKIM,
 * {@code TLS-Required: No}); core has no mail code of its own.
 *
 * <p>A report by mail must get through the very TLS failures it reports (TLSRPT-DEL-07): an
 * implementation delivers it without MTA-STS enforcement, and the session that delivers it is
 * never counted in a report. Messages that carry the {@value #REPORT_DOMAIN_HEADER} header (every
 * RFC 8460 mail report does) are how a recording transport tells them apart.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface ReportMailer {

  /**
   * The header every mail report carries (RFC 8460 §5.3, TLSRPT-DEL-04); a transport that records
   * TLS-RPT sessions does not record the sessions of a message that carries it (TLSRPT-DEL-07).
   */
  String REPORT_DOMAIN_HEADER = "TLS-Report-Domain";

  /**
   * Sends {@code report} to {@code destination}; returns once the next hop accepted the message.
   *
   * @param report the report
   * @param destination the {@code mailto:} destination
   * @throws IOException if the message was not accepted (a {@link ReportDeliveryException} with a
   *     printable message, as a rule)
   */
  void send(TlsReport report, ReportDestination.Mailto destination) throws IOException;

  /**
   * Returns a mailer that sends nothing: every {@code mailto:} destination fails, so that a
   * reporter without mail still tries the {@code https:} ones.
   *
   * @return the mailer
   */
  static ReportMailer none() {
    return (report, destination) -> {
      throw new ReportDeliveryException("no mailer is configured for "
          + Texts.printable(destination.uri(), 200));
    };
  }
}
