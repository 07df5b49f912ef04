package org.mtasts.javamail;

/**
 * Reason codes used until the core's {@code RefusalReason} is on this branch: the kebab-case
 * codes of {@code RefusalReason.code()}.
 */
final class Reasons {
  static final String MX_MISMATCH = "mx-mismatch";
  static final String STARTTLS_NOT_SUPPORTED = "starttls-not-supported";
  static final String TLS_HANDSHAKE_FAILED = "tls-handshake-failed";

  private Reasons() {}

  /** D-22: 4.7.10 for missing or failed TLS, 4.7.5 for certificate and MX-pattern failures. */
  static String statusCode(String reason) {
    return reason.startsWith("starttls") || reason.startsWith("tls") ? "4.7.10" : "4.7.5";
  }
}
