package org.mtasts.internal.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.mtasts.tls.CertificateCheck;
import org.mtasts.tls.RefusalReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust manager of the TLS context behind {@link MxSocketFactory}: for one MX host and one
 * policy mode, it runs {@link CertificateVerification} (chain, validity, DNS-ID) on the chain the
 * server presents. Being an {@link X509ExtendedTrustManager}, the JDK uses it as is and adds no
 * checks of its own; the endpoint identification algorithm of the socket is deliberately not
 * consulted (the JDK's "HTTPS" rule would accept a Common Name, STS-JM-03).
 *
 * <ul>
 *   <li>Enforce: any failure throws {@link MxCertificateException}, which aborts the handshake
 *       before a single SMTP command is sent over TLS (STS-APPLY-01).
 *   <li>Testing: the verdict is computed but the handshake continues, so that mail is delivered as
 *       without MTA-STS (RFC 8461 §5 item 2, STS-TLS-11); {@link MxSslSocket} reports the verdict
 *       when the handshake completes.
 * </ul>
 *
 * <p>Refuses to check client certificates. Immutable and thread-safe.
 */
final class MxTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(MxTrustManager.class);

  private final CertificateVerification verification;
  private final String mxHost;
  private final boolean enforce;
  /** The chain as the checks should see it: {@link TlsProviders#forPkix}. */
  private final UnaryOperator<X509Certificate[]> forPkix;

  MxTrustManager(
      CertificateVerification verification,
      String mxHost,
      boolean enforce,
      UnaryOperator<X509Certificate[]> forPkix) {
    this.verification = Objects.requireNonNull(verification, "verification");
    this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
    this.enforce = enforce;
    this.forPkix = Objects.requireNonNull(forPkix, "forPkix");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, authType);
  }

  private void check(X509Certificate[] chain, String authType) throws CertificateException {
    if (chain == null) {
      throw new MxCertificateException(
          RefusalReason.CERTIFICATE_NOT_TRUSTED, mxHost + " presented no certificate");
    }
    CertificateCheck check =
        verification.verify(
            mxHost,
            forPkix.apply(chain),
            authType == null || authType.isEmpty()
                ? CertificateVerification.UNKNOWN_AUTH_TYPE
                : TlsProviders.jdkAuthType(authType));
    if (check.passed()) {
      return;
    }
    RefusalReason reason = check.refusal().orElseThrow();
    if (enforce) {
      throw new MxCertificateException(reason, check.message());
    }
    // Fail-open on purpose: testing mode is report-only (RFC 8461 §5 item 2). The verdict is
    // reported through the socket's outcome callback once the handshake completes.
    log.debug("testing mode, continuing despite {}: {}", reason.code(), check.message());
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("this trust manager checks MX server certificates only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return verification.trustManager().getAcceptedIssuers();
  }
}
