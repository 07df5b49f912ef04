package org.mtasts.javamail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMultipart;

/** {@code multipart/report; report-type="tlsrpt"} (RFC 6522, RFC 8460 §5.3). */
final class ReportMultipart extends MimeMultipart {
  ReportMultipart() throws MessagingException {
    super("report");
    ContentType type = new ContentType(contentType);
    type.setParameter("report-type", "tlsrpt");
    contentType = type.toString();
  }
}
