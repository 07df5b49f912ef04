package org.mtasts.report;

import java.io.IOException;

/**
 * A TLS report was not accepted by one destination (RFC 8460 §5): the endpoint answered other than
 * 2xx or redirected (D-29), could not be reached, failed TLS, or the mail could not be handed on.
 * The message says which and is printable (network text in it went through {@code
 * NetworkText.printable}, SEC-20).
 */
public final class ReportDeliveryException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, printable
   */
  public ReportDeliveryException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, printable
   * @param cause the underlying failure
   */
  public ReportDeliveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
