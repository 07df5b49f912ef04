package org.mtasts.internal.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust manager of the TLS context behind {@link MxSocketFactory}: for one MX host and one
 * policy mode, it runs the {@link SessionChecks} — {@link CertificateVerification} (chain,
 * validity, DNS-ID), and under DANE {@link DaneVerification} too — on the chain the server
 * presents. Being an {@link X509ExtendedTrustManager}, the JDK uses it as is and adds no checks of
 * its own, so it is the only judge of the chain: a self-signed certificate that matches a DANE-EE
 * record passes. The endpoint identification algorithm of the socket is deliberately not
 * consulted (the JDK's "HTTPS" rule would accept a Common Name, STS-JM-03).
 *
 * <ul>
 *   <li>A verdict that aborts (enforce and a failed WebPKI check; under DANE, a failed DANE check
 *       always) throws {@link MxCertificateException}, which aborts the handshake before a single
 *       SMTP command is sent over TLS (STS-APPLY-01, STS-DANE-01).
 *   <li>Otherwise (testing, or under DANE a WebPKI failure that is not required) the verdict is
 *       computed but the handshake continues, so that mail is delivered as without MTA-STS (RFC
 *       8461 §5 item 2, STS-TLS-11) or as DANE allows; {@link MxSslSocket} reports the verdict when
 *       the handshake completes.
 * </ul>
 *
 * <p>Refuses to check client certificates. Immutable and thread-safe.
 */
final class MxTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(MxTrustManager.class);

  private final SessionChecks checks;
  /** The chain as the checks should see it: {@link TlsProviders#forPkix}. */
  private final UnaryOperator<X509Certificate[]> forPkix;

  MxTrustManager(
      CertificateVerification verification,
      String mxHost,
      boolean enforce,
      UnaryOperator<X509Certificate[]> forPkix) {
    this(SessionChecks.mtaSts(verification, mxHost, enforce), forPkix);
  }

  MxTrustManager(SessionChecks checks, UnaryOperator<X509Certificate[]> forPkix) {
    this.checks = Objects.requireNonNull(checks, "checks");
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
    SessionChecks.Verdict verdict =
        chain == null || chain.length == 0
            ? checks.noCertificate("presented no certificate")
            : checks.judge(
                forPkix.apply(chain),
                authType == null || authType.isEmpty()
                    ? CertificateVerification.UNKNOWN_AUTH_TYPE
                    : TlsProviders.jdkAuthType(authType));
    if (verdict.abort().isPresent()) {
      throw new MxCertificateException(verdict);
    }
    // Fail-open on purpose where a check is report-only: testing mode (RFC 8461 §5 item 2), or the
    // WebPKI check beside a passed DANE check that decides (D-23). The verdict is reported through
    // the socket's outcome callback once the handshake completes.
    if (!verdict.webPki().passed()) {
      log.debug("{}: continuing with {}", checks, verdict);
    }
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
    return checks.acceptedIssuers();
  }
}
