package org.mtasts.internal.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.mtasts.tls.RefusalReason;

/**
 * Classifies a failed TLS handshake with an MX into a {@link RefusalReason}, from the exception
 * alone. Static and thread-safe.
 */
public final class TlsFailures {
  private TlsFailures() {}

  /**
   * The reason behind {@code failure}, looking through its causes (so a {@code
   * MessagingException} from Jakarta Mail that wraps the {@code SSLHandshakeException} works):
   *
   * <ol>
   *   <li>a refusal by this library's trust manager gives its exact reason;
   *   <li>a protocol version failure (the MX offers only TLS older than 1.2, STS-TLS-03) gives
   *       {@link RefusalReason#TLS_VERSION}; the JDK reports it as {@code protocol_version}
   *       alerts, "The server selected protocol version TLS11 is not accepted..." or "No
   *       appropriate protocol", BoringSSL (Conscrypt) as {@code UNSUPPORTED_PROTOCOL};
   *   <li>an expired certificate gives {@link RefusalReason#CERTIFICATE_EXPIRED}; any other
   *       certificate or path validation failure {@link RefusalReason#CERTIFICATE_NOT_TRUSTED};
   *   <li>any other {@link SSLException} {@link RefusalReason#TLS_HANDSHAKE_FAILED}.
   * </ol>
   *
   * @return the reason, or empty when no TLS or certificate failure is among the causes (e.g. a
   *     refused TCP connection, which is not an MTA-STS failure, STS-APPLY-07)
   */
  public static Optional<RefusalReason> classify(Throwable failure) {
    boolean tls = false;
    boolean certificate = false;
    boolean version = false;
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
      if (t instanceof MxCertificateException) {
        return Optional.of(((MxCertificateException) t).reason());
      }
      tls |= t instanceof SSLException;
      certificate |=
          t instanceof CertificateException
              || t instanceof CertPathValidatorException
              || t instanceof CertPathBuilderException;
      version |= isVersionMessage(t.getMessage());
    }
    if (!tls && !certificate) {
      return Optional.empty();
    }
    if (version) {
      return Optional.of(RefusalReason.TLS_VERSION);
    }
    if (certificate) {
      return Optional.of(
          CertificateVerification.isExpired(failure)
              ? RefusalReason.CERTIFICATE_EXPIRED
              : RefusalReason.CERTIFICATE_NOT_TRUSTED);
    }
    return Optional.of(RefusalReason.TLS_HANDSHAKE_FAILED);
  }

  private static boolean isVersionMessage(String message) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("protocol_version")
        || m.contains("protocol version")
        || m.contains("no appropriate protocol")
        // BoringSSL (Conscrypt): the server chose a version the client does not enable.
        || m.contains("unsupported_protocol");
  }

  /** The message of the innermost cause, for messages to people. */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    int depth = 0;
    while (root.getCause() != null && root.getCause() != root && depth++ < 32) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message != null ? message : root.getClass().getSimpleName();
  }
}
