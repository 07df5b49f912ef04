package org.mtasts.javamail;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;

/** RFC 8689 {@code TLS-Required: No}, read under D-24. */
final class TlsRequiredHeader {
  static final String NAME = "TLS-Required";

  private TlsRequiredHeader() {}

  /**
   * Whether {@code message} carries exactly one {@code TLS-Required} header whose value is {@code
   * No} in any case (STS-RTLS-05, D-24): two or more, or another value, are ignored.
   */
  static boolean isNo(Message message) throws MessagingException {
    String[] values = message.getHeader(NAME);
    return values != null && values.length == 1
        && values[0].replaceAll("\\s+", "").equalsIgnoreCase("No");
  }
}
