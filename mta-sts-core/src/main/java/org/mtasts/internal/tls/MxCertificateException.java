package org.mtasts.internal.tls;

import java.security.cert.CertificateException;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.tls.RefusalReason;

/**
 * Thrown by {@link MxTrustManager} to abort a handshake; it travels as the cause of the JDK's
 * {@code SSLHandshakeException}, so {@link TlsFailures#classify(Throwable)} can recover the precise
 * reason from any exception that wraps it, and {@link MxSslSocket} the whole verdict (under DANE
 * both the DANE and the WebPKI one) for the outcome it reports.
 */
public final class MxCertificateException extends CertificateException {
  private static final long serialVersionUID = 1L;

  private final RefusalReason reason;
  /** Not serialised: only the socket that made the handshake reads it. */
  private final transient SessionChecks.Verdict verdict;

  /**
   * Creates the exception.
   *
   * @param reason why the certificate is refused
   * @param message what was wrong
   */
  public MxCertificateException(RefusalReason reason, String message) {
    this(reason, message, null);
  }

  /**
   * Creates the exception for a verdict that aborts the handshake.
   *
   * @param verdict the verdict; its {@link SessionChecks.Verdict#abort()} is the reason
   */
  MxCertificateException(SessionChecks.Verdict verdict) {
    this(verdict.abort().orElseThrow(), verdict.message(), verdict);
  }

  private MxCertificateException(
      RefusalReason reason, String message, SessionChecks.Verdict verdict) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.verdict = verdict;
  }

  /** Why the certificate is refused. */
  public RefusalReason reason() {
    return reason;
  }

  /** The verdict that aborted the handshake, when this exception was made from one. */
  Optional<SessionChecks.Verdict> verdict() {
    return Optional.ofNullable(verdict);
  }
}
