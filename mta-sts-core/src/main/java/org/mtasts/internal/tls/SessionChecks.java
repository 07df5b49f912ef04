package org.mtasts.internal.tls;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.tls.CertificateCheck;
import org.mtasts.tls.DaneTlsa;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsOutcome;

/**
 * What the sockets of one {@link MxSocketFactory} check on the chain a server presents, and which
 * failures abort the handshake. Two kinds:
 *
 * <ul>
 *   <li>MTA-STS: the WebPKI checks of {@link CertificateVerification} for the MX host, aborting
 *       under enforce only (testing is report-only, RFC 8461 §5); SNI = the MX host (STS-TLS-02).
 *   <li>DANE: the checks of {@link DaneVerification} against the host's secure TLSA RRset, which
 *       always abort on failure (RFC 7672 §2.2: DANE is mandatory for such a host, STS-DANE-01),
 *       and the WebPKI checks for the MX host as well, kept for strict mode and TLS-RPT and
 *       aborting only when required; SNI = the TLSA base domain (RFC 7672 §8.1, STS-DANE-07).
 * </ul>
 *
 * <p>The trust manager runs {@link #judge} during the handshake and {@link MxSslSocket} again
 * after it, so that a resumed session, for which the trust manager is skipped, is held to the same
 * rules. Immutable and thread-safe.
 */
public final class SessionChecks {
  private final CertificateVerification webPki;
  private final DaneVerification daneVerification;
  private final DaneTlsa dane;
  private final String mxHost;
  private final boolean enforceWebPki;

  private SessionChecks(CertificateVerification webPki, DaneVerification daneVerification,
      DaneTlsa dane, String mxHost, boolean enforceWebPki) {
    this.webPki = Objects.requireNonNull(webPki, "webPki");
    this.daneVerification = daneVerification;
    this.dane = dane;
    this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
    this.enforceWebPki = enforceWebPki;
  }

  /**
   * The MTA-STS checks for {@code mxHost}.
   *
   * @param webPki the WebPKI checks
   * @param mxHost the MX host name, normalised
   * @param enforce whether a failure aborts the handshake (false: testing, report-only)
   */
  public static SessionChecks mtaSts(CertificateVerification webPki, String mxHost,
      boolean enforce) {
    return new SessionChecks(webPki, null, null, mxHost, enforce);
  }

  /**
   * The DANE checks for the host of {@code tlsa}, with the WebPKI checks for its MX host name.
   *
   * @param webPki the WebPKI checks
   * @param daneVerification the DANE checks
   * @param tlsa the host's secure TLSA RRset, with at least one usable record
   * @param requireWebPki whether a failed WebPKI check aborts the handshake as well
   * @throws IllegalArgumentException if {@code tlsa} has no usable record
   */
  public static SessionChecks dane(CertificateVerification webPki,
      DaneVerification daneVerification, DaneTlsa tlsa, boolean requireWebPki) {
    Objects.requireNonNull(daneVerification, "daneVerification");
    if (tlsa.usable().isEmpty()) {
      throw new IllegalArgumentException("the TLSA RRset at " + tlsa.ownerName()
          + " has no usable record: DANE authenticates nothing there (STS-DANE-04); TLS is"
          + " required, and MTA-STS, if it applies, judges the certificate");
    }
    return new SessionChecks(webPki, daneVerification, tlsa, tlsa.mxHost(), requireWebPki);
  }

  /** The MX host name: the reference identity of the WebPKI check. */
  public String mxHost() {
    return mxHost;
  }

  /** The SNI name: the MX host, or under DANE the TLSA base domain. */
  public String sniHost() {
    return dane != null ? dane.tlsaBaseDomain() : mxHost;
  }

  /** Whether a failed WebPKI check aborts the handshake. */
  public boolean enforce() {
    return enforceWebPki;
  }

  /** The issuers the WebPKI trust manager accepts. */
  public X509Certificate[] acceptedIssuers() {
    return webPki.trustManager().getAcceptedIssuers();
  }

  /** Whether these are DANE checks. */
  public boolean isDane() {
    return dane != null;
  }

  /**
   * Checks {@code chain}.
   *
   * @param chain the chain as presented, leaf first (possibly wrapped for native signatures)
   * @param authType the handshake's key exchange type in the JDK's terms
   * @return both verdicts and what they mean for the handshake
   */
  public Verdict judge(X509Certificate[] chain, String authType) {
    CertificateCheck web = webPki.verify(mxHost, chain, authType);
    CertificateCheck daneCheck = dane == null ? null : daneVerification.verify(dane, chain);
    return new Verdict(web, daneCheck);
  }

  /**
   * The verdict for a server that presented no usable X.509 chain (no certificate, or a
   * non-X.509 one).
   */
  public Verdict noCertificate(String why) {
    String message = mxHost + " " + why;
    return new Verdict(
        CertificateCheck.refused(RefusalReason.CERTIFICATE_NOT_TRUSTED, message),
        dane == null ? null : CertificateCheck.daneFailed(message + "; DANE requires a"
            + " certificate matching a TLSA record at " + dane.ownerName()));
  }

  @Override
  public String toString() {
    return dane != null
        ? "DANE " + dane.ownerName() + " for " + mxHost
            + (enforceWebPki ? ", WebPKI required" : "")
        : mxHost + (enforceWebPki ? ", enforce" : ", testing");
  }

  /** The WebPKI verdict and, under DANE, the DANE verdict on one chain. */
  public final class Verdict {
    private final CertificateCheck web;
    private final CertificateCheck daneCheck;

    private Verdict(CertificateCheck web, CertificateCheck daneCheck) {
      this.web = web;
      this.daneCheck = daneCheck;
    }

    /** The WebPKI verdict for the MX host. */
    public CertificateCheck webPki() {
      return web;
    }

    /** The DANE verdict; empty unless these are DANE checks. */
    public Optional<CertificateCheck> dane() {
      return Optional.ofNullable(daneCheck);
    }

    /** Why the handshake must be aborted; empty when it may complete. */
    public Optional<RefusalReason> abort() {
      if (daneCheck != null && !daneCheck.passed()) {
        return daneCheck.refusal();
      }
      if (enforceWebPki && !web.passed()) {
        return web.refusal();
      }
      return Optional.empty();
    }

    /** The message of the check that aborts, or of the WebPKI check. */
    public String message() {
      if (daneCheck != null && !daneCheck.passed()) {
        return daneCheck.message();
      }
      return web.message();
    }

    /** The outcome of a handshake that this verdict aborted. */
    public TlsOutcome failed(InetSocketAddress local, InetSocketAddress remote) {
      RefusalReason reason = abort().orElseThrow();
      return daneCheck != null
          ? TlsOutcome.daneFailed(mxHost, enforceWebPki, daneCheck, web, local, remote)
          : TlsOutcome.failed(mxHost, enforceWebPki, reason, web.message(), local, remote);
    }

    /** The outcome of a handshake that completed with this verdict. */
    public TlsOutcome completed(String protocol, String cipherSuite, InetSocketAddress local,
        InetSocketAddress remote) {
      return daneCheck != null
          ? TlsOutcome.daneCompleted(mxHost, enforceWebPki, protocol, cipherSuite, daneCheck, web,
              local, remote)
          : TlsOutcome.completed(mxHost, enforceWebPki, protocol, cipherSuite, web, local, remote);
    }

    @Override
    public String toString() {
      return "Verdict{" + web + (daneCheck != null ? ", " + daneCheck : "") + "}";
    }
  }
}
