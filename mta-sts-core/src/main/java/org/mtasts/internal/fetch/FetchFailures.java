package org.mtasts.internal.fetch;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.mtasts.FetchFailure;
import org.mtasts.PolicyFetchException;
import org.mtasts.internal.text.Texts;

/**
 * The failures of a policy fetch as {@link PolicyFetchException}s: an I/O error of the call
 * classified into the {@link FetchFailure} it stands for (which decides its TLS-RPT result type),
 * and the policy host's text in a message made printable and short first (SEC-20).
 */
final class FetchFailures {
  /** Most characters of one piece of the policy host's text quoted in a message. */
  static final int MAX_UNTRUSTED = 200;

  private FetchFailures() {}

  /** The failure an I/O error of the call to {@code host} stands for. */
  static PolicyFetchException classify(String domain, String host, IOException e) {
    if (e instanceof SSLPeerUnverifiedException) {
      return failure(domain, FetchFailure.CERTIFICATE_HOST_MISMATCH,
          "the certificate of " + host + " is not valid for that name: " + untrusted(e), e);
    }
    if (e instanceof SSLHandshakeException) {
      if (hasCause(e, CertificateExpiredException.class) || isExpiredPath(e)) {
        return failure(domain, FetchFailure.CERTIFICATE_EXPIRED,
            "the certificate of " + host + " has expired", e);
      }
      if (hasCause(e, java.security.cert.CertificateException.class)
          || hasCause(e, CertPathValidatorException.class)
          || hasCause(e, java.security.cert.CertPathBuilderException.class)) {
        return failure(domain, FetchFailure.CERTIFICATE_UNTRUSTED,
            "the certificate of " + host + " is not trusted: " + rootMessage(e), e);
      }
      return failure(domain, FetchFailure.TLS_HANDSHAKE_FAILED,
          "TLS handshake with " + host + " failed: " + rootMessage(e), e);
    }
    if (e instanceof InterruptedIOException) {
      return failure(domain, FetchFailure.TIMEOUT,
          "policy fetch from " + host + " timed out: " + untrusted(e), e);
    }
    if (e instanceof UnknownHostException) {
      // Raised by our Dns: for the policy host (addresses were checked before) or the proxy.
      return failure(domain, FetchFailure.DNS_FAILURE,
          "cannot resolve a host for the fetch from " + host + ": " + untrusted(e), e);
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return failure(domain, FetchFailure.CONNECT_FAILED,
          "cannot connect to " + host + ": " + untrusted(e), e);
    }
    if (e instanceof javax.net.ssl.SSLException) {
      return failure(domain, FetchFailure.TLS_HANDSHAKE_FAILED,
          "TLS with " + host + " failed: " + rootMessage(e), e);
    }
    // OkHttp's ProtocolException quotes a malformed status line verbatim: the cause keeps only
    // a printable copy of that text, so that a logged stack trace shows no raw bytes either.
    return failure(domain, FetchFailure.IO_ERROR,
        "policy fetch from " + host + " failed: " + rootMessage(e), printableCopy(e));
  }

  /** Text of the policy host, or an exception message quoting it, made printable and short. */
  static String untrusted(String text) {
    return Texts.printable(text, MAX_UNTRUSTED);
  }

  static String untrusted(Throwable e) {
    return untrusted(e.getMessage());
  }

  /** {@code e}, or a plain copy with a printable message when its message is not printable. */
  private static Throwable printableCopy(IOException e) {
    String message = e.getMessage();
    if (message == null || message.equals(untrusted(message))) {
      return e;
    }
    IOException copy = new IOException(e.getClass().getName() + ": " + untrusted(message));
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  private static boolean isExpiredPath(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertPathValidatorException
          && ((CertPathValidatorException) t).getReason()
              == CertPathValidatorException.BasicReason.EXPIRED) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message != null ? untrusted(message) : root.getClass().getSimpleName();
  }

  static PolicyFetchException failure(String domain, FetchFailure kind, String message,
      Throwable cause) {
    return new PolicyFetchException(domain, kind, message, cause);
  }
}
