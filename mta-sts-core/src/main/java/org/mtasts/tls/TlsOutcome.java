package org.mtasts.tls;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened in one TLS handshake with an MX host made through {@link
 * MxTlsVerifier#socketFactory(String, boolean, java.util.function.Consumer)}: whether the
 * handshake completed, the MTA-STS verdict (RFC 8461 §4.2, §7.2), the negotiated protocol and
 * cipher suite, and the socket addresses a TLS-RPT report needs (RFC 8460 §4.4).
 *
 * <p>Three shapes occur:
 *
 * <ul>
 *   <li>completed and passed: the session may be used;
 *   <li>completed but refused: only in testing (report-only) mode, where a bad certificate is
 *       reported but the session continues (STS-TLS-11);
 *   <li>not completed: the handshake failed or was aborted by the verifier; {@link #refusal()}
 *       says why.
 * </ul>
 *
 * <p><b>DANE.</b> A handshake through {@link MxTlsVerifier#socketFactory(DaneTlsa, boolean,
 * java.util.function.Consumer) a DANE socket factory} has two verdicts: {@link #dane()} (RFC 7672;
 * a failure always aborts the handshake) and {@link #webPki()}, the MTA-STS (WebPKI) check for the
 * MX host name, which aborts only when the factory was told to require it ({@link #enforced()}).
 * So a completed DANE handshake is always {@link DaneResult#AUTHENTICATED}; its {@link #refusal()}
 * is the WebPKI verdict, reported as in testing mode: a self-signed certificate published as
 * DANE-EE(3) completes, authenticated, with {@link RefusalReason#CERTIFICATE_NOT_TRUSTED}
 * (STS-DANE-05). Under D-23 the delivery rules look at {@link #dane()}; a strict configuration at
 * both.
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsOutcome {
  private final String mxHost;
  private final boolean enforced;
  private final boolean handshakeCompleted;
  private final RefusalReason refusal;
  private final String message;
  private final String protocol;
  private final String cipherSuite;
  private final InetSocketAddress localAddress;
  private final InetSocketAddress remoteAddress;
  private final DaneResult dane;
  private final CertificateCheck webPki;

  private TlsOutcome(
      String mxHost,
      boolean enforced,
      boolean handshakeCompleted,
      RefusalReason refusal,
      String message,
      String protocol,
      String cipherSuite,
      InetSocketAddress localAddress,
      InetSocketAddress remoteAddress,
      DaneResult dane,
      CertificateCheck webPki) {
    this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
    this.enforced = enforced;
    this.handshakeCompleted = handshakeCompleted;
    this.refusal = refusal;
    this.message = Objects.requireNonNull(message, "message");
    this.protocol = protocol;
    this.cipherSuite = cipherSuite;
    this.localAddress = localAddress;
    this.remoteAddress = remoteAddress;
    this.dane = dane;
    this.webPki = webPki;
  }

  /**
   * A handshake that completed, with the certificate verdict.
   *
   * @param mxHost the MX host name (reference identity and SNI)
   * @param enforced whether the policy mode was enforce
   * @param protocol the negotiated protocol, e.g. {@code TLSv1.3}
   * @param cipherSuite the negotiated cipher suite
   * @param check the certificate verdict
   * @param localAddress the sending side's address, or null if unknown
   * @param remoteAddress the MX's address, or null if unknown
   * @throws IllegalArgumentException if {@code check} is a DANE verdict (see {@link
   *     #daneCompleted})
   * @throws NullPointerException if a non-nullable argument is null
   */
  public static TlsOutcome completed(
      String mxHost,
      boolean enforced,
      String protocol,
      String cipherSuite,
      CertificateCheck check,
      InetSocketAddress localAddress,
      InetSocketAddress remoteAddress) {
    if (Objects.requireNonNull(check, "check").dane().isPresent()) {
      throw new IllegalArgumentException("a DANE verdict makes a daneCompleted outcome: " + check);
    }
    return new TlsOutcome(
        mxHost,
        enforced,
        true,
        check.refusal().orElse(null),
        check.message(),
        Objects.requireNonNull(protocol, "protocol"),
        Objects.requireNonNull(cipherSuite, "cipherSuite"),
        localAddress,
        remoteAddress,
        null,
        check);
  }

  /**
   * A handshake that did not complete.
   *
   * @param mxHost the MX host name
   * @param enforced whether the policy mode was enforce
   * @param reason why it failed
   * @param message what happened
   * @param localAddress the sending side's address, or null if unknown
   * @param remoteAddress the MX's address, or null if unknown
   * @throws NullPointerException if a non-nullable argument is null
   */
  public static TlsOutcome failed(
      String mxHost,
      boolean enforced,
      RefusalReason reason,
      String message,
      InetSocketAddress localAddress,
      InetSocketAddress remoteAddress) {
    return new TlsOutcome(
        mxHost,
        enforced,
        false,
        Objects.requireNonNull(reason, "reason"),
        message,
        null,
        null,
        localAddress,
        remoteAddress,
        null,
        null);
  }

  /**
   * A handshake with a DANE-protected MX host that completed: the certificate matched a usable
   * TLSA record, and {@code webPki} is the MTA-STS (WebPKI) verdict for {@code mxHost}, which
   * failed only if {@code webPkiRequired} is false.
   *
   * @param mxHost the MX host name
   * @param webPkiRequired whether a failed WebPKI check would have aborted the handshake
   * @param protocol the negotiated protocol, e.g. {@code TLSv1.3}
   * @param cipherSuite the negotiated cipher suite
   * @param dane the DANE verdict ({@link CertificateCheck#daneAuthenticated})
   * @param webPki the MTA-STS (WebPKI) verdict ({@link MxTlsVerifier#verify(String,
   *     java.security.cert.X509Certificate[])})
   * @param localAddress the sending side's address, or null if unknown
   * @param remoteAddress the MX's address, or null if unknown
   * @return the outcome; {@link #dane()} is {@link DaneResult#AUTHENTICATED}, {@link #refusal()}
   *     the WebPKI refusal if any
   * @throws IllegalArgumentException if {@code dane} is not a passed DANE verdict, {@code webPki}
   *     is a DANE verdict, or {@code webPki} failed although it was required
   * @throws NullPointerException if a non-nullable argument is null
   */
  public static TlsOutcome daneCompleted(
      String mxHost,
      boolean webPkiRequired,
      String protocol,
      String cipherSuite,
      CertificateCheck dane,
      CertificateCheck webPki,
      InetSocketAddress localAddress,
      InetSocketAddress remoteAddress) {
    requireDane(dane);
    requireWebPki(webPki);
    if (!dane.passed()) {
      throw new IllegalArgumentException("a failed DANE check aborts the handshake: " + dane);
    }
    if (webPkiRequired && !webPki.passed()) {
      throw new IllegalArgumentException("a required WebPKI check failed: " + webPki);
    }
    return new TlsOutcome(
        mxHost,
        webPkiRequired,
        true,
        webPki.refusal().orElse(null),
        "DANE: " + dane.message() + "; WebPKI: " + webPki.message(),
        Objects.requireNonNull(protocol, "protocol"),
        Objects.requireNonNull(cipherSuite, "cipherSuite"),
        localAddress,
        remoteAddress,
        DaneResult.AUTHENTICATED,
        webPki);
  }

  /**
   * A handshake with a DANE-protected MX host that the certificate checks aborted: because the
   * DANE check failed ({@link #refusal()} {@link RefusalReason#TLSA_INVALID}, STS-DANE-01), or
   * because it passed but the WebPKI check, required by {@code webPkiRequired}, failed ({@link
   * #refusal()} is the WebPKI reason).
   *
   * @param mxHost the MX host name
   * @param webPkiRequired whether a failed WebPKI check aborts the handshake
   * @param dane the DANE verdict
   * @param webPki the MTA-STS (WebPKI) verdict for {@code mxHost}
   * @param localAddress the sending side's address, or null if unknown
   * @param remoteAddress the MX's address, or null if unknown
   * @return the outcome
   * @throws IllegalArgumentException if {@code dane} is not a DANE verdict, {@code webPki} is one,
   *     or neither verdict aborts the handshake
   * @throws NullPointerException if a non-nullable argument is null
   */
  public static TlsOutcome daneFailed(
      String mxHost,
      boolean webPkiRequired,
      CertificateCheck dane,
      CertificateCheck webPki,
      InetSocketAddress localAddress,
      InetSocketAddress remoteAddress) {
    requireDane(dane);
    requireWebPki(webPki);
    RefusalReason reason;
    String message;
    if (!dane.passed()) {
      reason = RefusalReason.TLSA_INVALID;
      message = "DANE: " + dane.message() + "; WebPKI: " + webPki.message();
    } else if (webPkiRequired && !webPki.passed()) {
      reason = webPki.refusal().orElseThrow();
      message = "WebPKI (required): " + webPki.message() + "; DANE: " + dane.message();
    } else {
      throw new IllegalArgumentException(
          "neither check aborts the handshake: " + dane + ", " + webPki);
    }
    return new TlsOutcome(
        mxHost,
        webPkiRequired,
        false,
        reason,
        message,
        null,
        null,
        localAddress,
        remoteAddress,
        dane.dane().orElseThrow(),
        webPki);
  }

  private static void requireDane(CertificateCheck dane) {
    if (Objects.requireNonNull(dane, "dane").dane().isEmpty()) {
      throw new IllegalArgumentException("not a DANE verdict: " + dane);
    }
  }

  private static void requireWebPki(CertificateCheck webPki) {
    if (Objects.requireNonNull(webPki, "webPki").dane().isPresent()) {
      throw new IllegalArgumentException("not a WebPKI verdict: " + webPki);
    }
  }

  /** The MX host name the session was checked against. */
  public String mxHost() {
    return mxHost;
  }

  /**
   * Whether the socket was made for an enforce policy (false: testing, report-only). For a DANE
   * socket: whether it required the WebPKI check to pass as well (a DANE failure always aborts).
   */
  public boolean enforced() {
    return enforced;
  }

  /** Whether the TLS handshake completed, so the session can carry SMTP. */
  public boolean handshakeCompleted() {
    return handshakeCompleted;
  }

  /**
   * Whether the handshake completed and every MTA-STS check passed. For a DANE socket: DANE
   * authenticated the certificate and the WebPKI check passed too; D-23 asks only for {@link
   * #dane()}, unless strict.
   */
  public boolean passed() {
    return handshakeCompleted && refusal == null;
  }

  /**
   * The DANE verdict, for a handshake through a DANE socket factory that got as far as the
   * certificate check; empty otherwise (no DANE, or the handshake failed before a certificate was
   * checked).
   *
   * @return {@link DaneResult#AUTHENTICATED} for every completed DANE handshake, {@link
   *     DaneResult#FAILED} when no usable TLSA record matched; or empty
   */
  public Optional<DaneResult> dane() {
    return Optional.ofNullable(dane);
  }

  /**
   * The MTA-STS (WebPKI) verdict on the certificate for {@link #mxHost()}: the chain, validity and
   * name checks of RFC 8461 §4.2. Present for every completed handshake (where {@link #refusal()}
   * is its refusal) and for a DANE handshake aborted by a certificate check, where it is kept
   * beside the DANE verdict for strict mode and TLS-RPT; empty for other failed handshakes.
   *
   * @return the WebPKI verdict, or empty when it is not known
   */
  public Optional<CertificateCheck> webPki() {
    return Optional.ofNullable(webPki);
  }

  /** Why the MX fails MTA-STS validation; empty when it {@linkplain #passed() passed}. */
  public Optional<RefusalReason> refusal() {
    return Optional.ofNullable(refusal);
  }

  /** A one-line description of the outcome. */
  public String message() {
    return message;
  }

  /** The negotiated protocol, e.g. {@code TLSv1.3}, if the handshake completed. */
  public Optional<String> protocol() {
    return Optional.ofNullable(protocol);
  }

  /** The negotiated cipher suite, if the handshake completed. */
  public Optional<String> cipherSuite() {
    return Optional.ofNullable(cipherSuite);
  }

  /** The local end of the connection ({@code sending-mta-ip} of TLS-RPT), if known. */
  public Optional<InetSocketAddress> localAddress() {
    return Optional.ofNullable(localAddress);
  }

  /** The MX end of the connection ({@code receiving-ip} of TLS-RPT), if known. */
  public Optional<InetSocketAddress> remoteAddress() {
    return Optional.ofNullable(remoteAddress);
  }

  /**
   * What this handshake means for {@link org.mtasts.MtaSts#check}: a completed handshake is {@link
   * TlsFacts#verified} or, with a refusal, {@link TlsFacts#certificateProblem}; a failed one is
   * {@link TlsFacts#handshakeFailed} with its reason ({@link RefusalReason#TLS_HANDSHAKE_FAILED}
   * when none is known). With a {@linkplain #dane() DANE verdict}, a completed handshake is {@link
   * TlsFacts#daneVerified(String)} or, with a WebPKI refusal, {@link TlsFacts#daneVerified(String,
   * RefusalReason)}, and a failed one {@link TlsFacts#handshakeFailed(RefusalReason, DaneResult)}.
   * The one conversion between the verifier's and the check's vocabulary.
   *
   * @return the facts of this session; never null
   */
  public TlsFacts facts() {
    if (!handshakeCompleted) {
      RefusalReason reason = refusal != null ? refusal : RefusalReason.TLS_HANDSHAKE_FAILED;
      return dane != null ? TlsFacts.handshakeFailed(reason, dane) : TlsFacts.handshakeFailed(reason);
    }
    String negotiated = protocol != null ? protocol : "TLS";
    if (dane != null) {
      return refusal != null
          ? TlsFacts.daneVerified(negotiated, refusal)
          : TlsFacts.daneVerified(negotiated);
    }
    return refusal != null
        ? TlsFacts.certificateProblem(negotiated, refusal)
        : TlsFacts.verified(negotiated);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("TlsOutcome{").append(mxHost);
    if (dane != null) {
      s.append(", DANE ").append(dane.code()).append(enforced ? ", WebPKI required" : "");
    } else {
      s.append(enforced ? ", enforce" : ", testing");
    }
    s.append(handshakeCompleted ? ", completed " + protocol + " " + cipherSuite : ", failed");
    if (refusal != null) {
      s.append(", ").append(refusal.code());
    }
    return s.append(": ").append(message).append('}').toString();
  }
}
