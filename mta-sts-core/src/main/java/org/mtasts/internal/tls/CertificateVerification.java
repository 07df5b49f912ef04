package org.mtasts.internal.tls;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.X509TrustManager;
import org.mtasts.tls.CertificateCheck;
import org.mtasts.tls.RefusalReason;

/**
 * The certificate checks of RFC 8461 §4.2 on one presented chain, in this order, stopping at the
 * first failure: the chain must be accepted by the configured trust manager (PKIX path to a trust
 * anchor, validity at the trust manager's time, key usage; STS-TLS-04/05), the leaf must be within
 * its validity period at {@link Clock} time, and a subjectAltName DNS-ID of the leaf must match
 * the MX host ({@link DnsIdMatcher}, STS-TLS-06/07).
 *
 * <p><b>Time.</b> The JDK's trust manager validates against the system clock and cannot be given
 * another. The leaf's validity is therefore checked a second time against the injected clock, so
 * a clock can only make the check stricter (e.g. a test clock in the future makes a certificate
 * expired); it can never make a certificate acceptable that the trust manager refused. Only the
 * leaf is checked against the clock: a server may send extra or expired cross-signed certificates
 * that are not part of the path the trust manager built.
 *
 * <p>Immutable and thread-safe if the trust manager is (the JDK's is).
 */
public final class CertificateVerification {
  /**
   * The key-exchange "authType" used when the real one is unknown, as the JDK itself passes for
   * TLS 1.3; the JDK's checker then requires a signing key usage.
   */
  public static final String UNKNOWN_AUTH_TYPE = "UNKNOWN";

  private static final int MAX_NAMES_IN_MESSAGE = 8;

  private final X509TrustManager trustManager;
  private final Clock clock;

  /**
   * Creates the checks.
   *
   * @param trustManager the trust anchors and path validation
   * @param clock the time for the leaf validity check
   */
  public CertificateVerification(X509TrustManager trustManager, Clock clock) {
    this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The configured trust manager. */
  public X509TrustManager trustManager() {
    return trustManager;
  }

  /**
   * Checks {@code chain} as presented by {@code mxHost}.
   *
   * @param mxHost the MX host name, normalised (lower-case A-labels, no trailing dot)
   * @param chain the chain as presented, leaf first; may be empty
   * @param authType the key exchange type of the handshake, or {@link #UNKNOWN_AUTH_TYPE}
   * @return the verdict
   */
  public CertificateCheck verify(String mxHost, X509Certificate[] chain, String authType) {
    if (chain.length == 0) {
      return CertificateCheck.refused(
          RefusalReason.CERTIFICATE_NOT_TRUSTED, mxHost + " presented no certificate");
    }
    X509Certificate leaf = chain[0];
    try {
      trustManager.checkServerTrusted(chain.clone(), authType);
    } catch (CertificateException e) {
      return trustFailure(mxHost, e);
    } catch (IllegalArgumentException e) {
      // Documented for null or empty arguments; a custom trust manager may also use it.
      return CertificateCheck.refused(
          RefusalReason.CERTIFICATE_NOT_TRUSTED,
          "the certificate of " + mxHost + " was rejected by the trust manager: " + e.getMessage());
    }
    Instant now = clock.instant();
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      return CertificateCheck.refused(
          RefusalReason.CERTIFICATE_EXPIRED,
          "the certificate of " + mxHost + " expired at " + leaf.getNotAfter().toInstant());
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      return CertificateCheck.refused(
          RefusalReason.CERTIFICATE_NOT_TRUSTED,
          "the certificate of " + mxHost + " is not valid before "
              + leaf.getNotBefore().toInstant());
    }
    List<String> dnsIds;
    try {
      dnsIds = DnsIdMatcher.dnsIds(leaf);
    } catch (CertificateParsingException e) {
      return CertificateCheck.refused(
          RefusalReason.CERTIFICATE_HOST_MISMATCH,
          "the subjectAltName of the certificate of " + mxHost + " cannot be read: "
              + e.getMessage());
    }
    if (!DnsIdMatcher.matchesAny(mxHost, dnsIds)) {
      return CertificateCheck.refused(
          RefusalReason.CERTIFICATE_HOST_MISMATCH, hostMismatch(mxHost, leaf, dnsIds));
    }
    return CertificateCheck.ok();
  }

  private static String hostMismatch(String mxHost, X509Certificate leaf, List<String> dnsIds) {
    if (dnsIds.isEmpty()) {
      return "the certificate of " + mxHost + " has no subjectAltName DNS name (subject "
          + leaf.getSubjectX500Principal().getName()
          + "); RFC 8461 §4.2 does not accept the common name";
    }
    List<String> shown =
        dnsIds.size() > MAX_NAMES_IN_MESSAGE ? dnsIds.subList(0, MAX_NAMES_IN_MESSAGE) : dnsIds;
    return "the certificate of " + mxHost + " is not valid for that name; its DNS names are "
        + shown + (shown.size() < dnsIds.size() ? " and " + (dnsIds.size() - shown.size())
            + " more" : "");
  }

  private static CertificateCheck trustFailure(String mxHost, CertificateException e) {
    if (isExpired(e)) {
      return CertificateCheck.refused(
          RefusalReason.CERTIFICATE_EXPIRED,
          "the certificate of " + mxHost + " has expired: " + TlsFailures.rootMessage(e));
    }
    if (isNotYetValid(e)) {
      return CertificateCheck.refused(
          RefusalReason.CERTIFICATE_NOT_TRUSTED,
          "the certificate of " + mxHost + " is not yet valid: " + TlsFailures.rootMessage(e));
    }
    return CertificateCheck.refused(
        RefusalReason.CERTIFICATE_NOT_TRUSTED,
        "the certificate of " + mxHost + " is not trusted: " + TlsFailures.rootMessage(e));
  }

  static boolean isExpired(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException
          || (t instanceof CertPathValidatorException
              && ((CertPathValidatorException) t).getReason()
                  == CertPathValidatorException.BasicReason.EXPIRED)) {
        return true;
      }
    }
    return false;
  }

  static boolean isNotYetValid(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateNotYetValidException
          || (t instanceof CertPathValidatorException
              && ((CertPathValidatorException) t).getReason()
                  == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
        return true;
      }
    }
    return false;
  }
}
