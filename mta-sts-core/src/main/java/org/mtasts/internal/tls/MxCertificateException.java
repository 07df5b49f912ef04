package org.mtasts.internal.tls;

import java.security.cert.CertificateException;
import java.util.Objects;
import org.mtasts.tls.RefusalReason;

/**
 * Thrown by {@link MxTrustManager} under enforce to abort a handshake; it travels as the cause of
 * the JDK's {@code SSLHandshakeException}, so {@link TlsFailures#classify(Throwable)} can recover
 * the precise reason from any exception that wraps it.
 */
public final class MxCertificateException extends CertificateException {
  private static final long serialVersionUID = 1L;

  private final RefusalReason reason;

  /**
   * Creates the exception.
   *
   * @param reason why the certificate is refused
   * @param message what was wrong
   */
  public MxCertificateException(RefusalReason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the certificate is refused. */
  public RefusalReason reason() {
    return reason;
  }
}
